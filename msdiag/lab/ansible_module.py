"""What a lab host answers Ansible's PowerShell module wrapper: win_powershell running msdiag's collector.

Ansible's psrp connection runs a Windows module as ONE pipeline: the script is ansible-core's
``bootstrap_wrapper.ps1`` and the pipeline input is its manifest (``module_manifest.py``): a line
of JSON for the exec wrapper, a line of four NUL characters, then a line of JSON with the scripts
(base64) and the actions to run, the last one ``module_wrapper.ps1`` with the module's name and
its arguments (the ``complex_args`` variable). The module prints its result as one JSON string.

The lab runs no PowerShell, so it answers only what it can answer truthfully from a host's
capture: ``ansible.windows.win_powershell`` whose ``script`` is exactly msdiag's exported
collector (``msdiag export-script``). It then returns what that module returns on the captured
machine (ansible.windows 3.x ``win_powershell.ps1``): the collector's one capture document in
``output``, ``changed`` true (the module's default: the playbook says changed_when false), check
mode skipped as the module skips a script without ``SupportsShouldProcess``, and the host's faults
as the module reports a terminating error (``failed``, the ErrorRecord in ``error``). Any other
module or script gets a failed result that says why, never a made-up success.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from msdiag import __version__
from msdiag.capture.models import Capture, CheckStatus
from msdiag.checks import CHECK_NAMES
from msdiag.collectors.runner_script import build_runner
from msdiag.lab.config import LabHost

#: A line only ansible-core's bootstrap_wrapper.ps1 holds (ansible/executor/powershell/).
BOOTSTRAP_MARKER = "# First input is a JSON string with name/script/params of what to run."
#: What separates the bootstrap manifest from the exec manifest in the pipeline input.
MANIFEST_SEPARATOR = "\0\0\0\0"
MODULE = "ansible.windows.win_powershell"
#: How module_wrapper.ps1's ``Script`` names it (ansible-core 2.19 uses the collection's Python path).
MODULE_SCRIPTS = (f"{MODULE}.ps1", "ansible_collections.ansible.windows.plugins.modules.win_powershell.ps1")
#: The collector's parameters (ps_scripts/Invoke-MsdiagRunner.ps1 param block), lower case.
COLLECTOR_PARAMETERS = ("checks", "endpointhosts", "endpointtimeoutms", "pacurl", "sources", "sourcepath")
#: win_powershell.ps1's test for a script that supports check mode (its fallback regex).
_SHOULD_PROCESS = re.compile(
    r"\[CmdletBinding\((?:[\w=\$]+,\s*)?SupportsShouldProcess(?:=\$true)?(?:,\s*[\w=\$]+)?\)\]"
)


def is_module_wrapper(commands: list[tuple[str, bool, list[tuple[str | None, Any]]]]) -> bool:
    """Whether a pipeline is Ansible's bootstrap wrapper (one script, no parameters)."""
    return len(commands) == 1 and commands[0][1] and BOOTSTRAP_MARKER in commands[0][0]


def module_call(piped: tuple[str, ...]) -> tuple[str, dict[str, Any]] | None:
    """(module script name, module arguments) from the wrapper's input; None when it is not that."""
    try:
        end = piped.index(MANIFEST_SEPARATOR)
        manifest = json.loads("\n".join(piped[end + 1 :]))
        action = manifest["actions"][-1]
        params = action["params"]
        arguments = next(v["Value"] for v in params["Variables"] if v.get("Name") == "complex_args")
    except (ValueError, KeyError, IndexError, TypeError, StopIteration, RecursionError):
        return None
    if action.get("name") != "module_wrapper.ps1" or not isinstance(arguments, dict):
        return None
    return str(params.get("Script") or ""), arguments


def _normalised(script: str) -> str:
    return script.lstrip("\ufeff").replace("\r\n", "\n").strip()


@functools.cache
def _collector_text() -> str:
    return _normalised(build_runner(CHECK_NAMES, mode="capture"))


def _base_result(arguments: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in arguments.items() if not k.startswith("_ansible_")}
    return {
        "changed": True,
        "invocation": {"module_args": shown},
        "result": {},
        "host_out": "",
        "host_err": "",
        "output": [],
        "error": [],
        "warning": [],
        "verbose": [],
        "debug": [],
        "information": [],
    }


def _failed(arguments: dict[str, Any], message: str, error_id: str = "RuntimeException") -> dict[str, Any]:
    """The result of a script that ended with a terminating error (win_powershell's catch)."""
    result = _base_result(arguments)
    result["failed"] = True
    result["error"] = [
        {
            "output": f"{message}\r\n",
            "error_details": None,
            "exception": {"message": message, "type": "System.Management.Automation.RuntimeException"},
            "target_object": None,
            "category_info": {
                "category": "OperationStopped",
                "category_id": 14,
                "reason": "RuntimeException",
            },
            "fully_qualified_error_id": error_id,
            "script_stack_trace": "",
        }
    ]
    return result


