"""What a rule is: metadata a reviewer reads (`stepgate explain`) plus, for engine rules, a check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from stepgate.findings import Finding, Severity
from stepgate.plan.model import Plan

# Actions AWS only grants on Resource "*": the log-delivery calls Step Functions makes to configure
# logging, and the X-Ray calls of tracing. Anything else on "*" is a finding.
STAR_ONLY_ACTIONS: tuple[str, ...] = (
    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
    "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
)


@dataclass(frozen=True)
class RuleConfig:
    """Tunables from the config file; defaults are the stepgate policy."""

    min_retention_days: int = 365
    extra_star_actions: tuple[str, ...] = ()

    @property
    def star_actions(self) -> tuple[str, ...]:
        return STAR_ONLY_ACTIONS + self.extra_star_actions


Check = Callable[["Rule", Plan, RuleConfig], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    rationale: str
    fix: str
    link: str
    check: Check | None = field(default=None, compare=False)
    # rules checkov can express live in policies/ (run through checkov); the engine only knows their text
    policy: str | None = None

    @property
    def family(self) -> str:
        return self.id.split("-")[1].lower()

    @property
    def implemented_by(self) -> str:
        return f"checkov policy {self.policy}" if self.policy else "stepgate engine"

    def finding(self, address: str, message: str) -> Finding:
        return Finding(self.id, self.severity, self.title, address, message)

    def unevaluated(self, address: str, why: str) -> Finding:
        """The rule could not be evaluated on this resource (a value only known after apply). Reported at
        INFO, below the default threshold, so that a check that did not run is never taken for a pass."""
        return Finding(self.id, Severity.INFO, self.title, address, f"not evaluated: {why}")

    def run(self, plan: Plan, config: RuleConfig) -> list[Finding]:
        return list(self.check(self, plan, config)) if self.check else []
