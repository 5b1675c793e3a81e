"""One scanner per results file: an exclusive lock, and a small record naming who holds it.

Two ``--resume`` runs of one file at once wrote 176 lines for 100 hosts (and one could cut the
other's half-written line as a "torn tail"). The writer takes an exclusive, non-blocking lock on
the results file itself (never unlinked, so the lock cannot be lost to a rename): ``fcntl.flock``
on POSIX, ``msvcrt.locking`` on Windows. The lock goes with the process: a crashed or killed
scanner holds nothing. Beside the file, ``<results>.lock`` says who holds it (pid, machine, start
time) so the second scanner can tell the user; it is advice only, the lock is what decides.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from msdiag.errors import InputError
from msdiag.files import write_private

#: where a Windows lock sits: one byte far beyond any real file's end (a lock there blocks no
#: reader and no append, and LockFile accepts offsets past the end of the file)
_WINDOWS_LOCK_OFFSET = 2**40


def lock_record_path(results: Path) -> Path:
    return results.with_name(results.name + ".lock")


def _try_lock(handle: IO[bytes]) -> bool:
    """Take the exclusive lock without waiting; False when another process holds it."""
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows CI only
        import msvcrt

        fd = handle.fileno()
        position = os.lseek(fd, 0, os.SEEK_CUR)
        try:
            os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
        finally:
            os.lseek(fd, position, os.SEEK_SET)
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:  # a file system without locks (some network shares): say so
        raise InputError(f"cannot lock the results file {handle.name}: {exc.strerror or exc}") from None
    return True


def _unlock(handle: IO[bytes]) -> None:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        fd = handle.fileno()
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _holder(results: Path) -> str:
    """Who holds the lock, from its record (best effort: it may be gone or being rewritten)."""
    try:
        data: Any = json.loads(lock_record_path(results).read_text(encoding="utf-8")[:4096])
        pid, machine, started = int(data["pid"]), str(data["host"])[:255], str(data["started_utc"])[:40]
    except (OSError, ValueError, KeyError, TypeError):
        return "another msdiag scan"
    return f"another msdiag scan (pid {pid} on {machine}, started {started})"


@dataclass
class ResultsLock:
    """The lock on one results file while a scan writes it (see the module docstring)."""

    handle: IO[bytes]
    results: Path
    record: Path | None  # the lock record this process wrote (None: could not write it)

    @classmethod
    def take(cls, handle: IO[bytes], results: Path) -> ResultsLock:
        """Lock ``handle`` (the open results file) or raise InputError naming the holder."""
        if not _try_lock(handle):
            raise InputError(
                f"{results} is being written by {_holder(results)}; wait for it to finish (or stop "
                "it) before scanning into the same file: two scanners would record hosts twice"
            )
        path = lock_record_path(results)
        started = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        note = {"pid": os.getpid(), "host": socket.gethostname(), "started_utc": started}
        try:
            write_private(path, json.dumps(note) + "\n", "w")
        except OSError:  # the lock holds anyway; a second scanner just cannot be told who
            return cls(handle, results, None)
        return cls(handle, results, path)

    def release(self) -> None:
        if self.record is not None:
            self.record.unlink(missing_ok=True)  # before unlocking: the next holder writes its own
            self.record = None
        try:
            _unlock(self.handle)
        except (OSError, ValueError):  # closed already: closing released it
            pass
