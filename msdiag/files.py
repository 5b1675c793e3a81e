"""Files msdiag writes with host data: created owner-only (0600), their new folders 0700.

Fleet results files keep what was collected, unredacted by design; reports and saved captures
hold host names, user names and addresses even when redacted. On a shared machine (a jump host,
a helpdesk server) the default 0644 lets every local user read them. Every writer of host data
goes through :func:`open_private` / :func:`private_folder`, so the mode is decided here, once.
On Windows the mode bits only set read-only; the folder's ACL (the user's profile) protects them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Literal

PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700

#: "x": a new file (FileExistsError if the name is taken, never replaced, created atomically with
#: O_EXCL); "w": create or replace; "a": create or append
Mode = Literal["x", "w", "a"]

# O_BINARY (Windows only): no CRLF translation below Python's own text layer
_FLAGS = {
    "x": os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
    "w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0),
    "a": os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0),
}


def private_folder(folder: Path) -> None:
    """Create ``folder`` and any missing parents as 0700 (an existing folder is left as it is)."""
    missing = []
    current = folder
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=PRIVATE_FOLDER_MODE)
        except FileExistsError:
            if not path.is_dir():
                raise
    if not folder.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(folder))


def open_private_binary(path: Path, mode: Mode = "x") -> IO[bytes]:
    """Open ``path`` for writing bytes, created 0600 (a replaced or appended file is made 0600 too)."""
    fd = os.open(path, _FLAGS[mode], PRIVATE_FILE_MODE)
    try:
        if mode != "x" and hasattr(os, "fchmod"):
            os.fchmod(fd, PRIVATE_FILE_MODE)  # a file that existed keeps its old mode otherwise
        return os.fdopen(fd, "ab" if mode == "a" else "wb")
    except BaseException:
        os.close(fd)
        raise


def open_private(path: Path, mode: Mode = "x", *, newline: str | None = "\n") -> IO[str]:
    """Open ``path`` for writing UTF-8 text, created 0600 (see :func:`open_private_binary`)."""
    fd = os.open(path, _FLAGS[mode], PRIVATE_FILE_MODE)
    try:
        if mode != "x" and hasattr(os, "fchmod"):
            os.fchmod(fd, PRIVATE_FILE_MODE)
        return os.fdopen(fd, "a" if mode == "a" else "w", encoding="utf-8", newline=newline)
    except BaseException:
        os.close(fd)
        raise


def write_private(path: Path, text: str, mode: Mode = "x") -> None:
    """Write ``text`` to ``path`` (UTF-8, "\\n" line ends), created 0600."""
    with open_private(path, mode) as handle:
        handle.write(text)