def _not_answered(why: str) -> dict[str, Any]:
    return {"failed": True, "changed": False, "msg": f"the msdiag lab runs no PowerShell: {why}"}


def capture_document(
    capture: Capture, checks: list[str], language_mode: str = "FullLanguage"
) -> dict[str, Any]:
    """The one JSON document the exported collector prints (its capture mode) on the captured machine."""
    powershell = capture.powershell
    document: dict[str, Any] = {
        "format": "msdiag-capture",
        "schema_version": 1,
        "msdiag_version": __version__,
        "host": capture.host,
        "mode": "exported-script",
        "collected_utc": capture.collected_utc,
        "powershell": {"edition": powershell.edition, "version": powershell.version} if powershell else None,
    }
    if language_mode != "FullLanguage":
        reason = f"not run: PowerShell ran this script in {language_mode} mode"
        document["host_status"] = {
            "state": "constrained_language",
            "detail": f"PowerShell ran this script in {language_mode} mode (an application control policy "
            "such as WDAC or AppLocker); the checks need FullLanguage and none was run.",
            "hint": "Ask whoever manages the WDAC or AppLocker policy to sign or allow this script, then run it again.",
        }
        document["checks"] = {name: {"status": "not_run", "reason": reason} for name in checks}
        return document
    document["duration_ms"] = capture.duration_ms or 0
    document["host_status"] = {"state": "ok"}
    outcomes: dict[str, Any] = {}
    for name in checks:
        result = capture.checks.get(name)
        if result is None or result.status is CheckStatus.NOT_RUN:
            continue
        if result.status is CheckStatus.OK and result.document is not None:
            outcomes[name] = {"status": "ok", "document": result.document}
        elif result.status is CheckStatus.BLOCKED:
            outcomes[name] = {
                "status": "blocked",
                "reason": result.reason or "blocked by antivirus software (AMSI)",
            }
        else:
            outcomes[name] = {
                "status": "error",
                "reason": result.reason or "the check did not print one JSON document",
            }
    document["checks"] = outcomes
    return document


def _requested(parameters: dict[str, Any]) -> list[str] | str:
    """The checks the collector runs for win_powershell's ``parameters``, or the error PowerShell gives."""
    for key in parameters:
        if str(key).lower() not in COLLECTOR_PARAMETERS:
            return f"A parameter cannot be found that matches parameter name '{key}'."
    given = next((v for k, v in parameters.items() if str(k).lower() == "checks"), None)
    if not given:
        return list(CHECK_NAMES)
    items = [given] if isinstance(given, str) else given if isinstance(given, list) else [given]
    names = {part.strip().lower() for item in items for part in str(item).split(",") if part.strip()}
    # the collector runs the embedded checks it is asked for (unknown names: none of them)
    return [name for name in CHECK_NAMES if name in names]


def module_result(host: LabHost, module: str, arguments: dict[str, Any], amsi_message: str) -> dict[str, Any]:
    """win_powershell's result on the captured machine, with the host's faults applied (``amsi_message``:
    what PowerShell says for a script AMSI refuses)."""
    if module not in MODULE_SCRIPTS:
        return _not_answered(
            f"it answers only {MODULE} running msdiag's exported collector, not {module or 'this'}"
        )
    script = arguments.get("script")
    if not isinstance(script, str) or _normalised(script) != _collector_text():
        return _not_answered(
            "it answers only msdiag's exported collector of this msdiag version "
            f"({__version__}) as the script (make it with `msdiag export-script`)"
        )
    result = _base_result(arguments)
    if arguments.get("_ansible_check_mode") and not _SHOULD_PROCESS.search(script):
        result["msg"] = "skipped, running in check mode"
        return result
    parameters = arguments.get("parameters") or {}
    checks = _requested(parameters if isinstance(parameters, dict) else {})
    if isinstance(checks, str):
        return _failed(arguments, checks, "NamedParameterNotFound")
    faults = host.faults
    if faults.amsi_blocks:
        # the checks are part of the exported script's own text: AMSI refuses the whole script
        return _failed(arguments, amsi_message, "ScriptContainedMaliciousContent")
    if faults.script_error is not None or faults.stop_during is not None:
        return _failed(arguments, faults.script_error or "The pipeline has been stopped.")
    language = "ConstrainedLanguage" if faults.constrained_language else "FullLanguage"
    text = json.dumps(
        capture_document(host.capture, checks, language), ensure_ascii=False, separators=(",", ":")
    )
    result["output"] = [text[: max(1, len(text) // 2)] if faults.malformed_output else text]
    return result


def answer_module(host: LabHost, piped: tuple[str, ...], amsi_message: str) -> list[str]:
    """The pipeline output (one JSON string) for the module wrapper's input."""
    call = module_call(piped)
    if call is None:
        return [json.dumps(_not_answered("the module wrapper's input is not an Ansible exec manifest"))]
    module, arguments = call
    return [json.dumps(module_result(host, module, arguments, amsi_message), ensure_ascii=False)]
