"""Default output language from MSDIAG_LANG / the POSIX locale variables."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from msdiag.i18n import LANG_OPTION, default_lang


@pytest.mark.parametrize(
    ("env", "lang"),
    [
        ({}, "en"),
        ({"LANG": "ja_JP.UTF-8"}, "ja"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LC_MESSAGES": "ja_JP.eucJP", "LANG": "en_US.UTF-8"}, "ja"),
        ({"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}, "en"),  # LC_ALL wins over LANG
        ({"LC_ALL": "", "LANG": "ja_JP.UTF-8"}, "ja"),  # empty variables are ignored
        ({"MSDIAG_LANG": "ja", "LC_ALL": "en_US.UTF-8"}, "ja"),
        ({"MSDIAG_LANG": "en", "LANG": "ja_JP.UTF-8"}, "en"),
        ({"MSDIAG_LANG": "JA"}, "ja"),
    ],
)
def test_default_lang_from_environment(env: dict[str, str], lang: str) -> None:
    assert default_lang(env) == lang


def _command() -> click.Command:
    @click.command()
    @LANG_OPTION
    def show(lang: str) -> None:
        click.echo(lang)

    return show


def test_lang_option_defaults_to_the_environment_at_run_time() -> None:
    runner = CliRunner()
    result = runner.invoke(_command(), [], env={"MSDIAG_LANG": "ja", "LC_ALL": None, "LANG": "en_US"})
    assert result.output.strip() == "ja"
    result = runner.invoke(_command(), ["--lang", "en"], env={"MSDIAG_LANG": "ja"})
    assert result.output.strip() == "en"


def test_lang_option_rejects_other_languages() -> None:
    result = CliRunner().invoke(_command(), ["--lang", "fr"])
    assert result.exit_code == 2
    assert "'fr' is not one of 'en', 'ja'" in result.output
