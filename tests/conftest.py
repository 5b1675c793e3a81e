"""Test-session set-up shared by every test module."""

from __future__ import annotations

import signal

# Several tests press Ctrl-C (SIGINT) on a scan or on `msdiag lab serve`, as a user at a terminal
# would. A test run started in the background of a non-interactive shell (`cmd &`, nohup) inherits
# SIGINT as ignored, and Python then never turns it into KeyboardInterrupt, in this process or in
# the subprocesses it starts. Restore what a terminal gives, so those tests check msdiag and not
# how the test run was launched.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
