"""Report formats: each turns a redacted report into text (msdiag.formats.interface); the CLI routes it.

Single-host formats (table, json, html) live here, fleet formats in msdiag.formats.fleet; the
registries of both are complete once msdiag.formats.catalog is imported.
"""
