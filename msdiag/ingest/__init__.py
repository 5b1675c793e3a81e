"""`msdiag ingest`: what the engines that ran the checks return, turned into a fleet results file.

Intune Remediations (Graph deviceRunStates pages, the admin center's CSV export), ConfigMgr Run
Scripts (CSV or JSON) and Ansible/AWX (a folder of captures, the JSON callbacks) each have a reader
here (msdiag.ingest.readers registers them); every reader yields one :class:`DeviceResult` per row,
msdiag.ingest.decode turns its output into a capture, and msdiag.ingest.pipeline keeps the newest
result per device and writes the standard results file that `msdiag report` reads.
"""
