"""The capture: what one scan collected from one host, and how untrusted check output is parsed.

- msdiag.capture.models: each check's data model (and, re-exported, the two modules below);
- msdiag.capture.bounds: bounded strings and lists, the strict base model;
- msdiag.capture.envelope: the capture envelope and the check document;
- msdiag.capture.names: the markers on fields that name people or infrastructure;
- msdiag.capture.parse: validating check output against the check spec, and typed ``Facts``;
- msdiag.capture.schema: the JSON Schema generated from the models and the spec.

Import from those modules. This package imports nothing itself, so the check spec
(msdiag.checks, which imports the models) and the parser (which imports the spec) form no cycle.
"""
