"""Fleet report formats: table, JSON, CSV, HTML (each registers itself; see diag.formats.catalog)."""
