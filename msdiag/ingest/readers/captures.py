"""Full captures: a folder of them (what the Ansible playbook brings back: one file per host, named
after its inventory name), or single capture files (`msdiag scan --save-capture`, the exported
script's output).

The device is the file's name without .json (the inventory name the playbook gave it); its run
time is the file's modification time on the controller, not the capture's own ``collected_utc``:
the device's clock may be wrong, and a wrong clock is one of the faults msdiag finds.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from msdiag.capture.models import HostState
from msdiag.errors import InputError
from msdiag.ingest.readers.base import ColumnMap, Reader, Sniff, decode_bytes
from msdiag.ingest.rows import MAX_NAME, DeviceResult, Failure, Row, Where

KIND = "capture-file"
MAX_FILES = 2_000_000
MAX_DEPTH = 4  # folder/slice/host.json: AWX slices land in folders of their own
MAX_CAPTURE_BYTES = 64 * 1024 * 1024


class CaptureFiles(Reader):
    kind = KIND
    summary = "a folder of captures (one <host>.json per device, e.g. from the Ansible playbook), or capture files"

    @classmethod
    def recognises(cls, sniff: Sniff) -> bool:
        if sniff.is_dir:
            return True
        compact = sniff.head.replace(" ", "").replace("\n", "")
        return sniff.first_char == "{" and '"format":"msdiag-capture"' in compact

    def rows(self, path: Path, name: str, columns: ColumnMap) -> Iterator[Row]:
        files = capture_files(path, name) if path.is_dir() else [path]
        for number, file in enumerate(files, start=1):
            shown = name if file == path else os.path.join(name, str(file.relative_to(path)))
            yield capture_row(file, Where(shown, number))


def capture_files(folder: Path, name: str) -> list[Path]:
    """The .json files under ``folder`` (up to MAX_DEPTH levels), in a stable order."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        depth = len(Path(root).relative_to(folder).parts)
        if depth >= MAX_DEPTH:
            dirs.clear()
        dirs.sort()
        found.extend(Path(root) / f for f in sorted(files) if f.lower().endswith(".json") and not f.startswith("."))
        if len(found) > MAX_FILES:
            raise InputError(f"{name}: more than {MAX_FILES} capture files")
    if not found:
        raise InputError(f"{name}: no .json capture files in the folder")
    return found


def capture_row(file: Path, where: Where) -> Row:
    device = file.name[: -len(".json")] if file.name.lower().endswith(".json") else file.name
    result = DeviceResult(kind=KIND, where=where, device=device[:MAX_NAME])
    try:
        stat = file.stat()
        result.run_time = datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc)
        if stat.st_size > MAX_CAPTURE_BYTES:
            result.failure = Failure(HostState.BAD_OUTPUT, f"the capture is {stat.st_size} bytes; at most {MAX_CAPTURE_BYTES}")
            return result
        result.output = decode_bytes(file.read_bytes(), str(where))
    except InputError as exc:
        result.failure = Failure(HostState.BAD_OUTPUT, exc.message)
    except OSError as exc:
        result.failure = Failure(HostState.BAD_OUTPUT, f"cannot read the capture: {exc.strerror or exc}")
    return result
