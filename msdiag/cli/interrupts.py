"""SIGTERM and SIGHUP end a scan like Ctrl-C does: cleanup first, a second interrupt skips it.

A service manager stops msdiag with SIGTERM, a closed terminal sends SIGHUP; by default Python
dies on both at once, leaving the remote shell open on the host. Inside :func:`interrupts_like_ctrl_c`
both raise KeyboardInterrupt, so the collectors' own Ctrl-C handling (close the shell, stop the
PowerShell child) runs for all three. The first interrupt can print what happens next; the
message is written with ``os.write`` because a signal handler may run in the middle of another
write to stderr.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType

#: The signals that end a scan like Ctrl-C (SIGHUP does not exist on Windows).
SIGNALS = tuple(s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None)


@contextlib.contextmanager
def interrupts_like_ctrl_c(
    first_message: str | None = None, on_second: Callable[[], object] | None = None
) -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP raise KeyboardInterrupt for the duration of the block.

    ``first_message`` (a line for stderr) is printed at the first of them; ``on_second`` runs at
    the second, before its KeyboardInterrupt (e.g. cut every remote exchange short). A signal the process
    ignores (``nohup``, a background job) stays ignored. Only the main thread can receive signals;
    elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = 0

    def interrupted(signum: int, frame: FrameType | None) -> None:
        nonlocal received
        received += 1
        if received == 1 and first_message:
            with contextlib.suppress(OSError):
                os.write(2, (first_message.rstrip("\n") + "\n").encode("utf-8", "replace"))
        if received == 2 and on_second is not None:
            on_second()
        raise KeyboardInterrupt

    previous = {}
    for number in SIGNALS:
        if signal.getsignal(number) is signal.SIG_IGN:
            continue  # ignored on purpose (nohup, a background job): keep it so
        with contextlib.suppress(OSError, ValueError):
            previous[number] = signal.signal(number, interrupted)
    try:
        yield
    finally:
        for number, handler in previous.items():
            with contextlib.suppress(OSError, ValueError, TypeError):
                signal.signal(number, handler)
