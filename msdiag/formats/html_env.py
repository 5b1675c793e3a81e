"""The Jinja environment of every HTML report (one host, fleet): autoescaped, each value cleaned,
the shared text macros (templates/rich.html.j2) and the one Content-Security-Policy."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from markupsafe import Markup

from msdiag.formats.html_text import has_long_token
from msdiag.sanitize import clean_template_value

if TYPE_CHECKING:
    from jinja2 import Environment

#: nothing may load or run: inline CSS only (a meta element in each page's head)
CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_OWN = "msdiag.formats"


def template_environment(package: str) -> Environment:
    """Jinja for ``package``'s templates/, which may import the macros of msdiag.formats' own."""
    # imported here: only an HTML report needs Jinja (about 13 ms of every command's start-up)
    from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=ChoiceLoader([PackageLoader(name, "templates") for name in dict.fromkeys((package, _OWN))]),
        autoescape=True,  # every {{ }} is escaped; no template uses |safe on data
        undefined=StrictUndefined,
        finalize=clean_template_value,  # a second net: any host string the views missed is cleaned
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.tests["longtoken"] = has_long_token  # `{% if value is longtoken %}`: this cell may break anywhere
    env.globals["csp"] = CONTENT_SECURITY_POLICY
    return env


@cache
def stylesheet(*names: str) -> Markup:
    """Our own CSS files from static/, joined: the one string marked safe in a page."""
    folder = resources.files(_OWN) / "static"
    css = "\n".join((folder / name).read_text(encoding="utf-8") for name in names)
    if "</" in css:  # our own files, but a stray "</style>" would end the style element early
        raise ValueError("a report stylesheet must not contain '</'")
    return Markup(css)
