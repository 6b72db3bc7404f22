"""Input the rules cannot read is never a silent pass: every policy of the plan parses.

A trust policy that is not valid JSON gives the trust rules nothing to check, so the plan would pass them;
IAM rejects the document at apply time anyway. State machine definitions that do not parse are SG-WF-001's.
"""

from __future__ import annotations

from collections.abc import Iterator

from stepgate.findings import Finding, Severity
from stepgate.plan.iam import every_policy
from stepgate.plan.model import Plan
from stepgate.rules.base import Rule, RuleConfig


def _unreadable(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    for resource, label, document in every_policy(plan):
        key = (resource.address, document.origin)
        if not document.error or key in seen:
            continue
        seen.add(key)
        yield rule.finding(resource.address, f"{document.origin} ({label}) is no policy stepgate can read: {document.error}; "
                           "no rule checks it until it parses: write it with jsonencode() or data.aws_iam_policy_document")


RULES: tuple[Rule, ...] = (
    Rule("SG-INP-001", Severity.HIGH, "stepgate can read every policy",
         "A policy that does not parse (not JSON, no Statement, a statement without Effect or Action) gives the rules "
         "nothing to judge: without this rule the plan would pass them silently. IAM rejects it at apply time.",
         "Fix the document; building it with jsonencode() or data.aws_iam_policy_document keeps it valid.",
         "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html", _unreadable),
)
