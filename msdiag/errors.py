"""Exit codes and the one exception type the CLI turns into a clear message."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes; scripts and schedulers rely on them (README, `msdiag --help`)."""

    OK = 0  # nothing failed
    FINDINGS_FAILED = 1  # at least one finding has status fail
    USAGE = 2  # usage or input error
    COLLECTION_FAILED = 3  # no PowerShell, or no check produced data
    HOSTS_UNSCANNED = 4  # fleet scan: some hosts could not be scanned


class MsdiagError(Exception):
    """An error the user can act on: printed as a message (never a traceback) with its exit code."""

    def __init__(self, message: str, exit_code: ExitCode = ExitCode.USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class InputError(MsdiagError):
    """Bad input from the user: a file, an option value, a code that cannot be parsed."""

    def __init__(self, message: str) -> None:
        super().__init__(message, ExitCode.USAGE)


class CollectionError(MsdiagError):
    """Nothing could be collected: no PowerShell, or no check produced data."""

    def __init__(self, message: str) -> None:
        super().__init__(message, ExitCode.COLLECTION_FAILED)
