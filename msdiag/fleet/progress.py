"""Progress of a fleet scan on stderr: a tqdm bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from tqdm import tqdm

from msdiag.sanitize import clean_text

PLAIN_EVERY_S = 10.0


class FleetProgress:
    """Counts done / ok / failed hosts and shows them with an ETA.

    ``enabled`` None means: a bar when stderr is a terminal, plain lines when it is not;
    False shows nothing (tests, the benchmark)."""

    def __init__(self, total: int, enabled: bool | None = None, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = self.ok = self.failed = 0
        self._stream = stream or sys.stderr
        self._enabled = enabled is not False
        self._bar: tqdm[Any] | None = None
        self._started = time.monotonic()
        self._last_line = self._started
        self._plain_step = max(1, total // 20)
        if self._enabled and self._stream.isatty():
            self._bar = tqdm(total=total, file=self._stream, unit="host", dynamic_ncols=True, leave=True)

    def host_done(self, ok: bool) -> None:
        self.done += 1
        if ok:
            self.ok += 1
        else:
            self.failed += 1
        if not self._enabled:
            return
        if self._bar is not None:
            self._bar.set_postfix_str(f"ok {self.ok}, failed {self.failed}", refresh=False)
            self._bar.update(1)
            return
        now = time.monotonic()
        if (
            self.done % self._plain_step == 0
            or now - self._last_line >= PLAIN_EVERY_S
            or self.done == self.total
        ):
            self._last_line = now
            self._stream.write(f"msdiag: {self.line()}\n")
            self._stream.flush()

    def line(self) -> str:
        elapsed = time.monotonic() - self._started
        eta = ""
        if 0 < self.done < self.total:
            remaining = elapsed / self.done * (self.total - self.done)
            eta = f", about {_duration(remaining)} left"
        return f"{self.done}/{self.total} hosts done (ok {self.ok}, failed {self.failed}){eta}"

    def note(self, message: str) -> None:
        """A message that must not be garbled by the bar (cleaned: it may quote a host's error text)."""
        message = clean_text(message, newlines="keep")
        if self._bar is not None:
            self._bar.write(message, file=self._stream)
        else:
            self._stream.write(message + "\n")
            self._stream.flush()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
