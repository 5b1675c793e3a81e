"""Each check's data model, one module per check: the contract between a ps_scripts/ check and msdiag.

A field's description is its documentation: docs/capture-format.md's per-check tables are
generated from them (``python -m msdiag.capture.docs``). msdiag.capture.models re-exports every
model here, where most code imports them from. Which check a model belongs to is said once, in
the check spec (msdiag/checks.py).
"""
