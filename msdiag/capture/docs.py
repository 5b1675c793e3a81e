"""The per-check field tables of docs/capture-format.md, generated from the data models.

A field's ``#:`` comment on its model is its documentation (msdiag.capture.field_docs); this module
turns every check's model
(and the capture's ``user_context``) into markdown tables, with whose each per-user fact is (from
the check spec), and rewrites the generated block of the document. So adding a check, or a field,
needs no hand-edited documentation: ``python -m msdiag.capture.docs`` (tests/capture/
test_capture_docs.py fails while the document is stale).
"""

from __future__ import annotations

import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from annotated_types import MaxLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from msdiag.capture.field_docs import field_descriptions, nested_model
from msdiag.capture.user_context import CHOSEN_BY, UserContext, UserContextFacts
from msdiag.checks import CHECKS, Check

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "capture-format.md"
BEGIN = "<!-- BEGIN GENERATED: check data (python -m msdiag.capture.docs) -->"
END = "<!-- END GENERATED: check data -->"


def _max_length(info: FieldInfo | None, annotation: Any) -> int | None:
    found = [m.max_length for m in (info.metadata if info else []) if isinstance(m, MaxLen)]
    for arg in typing.get_args(annotation):
        for meta in getattr(arg, "__metadata__", ()):
            if hasattr(meta, "max_length") and meta.max_length:
                found.append(meta.max_length)
    for meta in getattr(annotation, "__metadata__", ()):
        if hasattr(meta, "max_length") and meta.max_length:
            found.append(meta.max_length)
    return found[0] if found else None


def _type_name(annotation: Any, info: FieldInfo | None = None) -> str:
    """A field's type in words: `string (≤512)`, `int`, `list (≤64) of object`, `"a" / "b"`."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is typing.Annotated:
        base, *meta = typing.get_args(annotation)
        limit = next((m.max_length for m in meta if getattr(m, "max_length", None)), None)
        if base is str:
            return "string" + (f" (≤{limit})" if limit else "")
        return _type_name(base)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args)
    if origin is Literal:
        return " / ".join(f"`{v}`" for v in typing.get_args(annotation))
    if origin is list:
        limit = _max_length(info, annotation)
        return f"list{f' (≤{limit})' if limit else ''} of {_type_name(args[0])}"
    if origin is dict:
        return "object"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object"
    if annotation is str:
        limit = _max_length(info, annotation)
        return "string" + (f" (≤{limit})" if limit else "")
    return {int: "int", bool: "bool", float: "number"}.get(annotation, str(annotation))


def _rows(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, str, bool, str]]:
    """(dotted path, type, required, description) for every field, nested objects after their parent."""
    described = field_descriptions(model)
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        yield path, _type_name(info.annotation, info), info.is_required(), described.get(name, "")
        nested = nested_model(info.annotation)
        if nested is not None and nested is not model:
            yield from _rows(nested, f"{path}.")


def _whose(check: Check, path: str) -> str:
    def covered(paths: tuple[str, ...]) -> bool:
        return any(path == p or path.startswith(p + ".") for p in paths)

    if covered(check.session_only):
        return "session"
    if covered(check.per_user):
        return "user"
    return "machine"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def check_table(check: Check) -> list[str]:
    doc = (check.model.__doc__ or "").strip().splitlines()
    lines = [f"### `{check.name}`", ""]
    if doc and not doc[0].startswith("Usage docs"):
        lines += [doc[0], ""]
    lines += ["| field | type | whose | meaning |", "|---|---|---|---|"]
    for path, kind, required, description in _rows(check.model):
        mark = ", required" if required else ""
        lines.append(f"| `{path}` | {_cell(kind)}{mark} | {_whose(check, path)} | {_cell(description)} |")
    native = [f"`{n.into}` from `{n.raw}`" for n in check.native]
    if native:
        lines += ["", f"msdiag reads {', '.join(native)} (a producer may leave the parsed field null)."]
    return [*lines, ""]


def _plain_table(title: str, model: type[BaseModel]) -> list[str]:
    lines = [title, "", "| field | type | meaning |", "|---|---|---|"]
    for path, kind, required, description in _rows(model):
        mark = ", required" if required else ""
        lines.append(f"| `{path}` | {_cell(kind)}{mark} | {_cell(description)} |")
    return [*lines, ""]


def generated() -> str:
    """The generated block: the user context, then one table per check, in the spec's order."""
    lines = [BEGIN, "", *_plain_table("### `user_context` (capture envelope)", UserContext)]
    lines += ["| `chosen_by` | how |", "|---|---|"]
    lines += [f"| `{key}` | {_cell(text)} |" for key, text in CHOSEN_BY.items()]
    lines.append("")
    lines += _plain_table("### `user_context` in a per-user check's document (as the script printed it)", UserContextFacts)
    for check in CHECKS:
        lines += check_table(check)
    lines.append(END)
    return "\n".join(lines)


def render(document: str) -> str:
    """``document`` with its generated block replaced by a fresh one."""
    start, end = document.find(BEGIN), document.find(END)
    if start < 0 or end < start:
        raise ValueError(f"{DOC_PATH.name} has no generated block ({BEGIN} ... {END})")
    return document[:start] + generated() + document[end + len(END) :]


def main(path: Path = DOC_PATH) -> int:
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
