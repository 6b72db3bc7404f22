"""The rule registry: every rule stepgate knows, whether the engine or a checkov policy implements it."""

from __future__ import annotations

from stepgate.errors import StepgateError
from stepgate.findings import Finding
from stepgate.plan.model import Plan
from stepgate.rules import api, api_integrations, audit, iam, validity, workflow
from stepgate.rules import inputs, resource_policy
from stepgate.rules.base import Rule, RuleConfig
from stepgate.rules.suppression import SUPPRESSION_RULE

RULES: tuple[Rule, ...] = iam.RULES + validity.RULES + audit.RULES + api.RULES + api_integrations.RULES + workflow.RULES + (SUPPRESSION_RULE,) + resource_policy.RULES + inputs.RULES
_BY_ID = {rule.id: rule for rule in RULES}


def get_rule(rule_id: str) -> Rule:
    try:
        return _BY_ID[rule_id.strip().upper()]
    except KeyError:
        raise StepgateError(f"unknown rule {rule_id!r}; known rules: {', '.join(sorted(_BY_ID))}") from None


def run_engine(plan: Plan, config: RuleConfig | None = None) -> list[Finding]:
    """Findings of every engine rule (checkov policies run separately, see stepgate.checkov)."""
    config = config or RuleConfig()
    return [finding for rule in RULES for finding in rule.run(plan, config)]


__all__ = ["RULES", "Rule", "RuleConfig", "get_rule", "run_engine"]
