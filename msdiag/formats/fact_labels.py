"""Readable names for the facts a finding rests on, in English and Japanese.

Evidence names a fact by its path in the capture (``proxy.winhttp.proxy_server``,
``endpoints[login.live.com].tcp.ok``). Reports show the name below in the report's language and
the raw path small beside it. The names are in fact_labels.toml; a path is looked up with each
``[key]`` replaced by ``[*]``, and the keys fill ``{0}``, ``{1}`` ... A path not listed there takes
the :class:`~msdiag.capture.bounds.FieldLabel` its data-model field declares, else it is named by
its check's heading and the rest of the path (tests/formats/test_html_text.py fails on
any fact the rules emit on the test captures that has no name of its own).
"""

from __future__ import annotations

import re
import types
import typing
from functools import cache

from pydantic import BaseModel

from msdiag.capture.bounds import FieldLabel
from msdiag.checks import CHECK_DATA_MODELS, CHECKS
from msdiag.formats.html_labels import load_label_table
from msdiag.sanitize import clean_text

_KEY = re.compile(r"\[([^\]]*)\]")

#: fact path (keys as [*]) -> (en, ja), from fact_labels.toml
FACT_LABELS: dict[str, tuple[str, str]] = load_label_table("fact_labels.toml")

#: a probe error of any check ("os.errors[caption].category")
_PROBE_ERROR = ("{check}: probe {0} failed (error type)", "{check}: プローブ {0} の失敗 (エラーの種類)")
_CHECK_LABELS = {check.name: (check.label.en, check.label.ja) for check in CHECKS}


def fact_pattern(fact: str) -> tuple[str, list[str]]:
    """``endpoints[login.live.com].tcp.ok`` -> (``endpoints[*].tcp.ok``, [``login.live.com``])."""
    keys = _KEY.findall(fact)
    return _KEY.sub("[*]", fact), keys


def _model_of(annotation: object) -> type[BaseModel] | None:
    """The model a field holds: itself, or inside ``X | None`` and ``list[X]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            if (model := _model_of(arg)) is not None:
                return model
    return None


@cache
def field_label(pattern: str) -> FieldLabel | None:
    """The :class:`FieldLabel` declared on the data-model field at ``pattern`` ("check.a.b", keys
    as ``[*]``), None when the field declares none."""
    check, _, rest = pattern.partition(".")
    model: type[BaseModel] | None = CHECK_DATA_MODELS.get(check)
    found: FieldLabel | None = None
    for part in rest.split(".") if rest else ():
        info = model.model_fields.get(part.removesuffix("[*]")) if model is not None else None
        if info is None:
            return None
        found = next((m for m in info.metadata if isinstance(m, FieldLabel)), None)
        model = _model_of(info.annotation)
    return found


def known_fact(fact: str) -> bool:
    """Whether ``fact`` has a name of its own here (not only its check's heading)."""
    pattern, _ = fact_pattern(fact)
    return pattern in FACT_LABELS or _is_probe_error(pattern) or field_label(pattern) is not None


def _is_probe_error(pattern: str) -> bool:
    check, _, rest = pattern.partition(".")
    return check in _CHECK_LABELS and rest == "errors[*].category"


def fact_label(fact: str, lang: str) -> str:
    """The readable name of ``fact`` in ``lang`` (keys are host data: cleaned)."""
    pattern, keys = fact_pattern(fact)
    keys = [clean_text(k) for k in keys]
    ja = lang == "ja"
    check = pattern.split(".", 1)[0].split("[", 1)[0]
    if pattern in FACT_LABELS:
        en_text, ja_text = FACT_LABELS[pattern]
        return (ja_text if ja else en_text).format(*keys)
    declared = field_label(pattern)
    if declared is not None:
        return declared.ja if ja else declared.en
    if _is_probe_error(pattern):
        heading = _CHECK_LABELS[check][1 if ja else 0]
        return _PROBE_ERROR[1 if ja else 0].format(*keys, check=heading)
    if check in _CHECK_LABELS:
        rest = clean_text(fact[len(check) :].lstrip(".")).replace("_", " ")
        heading = _CHECK_LABELS[check][1 if ja else 0]
        return f"{heading} · {rest}" if rest else heading
    return clean_text(fact)
