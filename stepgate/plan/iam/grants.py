"""Grants against needs: which granted (action, resource) pairs no need justifies, and which needs no grant
covers, honouring Deny, NotAction/NotResource and the conditions a need carries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from stepgate.plan.iam.arns import (
    split_arn,
    arn_overlaps,
    arn_within,
    describe,
    expand_action,
    glob_within,
    is_unresolved,
)
from stepgate.plan.iam.documents import Condition, Statement


# --- grants against needs --------------------------------------------------------------------------


class Need(NamedTuple):
    """What a workflow or a route needs: an action on a resource ARN (pattern, `*`: decided at run time),
    with the conditions a least-privilege grant carries (the call works without them)."""

    action: str
    resource: str
    conditions: tuple[Condition, ...] = ()
    why: str = ""  # the state, route or feature that needs it


class Excess(NamedTuple):
    """A grant no need accounts for."""

    statement: Statement
    pattern: str  # the action as the statement writes it
    action: str  # the action granted ("" for a NotAction statement)
    resource: str  # the resource as granted
    kind: str  # "notaction", "action" (no need has the action), "resource" (none on this resource), "condition"
    missing: tuple[Condition, ...] = ()  # for "condition": what the needs carry that the grant lacks

    @property
    def where(self) -> str:
        if self.statement.not_resources and self.resource == "*":
            return "every resource but " + ", ".join(describe(r) for r in self.statement.not_resources)
        return describe(self.resource)

    @property
    def text(self) -> str:
        where = self.where
        if self.kind == "notaction":
            return f"NotAction {', '.join(self.statement.not_actions)} (grants almost everything)"
        if self.kind == "condition":
            keys = ", ".join(f"{c.variable} = {', '.join(describe(v) for v in c.values)}" for c in self.missing)
            return f"{self.action} on {where} without the condition {keys}"
        return f"{self.action} on {where}"


@dataclass
class Comparison:
    excess: list[Excess] = field(default_factory=list)
    missing: list[Need] = field(default_factory=list)
    unresolved_grants: list[str] = field(default_factory=list)  # grants stepgate cannot judge, and why
    unresolved_needs: list[str] = field(default_factory=list)  # needs stepgate cannot tell granted or not


def _qualified(resource: str) -> str | None:
    """A Lambda function's or a state machine's versions and aliases: `function:NAME:*`, `stateMachine:NAME:*`."""
    parts = split_arn(resource)
    if parts is None:
        return None
    kind, _, rest = parts[5].partition(":")
    if kind in ("function", "stateMachine") and rest and ":" not in rest:
        return resource + ":*"
    return None


def _within_need(granted: str, need: Need) -> bool:
    if need.resource == "*" or is_unresolved(need.resource):
        return True
    qualified = _qualified(need.resource)
    return arn_within(granted, need.resource, outer_need=True) or (qualified is not None and arn_within(granted, qualified, outer_need=True))


def _carries(statement: Statement, condition: Condition) -> bool:
    """The grant is limited by the condition: same key, not negated, values within the need's."""
    return any(
        c.variable.lower() == condition.variable.lower() and not c.negated and c.values
        and all(is_unresolved(v) or any(is_unresolved(n) or glob_within(v, n) for n in condition.values) for v in c.values)
        for c in statement.conditions
    )


def _compatible(statement: Statement, need: Need) -> bool:
    """The grant's conditions let the need's call through (keys the need does not set are assumed met)."""
    for condition in statement.conditions:
        for wanted in (c for c in need.conditions if c.variable.lower() == condition.variable.lower()):
            if any(is_unresolved(v) for v in (*condition.values, *wanted.values)):
                continue
            if condition.negated:
                if any(arn_overlaps(v, w) for v in condition.values for w in wanted.values):
                    return False
            elif not all(any(glob_within(w, v) for v in condition.values) for w in wanted.values):
                return False
    return True


def _denies(deny: Statement, action: str, resource: str, need: bool) -> bool:
    """An unconditional Deny that covers the action on all of `resource`."""
    if deny.allows or deny.conditions or not deny.grants(action):
        return False
    if deny.not_resources:
        return resource != "*" and not any(arn_overlaps(excluded, resource) for excluded in deny.not_resources)
    return any(r == "*" or (resource != "*" and arn_within(resource, r, inner_need=need)) for r in deny.resources)


