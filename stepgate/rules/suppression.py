"""The rule about suppressions themselves; stepgate.suppress applies it."""

from __future__ import annotations

from stepgate.findings import Severity
from stepgate.rules.base import Rule

SUPPRESSION_RULE = Rule(
    "SG-SUP-001", Severity.MEDIUM, "Every suppression gives a reason",
    "A suppression is a decision someone must be able to review later; without a reason it is "
    "indistinguishable from silencing a finding to get a green build.",
    "Write the reason after the rule id: `# stepgate:ignore SG-API-001 public health check, no data` or "
    "`#checkov:skip=CKV_AWS_120:responses must never be cached`, or set `reason:` in the config file. Until "
    "then the suppression is ignored.",
    "stepgate/suppress.py (module documentation: inline comment and config file syntax)",
)
