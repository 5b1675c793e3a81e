"""Report formats for one host's diagnosis: terminal table, JSON, self-contained HTML, redaction."""
