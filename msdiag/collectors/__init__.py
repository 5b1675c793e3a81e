"""The collector stage: how msdiag gets a capture of a host.

- :mod:`.interface`: the :class:`~msdiag.collectors.interface.Collector` protocol and
  ``assemble_capture`` (every known check in the capture; none that did not run is ``ok``)
- :mod:`.local`: ``LocalCollector``, this machine through one PowerShell process
- :mod:`.remote`: ``RemoteCollector`` / ``collect_remote``, one host over WinRM/PSRP
- :mod:`.capture_file`: ``CaptureFile`` / ``load_capture``, a saved capture or runner transcript
- :mod:`.runner_script` / :mod:`.runner_output`: the runner protocol (compose the one-process
  runner script; parse what it prints)
- :mod:`.credentials`: credentials for remote scans, never from argv
"""
