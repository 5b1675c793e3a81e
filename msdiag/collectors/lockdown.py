"""Locked-down and defended hosts: what the runner met, as one host status that says what to do.

Three defences stop msdiag's scripts on purpose, and each is reported as what it is rather than as a
script error; msdiag never tries to get around any of them:

* Constrained Language Mode: under a Windows Defender Application Control (WDAC) or AppLocker
  policy, PowerShell runs scripts the policy does not trust in ConstrainedLanguage mode
  (about_Language_Modes). The runner reports its language mode first and then runs nothing.
* An execution policy set by Group Policy overrides ``-ExecutionPolicy Bypass``
  (about_Execution_Policies: "it doesn't take precedence over the execution policy set by using a
  Group Policy"), so PowerShell refuses the local runner's file before it starts.
* Antivirus software through AMSI: PowerShell scans every script block when it compiles it and
  raises the parse error ``ScriptContainedMaliciousContent`` for one the antivirus objects to. The
  runner compiles each check separately, so only the blocked check is lost (check status
  ``blocked``); if the runner itself is refused, nothing runs.

Host text is untrusted: only fixed sentences and bounded, sanitised excerpts reach a status.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from msdiag.capture.models import CheckStatus, HostState, HostStatus
from msdiag.collectors.runner_output import RunnerOutput, restricted_language_mode
from msdiag.sanitize import clip

#: How much of PowerShell's own message a status quotes (its first line: the sentence).
QUOTE_CHARS = 600

# The error id is not localised; the sentence is (English and Japanese as PowerShell prints them).
_AMSI = re.compile(
    r"ScriptContainedMaliciousContent"
    r"|has been blocked by your antivirus software"
    r"|ウイルス対策ソフトウェアによりブロックされています",
    re.IGNORECASE,
)
# PowerShell's refusal to load a script file: PSSecurityException / UnauthorizedAccess, and the
# help topic its message names in every language.
_EXECUTION_POLICY = re.compile(
    r"PSSecurityException|FullyQualifiedErrorId\s*:\s*UnauthorizedAccess\b|about_Execution_Policies",
    re.IGNORECASE,
)

EXPORT_AND_SIGN = (
    "Export the script (msdiag export-script -o msdiag-collect.ps1) and have it signed with the "
    "organisation's code-signing certificate (Set-AuthenticodeSignature -FilePath msdiag-collect.ps1 "
    "-Certificate <code-signing certificate>; pass settings as arguments, since any change to a signed "
    "file breaks the signature) or allowed by the organisation's policy; run it on the host and read "
    "its output with msdiag diagnose capture.json."
)


#: What to do about an AMSI detection: never switch the antivirus off.
ANTIVIRUS_HINT = (
    "msdiag's checks only read settings. Do not turn the antivirus off: ask the security team to look "
    "at the detection in the antivirus log and, if they agree it is a false positive, to allow "
    "msdiag's scripts by their policy."
)


def _quote(text: str) -> str:
    """The first line of PowerShell's message, bounded and safe to print."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return clip(first, QUOTE_CHARS)


def constrained_language_status(mode: str) -> HostStatus:
    return HostStatus(
        state=HostState.CONSTRAINED_LANGUAGE,
        detail=(
            f"PowerShell on this host runs msdiag's runner in {mode} mode, which an application control "
            "policy (Windows Defender Application Control or AppLocker) enforces for scripts it does "
            "not trust. The checks need FullLanguage, so none was run."
        ),
        hint=(
            "Do not turn the policy off. Ask whoever manages WDAC/AppLocker to sign or allow msdiag's "
            "exported script (msdiag export-script), which then runs in FullLanguage; run it on the "
            "host (for example from Intune or ConfigMgr) and read its output with msdiag diagnose "
            "capture.json."
        ),
    )


def blocked_checks_status(blocked: Sequence[str], total: int) -> HostStatus:
    return HostStatus(
        state=HostState.BLOCKED_BY_ANTIVIRUS,
        detail=(
            f"Antivirus software blocked {len(blocked)} of {total} checks through AMSI before they ran "
            f"({', '.join(blocked)}): 'This script contains malicious content and has been blocked by "
            "your antivirus software.' The other checks ran and are in the report."
        ),
        hint=f"{ANTIVIRUS_HINT} Findings that need a blocked check are shown as not checked.",
    )


def runner_blocked_status(excerpt: str) -> HostStatus:
    return HostStatus(
        state=HostState.BLOCKED_BY_ANTIVIRUS,
        detail=(
            "Antivirus software blocked msdiag's runner script through AMSI before any of it ran; no "
            f"check was run. PowerShell said: {_quote(excerpt)}"
        ),
        hint=ANTIVIRUS_HINT,
    )


def execution_policy_status(stderr: str) -> HostStatus:
    return HostStatus(
        state=HostState.EXECUTION_POLICY,
        detail=(
            "PowerShell refused to run msdiag's runner script: an execution policy set by Group Policy "
            "(for example AllSigned, 'Allow only signed scripts') overrides -ExecutionPolicy Bypass. "
            f"PowerShell said: {_quote(stderr)}"
        ),
        hint=f"msdiag does not work around the policy. {EXPORT_AND_SIGN}",
    )


def lockdown_status(output: RunnerOutput, checks: Sequence[str]) -> HostStatus | None:
    """The status of a runner that reported a language mode it cannot run in, or blocked checks."""
    mode = restricted_language_mode(output)
    if mode is not None:
        return constrained_language_status(mode)
    blocked = [name for name in checks if output.results[name].status is CheckStatus.BLOCKED]
    if blocked:
        return blocked_checks_status(blocked, len(checks))
    return None


def refused_runner_status(texts: Iterable[str], *, local: bool) -> HostStatus | None:
    """PowerShell's error when it refused the whole runner (stderr, or a pipeline's error records):
    AMSI, or (local scans: a script file) the execution policy. None for any other error."""
    joined = "\n".join(texts)
    amsi = _AMSI.search(joined)
    if amsi is not None:
        # quote the line that says it (PowerShell prints the script's first line before it)
        end = joined.find("\n", amsi.end())
        return runner_blocked_status(
            joined[joined.rfind("\n", 0, amsi.start()) + 1 : None if end < 0 else end]
        )
    if local and _EXECUTION_POLICY.search(joined):
        return execution_policy_status(joined)
    return None
