"""The check spec (msdiag/checks.py) and every place derived from it agree, for every check and every
ps_scripts/Get-*.ps1. A half-added check fails here with a message naming the file to touch."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel
from support import reference_machine as reference

from msdiag.capture.models import CheckStatus, Model
from msdiag.capture.names import NameMarker, NotAName, marked_fields
from msdiag.capture.parse import Facts, parse_check_output
from msdiag.capture.schema import generate_schema, load_schema
from msdiag.checks import CHECK_DATA_MODELS, CHECK_NAMES, CHECKS, CHECKS_BY_NAME, NAME_SOURCES, Check
from msdiag.diagnosis.rules import RULES
from msdiag.formats.labels import UI_LABELS, label

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "ps_scripts"
CAPTURE_FILES = sorted((REPO / "msdiag" / "lab" / "hosts").glob("*.json")) + sorted(
    (REPO / "tests" / "fixtures" / "captures").glob("*.json")
)
IDS = [c.name for c in CHECKS]


def test_every_check_script_has_a_check() -> None:
    specced = {c.script for c in CHECKS}
    for script in sorted(SCRIPTS.glob("Get-*.ps1")):
        assert script.name in specced, (
            f"ps_scripts/{script.name} is not in msdiag/checks.py: add a Check(name=..., script={script.name!r}, ...)"
        )


def test_check_names_are_unique_and_well_formed() -> None:
    assert len(set(CHECK_NAMES)) == len(CHECK_NAMES), "msdiag/checks.py: two checks share a name"
    assert len({c.model for c in CHECKS}) == len(CHECKS), "msdiag/checks.py: two checks share a data model"
    for name in CHECK_NAMES:
        # names travel as runner parameters, JSON keys, file names and label keys
        assert re.fullmatch(r"[a-z][a-z0-9_]{1,30}", name), f"msdiag/checks.py: {name!r} is not a plain name"


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_script_exists_and_its_document_names_the_check(check: Check) -> None:
    path = SCRIPTS / check.script
    assert path.is_file(), f"msdiag/checks.py names ps_scripts/{check.script}, which does not exist"
    written = re.findall(r"Write-MsdiagDocument\s+-Check\s+'([^']*)'", path.read_text(encoding="utf-8-sig"))
    assert written == [check.name], (
        f"ps_scripts/{check.script} must print one document with "
        f"`Write-MsdiagDocument -Check '{check.name}'` (found {written})"
    )


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_model_is_in_the_shipped_schema(check: Check) -> None:
    shipped = load_schema()
    stale = "msdiag/capture/capture.schema.json is stale: regenerate it with `python -m msdiag.capture.schema`"
    assert f"{check.name}_data" in shipped["$defs"], stale
    assert check.name in shipped["$defs"]["CheckDocument"]["properties"]["check"]["enum"], stale
    fresh = json.loads(json.dumps(generate_schema()))
    assert shipped["$defs"][f"{check.name}_data"] == fresh["$defs"][f"{check.name}_data"], stale
    assert issubclass(check.model, Model), f"msdiag/capture/models.py: {check.model.__name__} must derive from Model"


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_label_in_both_languages(check: Check) -> None:
    for lang in ("en", "ja"):
        assert label(check.name, lang).strip(), f"msdiag/checks.py: {check.name} has no {lang} label"
    assert check.name not in UI_LABELS, (
        f"msdiag/formats/labels.py: the UI label {check.name!r} would hide the check's label: rename it"
    )


@pytest.mark.parametrize("path", CAPTURE_FILES, ids=lambda p: p.stem)
def test_every_fixture_capture_and_lab_host_has_every_check(path: Path) -> None:
    checks = json.loads(path.read_text(encoding="utf-8"))["checks"]
    missing = [name for name in CHECK_NAMES if name not in checks]
    assert not missing, f"{path.relative_to(REPO)} lacks {missing}: run python tools/make_captures.py"
    unknown = sorted(set(checks) - set(CHECK_NAMES))
    assert not unknown, f"{path.relative_to(REPO)} has checks not in msdiag/checks.py: {unknown}"


def test_the_reference_machine_has_every_check() -> None:
    # a check without a builder in tests/support/reference_machine.py takes its model's declared
    # example: adding a check needs no edit there
    assert list(reference.DATA_BUILDERS) == list(CHECK_NAMES)
    for name in CHECK_NAMES:
        data = reference.DATA_BUILDERS[name]()
        CHECKS_BY_NAME[name].model.model_validate(data)
    assert list(reference.reference_capture()["checks"]) == list(CHECK_NAMES)


def test_a_check_without_a_builder_takes_the_example_on_its_model() -> None:
    assert "tls" not in reference.BUILDERS
    assert reference.DATA_BUILDERS["tls"]() == reference.model_example("tls")
    with pytest.raises(LookupError, match="declares no example"):
        reference.model_example("os")  # os has a builder and no example


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_some_rule_reads_the_check(check: Check) -> None:
    readers = [rule_id for rule_id, rule in RULES.items() if check.name in rule.checks]
    assert readers, f"no rule reads the {check.name} check: add one under msdiag/diagnosis/rules/"


def test_derived_maps_follow_the_spec() -> None:
    assert dict(CHECK_DATA_MODELS) == {c.name: c.model for c in CHECKS}
    assert list(CHECKS_BY_NAME) == list(CHECK_NAMES)
    assert NAME_SOURCES == tuple(c.name for c in CHECKS if c.name_kinds)


def test_facts_shorthands_are_named_after_their_check() -> None:
    # msdiag/capture/parse.py: `facts.os` is shorthand for facts.data(OsData); a wrong pairing would
    # hand a rule another check's data
    hints = {
        name: typing.get_type_hints(prop.fget)["return"]
        for name, prop in vars(Facts).items()
        if isinstance(prop, property) and prop.fget is not None
    }
    for name, returned in hints.items():
        models = [a for a in typing.get_args(returned) if isinstance(a, type) and issubclass(a, Model)]
        for model in models:
            owner = next((c.name for c in CHECKS if c.model is model), None)
            assert owner == name, f"msdiag/capture/parse.py: Facts.{name} returns {model.__name__}, the {owner} check's"


# ---------------------------------------------------------------- per-user facts
def _resolve(model: type[BaseModel], path: str) -> bool:
    head, _, rest = path.partition(".")
    info = model.model_fields.get(head)
    if info is None:
        return False
    if not rest:
        return True
    nested = [m for m in _leaf_types(info.annotation) if isinstance(m, type) and issubclass(m, BaseModel)]
    return any(_resolve(m, rest) for m in nested)


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_per_user_paths_name_fields_of_the_model(check: Check) -> None:
    for path in check.per_user:
        assert _resolve(check.model, path), (
            f"msdiag/checks.py: {check.name}.per_user names {path!r}, which is not a field of {check.model.__name__}"
        )


# ---------------------------------------------------------------- fields that hold names carry a marker
#: parts of a field name that say it holds a name of a person or of infrastructure
NAME_WORDS = (
    "user", "account", "upn", "mail", "sid", "principal", "owner",
    "computer", "machine", "host", "domain", "workgroup", "tenant", "fqdn",
    "server", "proxy", "url", "target", "bypass", "source", "reference",
)  # fmt: skip


def _leaf_types(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return []  # a fixed vocabulary, not free text
    args = typing.get_args(annotation)
    if not args:
        return [annotation]
    if origin is typing.Annotated:
        return _leaf_types(args[0])
    return [leaf for arg in args for leaf in _leaf_types(arg)]


def _text_fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, str, list[Any]]]:
    """(dotted path, field name, its metadata) for every free-text field, nested models included."""
    out = []
    for name, info in model.model_fields.items():
        leaves = _leaf_types(info.annotation)
        if str in leaves:
            out.append((f"{prefix}{name}", name, list(info.metadata)))
        for leaf in leaves:
            if isinstance(leaf, type) and issubclass(leaf, BaseModel):
                out.extend(_text_fields(leaf, f"{prefix}{name}."))
    return out


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_fields_that_look_like_names_carry_a_marker(check: Check) -> None:
    unmarked = [
        path
        for path, name, metadata in _text_fields(check.model)
        if any(word in name.lower() for word in NAME_WORDS)
        and not any(isinstance(m, (NameMarker, NotAName)) for m in metadata)
    ]
    assert not unmarked, (
        f"msdiag/capture/models.py: {check.model.__name__} fields {unmarked} look like they hold names of people "
        "or infrastructure but carry no marker. Annotate each with one from msdiag.capture.names "
        "(Annotated[ShortText | None, PersonName] ...) so redaction masks it, or NotAName('why') if it holds none"
    )


def test_the_name_word_list_catches_what_is_marked_today() -> None:
    # every marked field today would be caught by the word list: it is not too narrow
    for check in CHECKS:
        for path, _ in marked_fields(check.model):
            field = path.rsplit(".", 1)[-1]
            assert any(word in field for word in NAME_WORDS) or field in ("value",), path


def test_a_document_for_a_check_not_in_the_spec_is_an_error_with_raw_kept() -> None:
    text = json.dumps({"check": "bogus", "schema_version": 1, "collected_utc": "x", "data": {}, "errors": []})
    name, result = parse_check_output(text)
    assert name is None and result.status is CheckStatus.ERROR and result.raw == text
    assert "'bogus' is not a known check" in (result.reason or "")
    assert all(check in (result.reason or "") for check in CHECK_NAMES)
