"""The runner's -PacUrl parameter: validated in Python before it reaches a command line or PSRP."""

from __future__ import annotations

import pytest

from msdiag.collectors.runner_script import runner_command_arguments, runner_parameters
from msdiag.errors import InputError


def test_pac_url_is_passed_to_the_runner_as_pac_url() -> None:
    params = runner_parameters(["endpoints"], pac_url="  http://wpad.corp.example/proxy.pac ")
    assert params["PacUrl"] == "http://wpad.corp.example/proxy.pac"
    args = runner_command_arguments(params)
    assert args[-2:] == ["-PacUrl", "http://wpad.corp.example/proxy.pac"]


def test_no_pac_url_means_no_parameter() -> None:
    assert "PacUrl" not in runner_parameters(["endpoints", "proxy"])


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file://C:/Windows/proxy.pac", "http:// or https://"),
        ("ftp://wpad.corp.example/proxy.pac", "http:// or https://"),
        ("http://", "no host name"),
        ("http://taro:Sakura2026!@wpad.corp.example/proxy.pac", "user name or password"),
        ("http://wpad.corp.example/proxy.pac\r\nX-Evil: 1", "control characters"),
        ("http://wpad.corp.example:99999/proxy.pac", "not a valid PAC URL"),
        ("http://wpad.corp.example/" + "a" * 2100, "longer than"),
        ("", "empty"),
    ],
)
def test_bad_pac_urls_are_refused_with_a_message(url: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        runner_parameters(["endpoints"], pac_url=url)
