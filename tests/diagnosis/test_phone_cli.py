"""`msdiag phone`: JSON keys, masking, --show-phone, exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from msdiag.cli import cli, main


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["phone", *args])
    return result.exit_code, result.output


def test_json_has_the_documented_keys_and_masks_the_number() -> None:
    code, out = invoke("+81 90-1234-5678", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert {"input", "valid", "e164", "region", "number_type", "findings"} <= set(data)
    assert data["valid"] is True and data["region"] == "JP" and data["number_type"] == "mobile"
    assert all({"id", "status", "title"} <= set(f) for f in data["findings"])
    assert "1234" not in out and data["input"] == "+81 **-****-5678"


def test_show_phone_prints_the_number() -> None:
    _, out = invoke("+81 90-1234-5678", "--format", "json", "--show-phone")
    data = json.loads(out)
    assert data["input"] == "+81 90-1234-5678" and data["e164"] == "+819012345678"


def test_trunk_prefix_fails_with_exit_1_and_shows_the_corrected_form() -> None:
    code, out = invoke("+81 090-1234-5678", "--lang", "ja")
    assert code == 1
    assert "+81 **-****-5678" in out and "トランク プレフィックス" in out  # the corrected form, masked
    assert "1234" not in out


@pytest.mark.parametrize("args", [("050-1234-5678", "--region", "JP"), ("03-1234-5678", "--region", "jp")])
def test_national_numbers_with_region(args: tuple[str, ...]) -> None:
    code, out = invoke(*args, "--format", "json")
    assert code == 0 and json.loads(out)["region"] == "JP"


def exit_code_of_main(*args: str) -> int:
    """Through the real entry point, which turns InputError into a message and exit 2."""
    with pytest.raises(SystemExit) as exc:
        main(["phone", *args])
    return int(exc.value.code or 0)


def test_garbage_is_exit_1_and_empty_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert invoke("hello", "--format", "json")[0] == 1
    assert exit_code_of_main("   ") == 2
    assert "no phone number given" in capsys.readouterr().err
    assert exit_code_of_main("+81 90-1234-5678", "--region", "Japan") == 2
    assert "Traceback" not in capsys.readouterr().err
