"""The input forms `msdiag ingest` reads: each module registers its readers in ``READERS``.

Order matters only for recognising a file: more specific forms are asked first (a Graph page
before ConfigMgr's JSON, the JSON Lines callback before the whole-document one).
"""

from __future__ import annotations

from pathlib import Path

from msdiag.errors import InputError
from msdiag.ingest.readers import ansible, captures, graph, tables
from msdiag.ingest.readers.base import READERS, ColumnMap, Reader, Sniff, head_text

__all__ = ["READERS", "ColumnMap", "Reader", "reader_for"]

_ASKED = (
    captures.CaptureFiles,
    ansible.AnsibleJsonl,
    ansible.AnsibleJson,
    graph.GraphPages,
    tables.ConfigMgrJson,
    tables.IntuneCsv,
    tables.ConfigMgrCsv,
)


def reader_for(path: Path, kind: str | None = None) -> Reader:
    """The reader of ``path``: the one ``kind`` names, else the first that recognises it."""
    if kind is not None and kind != "auto":
        return READERS[kind]()
    if path.is_dir():
        return captures.CaptureFiles()
    if not path.is_file():
        raise InputError(f"{path}: no such file or folder")
    sniff = Sniff(path=path, head=head_text(path))
    first = sniff.head.lstrip("\ufeff \t\r\n").split("\n", 1)[0]
    if '"record_version"' in first and '"target"' in first:
        raise InputError(f"{path} is an msdiag results file already: `msdiag report {path}` reads it")
    for reader in _ASKED:
        if reader.recognises(sniff):
            return reader()
    forms = ", ".join(sorted(READERS))
    raise InputError(f"{path}: not an input msdiag ingest recognises ({forms}); name its form with --source")