def _effective(resources: tuple[str, ...], action: str, denies: list[Statement]) -> list[str]:
    """What a grant leaves allowed under unconditional `Deny ... NotResource [X]` guards: only the X that
    overlap it (each X read as within the grant)."""
    guards = [d for d in denies if d.not_resources and not d.conditions and d.grants(action)]
    if not guards:
        return list(resources)
    kept: list[str] = []
    for resource in resources:
        allowed = [x for guard in guards for x in guard.not_resources if not is_unresolved(x) and arn_overlaps(x, resource)]
        kept += [resource if arn_within(resource, x) else x for x in allowed]
    return list(dict.fromkeys(kept))


def compare(statements: Iterable[Statement], needs: list[Need], skip_condition_keys: tuple[str, ...] = (),
            required: list[Need] | None = None) -> Comparison:
    """What the statements grant beyond the needs (each grant must lie within a need, carry its conditions
    and not be denied anyway) and which of the `required` needs (default: all) they do not grant or deny."""
    listed = list(statements)
    allows = [s for s in listed if s.allows]
    denies = [s for s in listed if not s.allows]
    result = Comparison()
    skip = {key.lower() for key in skip_condition_keys}
    by_action: dict[str, list[Need]] = {}  # each granted action looks up its needs, not every need
    for need in needs:
        by_action.setdefault(need.action.lower(), []).append(need)
    for statement in allows:
        result.unresolved_grants += statement.unresolved()
        if statement.not_actions:
            result.excess.append(Excess(statement, "", "", "", "notaction"))
            continue
        for pattern in statement.actions:
            if is_unresolved(pattern):
                continue
            for action in expand_action(pattern):
                candidates = by_action.get(action.lower(), [])
                for resource in _effective(statement.resource_patterns, action, denies) if denies else statement.resource_patterns:
                    if is_unresolved(resource) or (denies and any(_denies(d, action, resource, need=False) for d in denies)):
                        continue
                    if not candidates:
                        result.excess.append(Excess(statement, pattern, action, resource, "action"))
                        continue
                    justifying = [n for n in candidates if _within_need(resource, n)]
                    if not justifying:
                        result.excess.append(Excess(statement, pattern, action, resource, "resource"))
                        continue
                    if all(is_unresolved(n.resource) for n in justifying):
                        result.unresolved_grants += [f"whether {action} on {describe(resource)} is what {n.why or 'the workflow'} needs "
                                                     f"({describe(n.resource)})" for n in justifying]
                    if not all(n.conditions for n in justifying):
                        continue  # a need without conditions justifies the grant as it is
                    unmet = [tuple(c for c in n.conditions if c.variable.lower() not in skip and not _carries(statement, c)) for n in justifying]
                    if all(unmet):
                        result.excess.append(Excess(statement, pattern, action, resource, "condition", unmet[0]))
    result.unresolved_grants = list(dict.fromkeys(result.unresolved_grants))
    _judge_needs(allows, denies, needs if required is None else required, result)
    return result


def uncovered(statements: Iterable[Statement], required: list[Need]) -> Comparison:
    """Which of the `required` needs the statements do not grant or deny (`missing`, `unresolved_needs`),
    without judging the grants: what `compare` says of the needs, for a rule that reports only those."""
    listed = list(statements)
    result = Comparison()
    _judge_needs([s for s in listed if s.allows], [s for s in listed if not s.allows], required, result)
    return result


def _judge_needs(allows: list[Statement], denies: list[Statement], required: list[Need], result: Comparison) -> None:
    for need in required:
        coverage, why = _coverage(allows, denies, need)
        if coverage == "no":
            result.missing.append(need)
        elif coverage == "maybe":
            result.unresolved_needs.append(f"whether {need.action} on {describe(need.resource)} is granted ({why})")
    result.unresolved_needs = list(dict.fromkeys(result.unresolved_needs))


def _coverage(allows: list[Statement], denies: list[Statement], need: Need) -> tuple[str, str]:
    """("yes" | "no" | "maybe", what leaves it open for "maybe")."""
    if is_unresolved(need.resource):
        return ("maybe", describe(need.resource)) if any(s.grants(need.action) for s in allows) else ("no", "")
    if denies and any(_denies(d, need.action, need.resource, need=True) for d in denies):
        return "no", ""
    open_: list[str] = []
    for statement in allows:
        if not statement.grants(need.action) or not _compatible(statement, need):
            continue
        if statement.not_resources:
            if need.resource == "*" or not any(arn_within(need.resource, r, inner_need=True) for r in statement.not_resources):
                return "yes", ""
            continue
        for resource in statement.resources:
            if is_unresolved(resource):
                open_.append(describe(resource))
            elif need.resource == "*" or resource == "*" or arn_within(need.resource, resource, inner_need=True):
                return "yes", ""
    return ("maybe", "; ".join(dict.fromkeys(open_))) if open_ else ("no", "")


