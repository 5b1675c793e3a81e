"""Field descriptions, read from the ``#:`` comments on the data models' fields.

A field's documentation is the ``#:`` comment on (or just above) its line in the model::

    build: int | None = None  #: build number (`22631`)
    #: registry DisplayVersion (`23H2`); before 20H2 the ReleaseId (`1809`)
    display_version: ShortText | None = None

The generated tables of docs/capture-format.md (msdiag.capture.docs) and the descriptions in the
shipped JSON Schema (msdiag.capture.schema) are taken from them, so a field is documented once,
where it is declared. Read from the source when those files are generated (a developer's tool);
nothing at run time needs them.
"""

from __future__ import annotations

import ast
import functools
import inspect
import io
import textwrap
import tokenize
import types
import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel


def _comments(source: str) -> dict[int, str]:
    """0-based line -> the text of its ``#:`` comment."""
    found: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and token.string.startswith("#:"):
            found[token.start[0] - 1] = token.string[2:].strip()
    return found


@functools.cache
def field_descriptions(model: type[BaseModel]) -> dict[str, str]:
    """Field name -> its ``#:`` description (inherited fields included); {} without source."""
    out: dict[str, str] = {}
    try:
        source = textwrap.dedent(inspect.getsource(model))
    except (OSError, TypeError):
        source = ""
    if source:
        lines = source.splitlines()
        comments = _comments(source)
        node = ast.parse(source).body[0]
        for item in node.body if isinstance(node, ast.ClassDef) else []:
            if not isinstance(item, ast.AnnAssign) or not isinstance(item.target, ast.Name):
                continue
            above: list[str] = []
            index = item.lineno - 2
            while index >= 0 and lines[index].strip().startswith("#:"):
                above.insert(0, comments.get(index, ""))
                index -= 1
            trailing = comments.get(item.end_lineno - 1 if item.end_lineno else item.lineno - 1)
            text = " ".join([*above, *([trailing] if trailing else [])]).strip()
            if text:
                out[item.target.id] = text
    for base in model.__mro__[1:]:
        if isinstance(base, type) and issubclass(base, BaseModel) and base is not BaseModel:
            for name, text in field_descriptions(base).items():
                out.setdefault(name, text)
    return out


def nested_model(annotation: Any) -> type[BaseModel] | None:
    """The data model inside a field's type (``X | None``, ``list[X]``, ``Annotated[X, ...]``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType, list, typing.Annotated) or typing.get_args(
        annotation
    ):
        for arg in typing.get_args(annotation):
            found = nested_model(arg)
            if found is not None:
                return found
    return None


def models_under(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    """``model`` and every model nested in its fields, each once."""
    seen: set[type[BaseModel]] = set()
    stack = [model]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        yield current
        for info in current.model_fields.values():
            nested = nested_model(info.annotation)
            if nested is not None:
                stack.append(nested)


def describe_schema(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Put ``model``'s field descriptions into its JSON Schema object (in place)."""
    properties = schema.get("properties", {})
    for name, text in field_descriptions(model).items():
        if name in properties and isinstance(properties[name], dict):
            properties[name]["description"] = text
