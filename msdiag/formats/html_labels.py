"""The HTML reports' own words beyond the shared catalog (msdiag.formats.labels), en and ja:
the "do this first" list, times, region summary, and the fleet report's headings and statuses.

The words live in html_labels.toml (``key = [English, Japanese]``), data beside the code."""

from __future__ import annotations

import sys
from importlib import resources

from msdiag.formats.labels import HOST_STATES, labels_for

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

def load_label_table(name: str) -> dict[str, tuple[str, str]]:
    """A label table shipped beside this module (``name``.toml: ``key = [English, Japanese]``)."""
    text = (resources.files("msdiag.formats") / name).read_text(encoding="utf-8")
    table: dict[str, tuple[str, str]] = {}
    for key, value in tomllib.loads(text).items():
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) and v for v in value)):
            raise ValueError(f"{name}: {key} must be [English, Japanese]")
        table[key] = (value[0], value[1])
    return table


#: key -> (en, ja), from html_labels.toml; keys never collide with msdiag.formats.labels
HTML_LABELS: dict[str, tuple[str, str]] = load_label_table("html_labels.toml")


def html_label(key: str, lang: str, **values: object) -> str:
    en, ja = HTML_LABELS[key]
    text = ja if lang == "ja" else en
    return text.format(**values) if values else text


def html_labels_for(lang: str) -> dict[str, str]:
    """The shared catalog and these words in one language, for templates."""
    words = labels_for(lang)
    words.update((key, ja if lang == "ja" else en) for key, (en, ja) in HTML_LABELS.items())
    return words


def host_state_label(state: str, lang: str) -> str:
    """A host status in words (msdiag.formats.labels.HOST_STATES); a status not there yet is shown
    as it is named."""
    words = HOST_STATES.get(state)
    if words is None:
        return state.replace("_", " ")
    return words[1] if lang == "ja" else words[0]
