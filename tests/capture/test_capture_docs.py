"""docs/capture-format.md's per-check tables are generated from the models and kept current."""

from __future__ import annotations

import pytest

from msdiag.capture import docs
from msdiag.checks import CHECKS, Check


def test_the_generated_tables_are_current() -> None:
    text = docs.DOC_PATH.read_text(encoding="utf-8")
    assert docs.render(text) == text, (
        "docs/capture-format.md is stale: regenerate its tables with `python -m msdiag.capture.docs`"
    )


@pytest.mark.parametrize("check", CHECKS, ids=[c.name for c in CHECKS])
def test_every_field_of_every_check_is_documented_on_its_model(check: Check) -> None:
    text = docs.DOC_PATH.read_text(encoding="utf-8")
    undescribed = [path for path, _, _, description in docs._rows(check.model) if not description.strip()]
    assert not undescribed, f"{check.model.__name__}: give these fields a `#:` comment: {undescribed}"
    for path, _, _, _ in docs._rows(check.model):
        assert f"| `{path}` |" in text, path


def test_whose_column_follows_the_check_spec() -> None:
    identity = "\n".join(docs.check_table(next(c for c in CHECKS if c.name == "identity")))
    assert "| `dsregcmd.azure_ad_prt` | bool | session |" in identity  # dsregcmd's SSO state: the session's
    assert "| `dsregcmd.azure_ad_joined` | bool | machine |" in identity
    assert "| `user_name` | string (≤512) | user |" in identity
    locale = "\n".join(docs.check_table(next(c for c in CHECKS if c.name == "locale")))
    assert "| `culture` | object | user |" in locale and "| `session_culture` | object | session |" in locale


def test_a_new_field_appears_in_the_tables_without_editing_the_doc() -> None:
    from msdiag.capture.bounds import Model

    class Example(Model):
        """An example check."""

        colour: str | None = None  #: the PC's colour

    table = docs.check_table(Check("example", Example, CHECKS[0].label, summary="x", runs_on="x"))
    assert "| `colour` | string | machine | the PC's colour |" in table


def test_render_refuses_a_document_without_the_generated_block() -> None:
    with pytest.raises(ValueError, match="generated block"):
        docs.render("# no block here\n")
