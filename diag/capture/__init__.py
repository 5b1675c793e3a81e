"""The capture: what one scan collected from one host, and how untrusted check output is parsed.

- diag.capture.models: each check's data model (and, re-exported, the two modules below);
- diag.capture.bounds: bounded strings and lists, the strict base model;
- diag.capture.envelope: the capture envelope and the check document;
- diag.capture.names: the markers on fields that name people or infrastructure;
- diag.capture.parse: validating check output against the check spec, and typed ``Facts``;
- diag.capture.schema: the JSON Schema generated from the models and the spec.

Import from those modules. This package imports nothing itself, so the check spec
(diag.checks, which imports the models) and the parser (which imports the spec) form no cycle.
"""
