"""Report formats: each turns a redacted report into text (diag.formats.interface); the CLI routes it.

Single-host formats (table, json, html) live here, fleet formats in diag.formats.fleet; the
registries of both are complete once diag.formats.catalog is imported.
"""
