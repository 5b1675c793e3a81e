"""Fleet report formats: table, JSON, CSV, HTML (each registers itself; see msdiag.formats.catalog)."""
