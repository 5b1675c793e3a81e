"""Old import path of the runner protocol, kept so importers outside the collectors keep working.

Composing the runner is :mod:`diag.collectors.runner_script`, reading its output is
:mod:`diag.collectors.runner_output`. Import from those; this module goes once nothing uses it.
"""

from __future__ import annotations

from diag.collectors.runner_output import (
    MAX_LINE_CHARS,
    MAX_LINES,
    MAX_STRAY,
    NOT_REPORTED,
    STRAY_CHARS,
    RunnerOutput,
    parse_runner_output,
)
from diag.collectors.runner_script import (
    CHECKS_MARKER,
    HELPER_LOADER,
    HELPERS_MARKER,
    MAX_ENDPOINT_HOSTS,
    MAX_ENDPOINT_TIMEOUT_MS,
    MAX_PAC_URL_CHARS,
    MIN_ENDPOINT_TIMEOUT_MS,
    MODE_LINE,
    PROTOCOL_VERSION,
    RUNNER_SCRIPT,
    USAGE_MARKER,
    VERSION_LINE,
    build_check_script,
    build_runner,
    helper_files,
    identify_check_script,
    runner_command_arguments,
    runner_parameters,
    validate_pac_url,
)

__all__ = [
    "CHECKS_MARKER",
    "HELPERS_MARKER",
    "HELPER_LOADER",
    "MAX_ENDPOINT_HOSTS",
    "MAX_ENDPOINT_TIMEOUT_MS",
    "MAX_LINES",
    "MAX_LINE_CHARS",
    "MAX_PAC_URL_CHARS",
    "MAX_STRAY",
    "MIN_ENDPOINT_TIMEOUT_MS",
    "MODE_LINE",
    "NOT_REPORTED",
    "PROTOCOL_VERSION",
    "RUNNER_SCRIPT",
    "STRAY_CHARS",
    "USAGE_MARKER",
    "VERSION_LINE",
    "RunnerOutput",
    "build_check_script",
    "build_runner",
    "helper_files",
    "identify_check_script",
    "parse_runner_output",
    "runner_command_arguments",
    "runner_parameters",
    "validate_pac_url",
]
