"""What a rule is: metadata a reviewer reads (`stepgate explain`) plus the one function that checks it.

A rule checks either the whole plan (`check`: rules that link resources, such as a role and the state
machines that use it) or one resource at a time (`evaluate` over `resource_types`). Single-resource rules
are the ones checkov can host: `stepgate.policies` wraps each of them in a checkov check class that calls
the same `evaluate`, so checkov users run exactly the engine's code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from stepgate.findings import Finding, Severity
from stepgate.plan.model import Plan, Resource
from stepgate.sfn import LOG_DELIVERY_ACTIONS, XRAY_ACTIONS

# Actions AWS only grants on Resource "*": the log-delivery calls Step Functions makes to configure
# logging, and the X-Ray calls of tracing. Anything else on "*" is a finding.
STAR_ONLY_ACTIONS: tuple[str, ...] = LOG_DELIVERY_ACTIONS + XRAY_ACTIONS


# NamedTuples, not frozen dataclasses: as immutable, cheaper to import and to make (see stepgate.plan.iamref)
class RuleConfig(NamedTuple):
    """Tunables from the config file; defaults are the stepgate policy."""

    min_retention_days: int = 365
    extra_star_actions: tuple[str, ...] = ()

    @property
    def star_actions(self) -> tuple[str, ...]:
        return STAR_ONLY_ACTIONS + self.extra_star_actions


class Unevaluated(NamedTuple):
    """A single-resource verdict: the value the rule needs is only known after apply."""

    why: str
    attribute: str = ""  # the resource attribute that is unknown, when the plan can say what it is built from


Verdict = str | Unevaluated  # a problem message, or why the rule could not decide
Check = Callable[["Rule", Plan, RuleConfig], Iterable[Finding]]
Evaluate = Callable[[Resource], Iterable[Verdict]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: str
    rationale: str
    fix: str
    link: str
    check: Check | None = field(default=None, compare=False)
    # single-resource rules: the resource types they read and the function that judges one of them
    resource_types: tuple[str, ...] = ()
    evaluate: Evaluate | None = field(default=None, compare=False)
    # what this rule adds where checkov has a built-in check of the same concern (`stepgate explain`)
    overlaps: str = ""

    @property
    def implemented_by(self) -> str:
        if self.evaluate is not None:
            return "stepgate engine, single resource (also a checkov policy)"
        return "stepgate engine" if self.check is not None else "stepgate (applied by the suppression logic)"

    def finding(self, address: str, message: str) -> Finding:
        return Finding(self.id, self.severity, self.title, address, message)

    def unevaluated(self, address: str, why: str) -> Finding:
        """The rule could not be evaluated on this resource (a value only known after apply). Reported at
        INFO, below the default threshold, so that a check that did not run is never taken for a pass."""
        return Finding(self.id, Severity.INFO, self.title, address, f"not evaluated: {why}")

    def not_evaluated(self, plan: Plan, resource: Resource, verdict: Unevaluated) -> Finding:
        """`unevaluated` for a verdict, naming what the plan says its attribute is built from."""
        built_from = plan.describe_unknown(resource, verdict.attribute) if verdict.attribute else ""
        return self.unevaluated(resource.address, verdict.why + built_from)

    def run(self, plan: Plan, config: RuleConfig) -> list[Finding]:
        if self.evaluate is not None:
            return [self._verdict_finding(plan, resource, verdict)
                    for resource in plan.of_type(*self.resource_types) for verdict in self.evaluate(resource)]
        return list(self.check(self, plan, config)) if self.check else []

    def _verdict_finding(self, plan: Plan, resource: Resource, verdict: Verdict) -> Finding:
        if isinstance(verdict, Unevaluated):
            return self.not_evaluated(plan, resource, verdict)
        return self.finding(resource.address, verdict)
