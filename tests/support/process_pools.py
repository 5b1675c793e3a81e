"""Count the process pools a module starts (tests that must see work really go to worker processes)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest


def count_pools(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> list[int]:
    """The worker counts of every ProcessPoolExecutor ``module`` starts from now on."""
    started: list[int] = []
    real = module.ProcessPoolExecutor

    def counting(count: int, **kwargs: Any) -> Any:
        started.append(count)
        return real(count, **kwargs)

    monkeypatch.setattr(module, "ProcessPoolExecutor", counting)
    return started
