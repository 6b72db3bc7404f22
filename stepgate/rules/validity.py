"""Validity: policies name actions that exist, on resources and with condition keys those actions take.

IAM accepts a policy with a misspelled action, an ARN of the wrong resource type or a condition key the
action never sets, and then silently never applies that part: the call it was meant for is denied, or a
negated condition (StringNotEquals on a key that is never present) always holds. The IAM Service
Authorization Reference (stepgate.plan.iamref) says what each action takes.

What depends only on names (whether an action name is real, the reference's actions a list of action
patterns grants, whether those actions take a condition key) is worked out once per distinct name or list:
the policies of a plan repeat the same few.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

from stepgate.findings import Finding, Severity
from stepgate.plan import iamref
from stepgate.plan.api import machine_arn
from stepgate.plan.iam import UNKNOWN, Statement, arn_overlaps, describe, expand_action, is_wildcard_action, standalone_policy_documents
from stepgate.plan.model import Plan
from stepgate.rules.base import Rule, RuleConfig

REFERENCE_DOCS = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"
START_SYNC = "states:StartSyncExecution"
_START_SYNC = START_SYNC.lower()


def _or(names: Iterable[str]) -> str:
    unique = list(dict.fromkeys(names))
    return unique[0] if len(unique) == 1 else f"{', '.join(unique[:-1])} or {unique[-1]}"


@lru_cache(maxsize=4096)
def _action_problem(name: str) -> str | None:
    """Why an action (pattern) of a policy names nothing, or None when it names real actions."""
    prefix, _, action = name.partition(":")
    if not action:
        return f"{name} is not of the form service:Action"
    if is_wildcard_action(prefix):
        return None if iamref.expand(name) else f"{name} matches no action"
    service = iamref.service(prefix)
    if service is None:
        return f"{name}: no AWS service has the prefix {prefix}"
    if is_wildcard_action(action):
        return None if iamref.expand(name) else f"{name} matches no action of {service.prefix}"
    if iamref.action(name) is not None:
        return None
    from difflib import get_close_matches  # (and heapq) loads only for a misspelled action

    close = get_close_matches(action, [known.name for known in service.actions.values()], n=1)
    return f"{name} is not an action of {service.prefix}" + (f" (did you mean {service.prefix}:{close[0]}?)" if close else "")


def _granted(statement: Statement) -> tuple[iamref.Action, ...] | None:
    """The reference's actions a statement names; None when they cannot be listed (NotAction, a wildcard
    service, an action known only after apply) and checks that need them are skipped."""
    return None if statement.not_actions else _granted_actions(tuple(statement.actions))


@lru_cache(maxsize=4096)
def _granted_actions(patterns: tuple[str, ...]) -> tuple[iamref.Action, ...] | None:
    if any(a == UNKNOWN or is_wildcard_action(a.partition(":")[0]) for a in patterns):
        return None
    found = [iamref.action(name) for pattern in patterns for name in expand_action(pattern)]
    return tuple(action for action in found if action is not None)


@lru_cache(maxsize=4096)
def _takes_key(patterns: tuple[str, ...], key: str) -> bool:
    """Whether some of the actions the patterns grant takes the condition key (patterns `_granted_actions` lists)."""
    return any(action.takes_condition_key(key) for action in _granted_actions(patterns) or ())


def _takes(actions: tuple[iamref.Action, ...], several: bool) -> str:
    kinds = [kind.name for action in actions for kind in action.resource_types]
    if not kinds:
        return 'the actions support only Resource "*"' if several else 'the action supports only Resource "*"'
    return f"the actions take {_or(kinds)} ARNs" if several else f"the action takes {_or(kinds)} ARNs"


def _resource_problems(statement: Statement, actions: tuple[iamref.Action, ...]) -> Iterator[str]:
    several = len(statement.actions) > 1 or any(is_wildcard_action(a) for a in statement.actions)
    for arn in statement.resources:
        if arn not in ("*", UNKNOWN) and not any(action.accepts(arn) for action in actions):
            yield f"{', '.join(statement.actions)} on {describe(arn)}: {_takes(actions, several)}"


def _condition_problems(statement: Statement) -> Iterator[str]:
    for key in dict.fromkeys(c.variable for c in statement.conditions):
        if key and key != UNKNOWN and not _takes_key(tuple(statement.actions), key):
            yield f"condition key {key} applies to none of {', '.join(statement.actions)}"


def _names_machine(granted: str, machine: str) -> bool:
    """Whether a grant names this state machine (or one of its versions/aliases) by its name."""
    parts = granted.split(":")
    if len(parts) < 7 or parts[5] != "stateMachine" or is_wildcard_action(parts[6]):
        return False
    return machine.split(":")[6:7] == [parts[6]] and arn_overlaps(":".join(parts[:7]), machine)


def _sync_on_standard(statement: Statement, standard: dict[str, list[tuple[str, str]]]) -> Iterator[str]:
    """StartSyncExecution only starts EXPRESS state machines: on a STANDARD one it always fails."""
    if not any(action.lower() == _START_SYNC for action in statement.actions):
        return
    for arn in statement.resources:
        parts = arn.split(":")
        # a grant names a machine by its name (_names_machine): only the machines of that name can match
        for address, machine in standard.get(parts[6], ()) if len(parts) >= 7 else ():
            if _names_machine(arn, machine):
                yield f"{START_SYNC} on {describe(arn)}: {address} is a STANDARD state machine; only EXPRESS ones start synchronously"


def _standard_machines(plan: Plan) -> dict[str, list[tuple[str, str]]]:
    """(address, ARN or name-based ARN pattern) of every state machine the plan declares STANDARD (the default),
    by the machine's name (the ARN's seventh field), in plan order."""
    machines: dict[str, list[tuple[str, str]]] = {}
    for machine in plan.of_type("aws_sfn_state_machine"):
        arn = machine_arn(machine)
        if not machine.is_unknown("type") and str(machine.get("type") or "STANDARD").upper() == "STANDARD" and arn != "*":
            fields = arn.split(":")
            if len(fields) >= 7:  # fewer: no grant names it (_names_machine)
                machines.setdefault(fields[6], []).append((machine.address, arn))
    return machines


def _statement_problems(statement: Statement, standard: dict[str, list[tuple[str, str]]]) -> Iterator[str]:
    for name in (*statement.actions, *statement.not_actions):
        problem = None if name == UNKNOWN else _action_problem(name)
        if problem:
            yield problem
    actions = _granted(statement)
    if actions:
        if statement.allows:
            yield from _resource_problems(statement, actions)
        yield from _condition_problems(statement)
    if statement.allows:
        yield from _sync_on_standard(statement, standard)


def _check(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    standard = _standard_machines(plan)
    problems: dict[str, list[str]] = {}
    unknown: dict[str, list[str]] = {}
    for resource, document in standalone_policy_documents(plan):
        if document.unreadable_reason:
            unknown.setdefault(resource.address, []).append(document.unreadable_reason)
        for statement in document.statements:
            problems.setdefault(resource.address, []).extend(_statement_problems(statement, standard))
    for address, found in problems.items():
        if found:
            yield rule.finding(address, "; ".join(dict.fromkeys(found)))
    for address, reasons in sorted(unknown.items()):
        if not problems.get(address):
            yield rule.unevaluated(address, "; ".join(dict.fromkeys(reasons)))


RULES: tuple[Rule, ...] = (
    Rule("SG-IAM-010", Severity.MEDIUM, "Policies name real actions on resources those actions accept",
         "IAM stores a policy with a misspelled action, an ARN of a resource type the action does not take, or a "
         "condition key the action never sets, and then never applies that part: the call is denied at run time, "
         "or a negated condition on the missing key always holds. states:StartSyncExecution on a STANDARD state "
         "machine always fails.",
         "Use the action names, resource types (ARN formats) and condition keys the Service Authorization Reference "
         "lists for each action; start STANDARD state machines with states:StartExecution.",
         REFERENCE_DOCS, _check),
)
