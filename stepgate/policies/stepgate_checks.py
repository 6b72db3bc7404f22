"""checkov external checks: one per single-resource stepgate rule, each calling that rule's `evaluate`.

Loaded by checkov from `stepgate policies-dir` (or by `stepgate check --with-checkov`); never imported by
stepgate itself, because instantiating a check registers it in checkov's global registry.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from stepgate.policies import resource_from_conf
from stepgate.rules import RULES, Rule
from stepgate.rules.base import Unevaluated

_CATEGORIES = {"IAM": CheckCategories.IAM, "AUD": CheckCategories.LOGGING, "API": CheckCategories.GENERAL_SECURITY}


class StepgateRuleCheck(BaseResourceCheck):  # type: ignore[misc]  # checkov ships no type information
    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        super().__init__(name=rule.title, id=rule.id, categories=[_CATEGORIES[rule.id.split("-")[1]]],
                         supported_resources=list(rule.resource_types))

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        assert self.rule.evaluate is not None
        verdicts = list(self.rule.evaluate(resource_from_conf(self.entity_type, conf)))
        problems = [v for v in verdicts if not isinstance(v, Unevaluated)]
        self.details.extend(problems)
        if problems:
            return CheckResult.FAILED
        return CheckResult.UNKNOWN if verdicts else CheckResult.PASSED


CHECKS = [StepgateRuleCheck(rule) for rule in RULES if rule.evaluate is not None]
