"""Kinds of command-line option that several commands declare the same way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click


def file_option(*param_decls: str, help: str, **kwargs: Any) -> Callable[[Any], Any]:
    """A ``click.option`` naming a file (never a directory), given to the command as a Path."""
    return click.option(*param_decls, type=click.Path(dir_okay=False, path_type=Path), help=help, **kwargs)
