"""msdiag inside the engines an organisation already runs: Intune Remediations, ConfigMgr Run Scripts.

Those engines keep only a little of a script's output (Intune: 2,048 characters; ConfigMgr: 4 KB),
so the scripts msdiag exports for them print one *compact line* (:mod:`msdiag.engines.compact_format`,
docs/compact-format.md) that :func:`msdiag.engines.compact.expand_compact` turns back into a partial
capture: what the line does not carry is "not collected", never a pass.
"""
