"""Workflow rules: the ASL definition is a valid graph, and Task states survive transient errors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from stepgate.plan import asl
from stepgate.findings import Finding, Severity
from stepgate.plan.model import Plan, Resource
from stepgate.rules.base import Rule, RuleConfig

ASL_DOCS = "https://states-language.net/spec.html"


def _unknown_definition(plan: Plan, machine: Resource) -> str:
    from stepgate.plan.sourced import machine_definition

    return f"the definition is only known after apply{machine_definition(plan, machine).unknown}"


class _Machine(NamedTuple):
    resource: Resource
    definition: Mapping[str, Any] | None  # None: invalid (error set) or only rendered at apply time (no error)
    error: str | None
    problems: tuple[asl.Problem, ...]
    tasks: tuple[asl.TaskState, ...]  # its Task states, listed once for SG-WF-004 and SG-WF-005


def _definitions(plan: Plan) -> list[_Machine]:
    """Every state machine's definition, parsed and checked once per plan for the five workflow rules."""
    from stepgate.plan.sourced import machine_definition  # its HCL evaluator loads only when a check runs

    def build() -> list[_Machine]:
        machines = []
        for machine in plan.of_type("aws_sfn_state_machine"):
            read = machine_definition(plan, machine)
            definition, error = read.definition, read.error
            problems = tuple(asl.structure_problems(definition)) if definition is not None else ()
            tasks = tuple(asl.task_states(definition)) if definition is not None else ()
            machines.append(_Machine(machine, definition, error, problems, tasks))
        return machines

    return plan.derived("workflow-definitions", build)


def _problems_of(kind: str):  # noqa: ANN202 - returns a Check
    def check(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
        for machine, definition, error, problems, _ in _definitions(plan):
            if definition is None:
                if error is None:
                    yield rule.unevaluated(machine.address, _unknown_definition(plan, machine))
                elif kind == "invalid":
                    yield rule.finding(machine.address, error)
                continue
            messages = [p.message for p in problems if p.kind == kind]
            if messages:
                yield rule.finding(machine.address, "; ".join(messages))

    return check


def _retry(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    for machine, definition, error, _, tasks in _definitions(plan):
        if definition is None:
            if error is None:
                yield rule.unevaluated(machine.address, _unknown_definition(plan, machine))
            continue
        bare = [t.path for t in tasks if not asl.retry_has_backoff(t.body)]
        if bare:
            yield rule.finding(machine.address, f"Task states without Retry with backoff: {', '.join(bare)}; retry States.TaskFailed "
                               "(or the service's throttling errors) with BackoffRate > 1")


def _catch(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    for machine, definition, error, _, tasks in _definitions(plan):
        if definition is None:
            if error is None:
                yield rule.unevaluated(machine.address, _unknown_definition(plan, machine))
            continue
        bare = [t.path for t in tasks if not t.body.get("Catch")]
        if bare:
            yield rule.finding(machine.address, f"Task states without Catch: {', '.join(bare)}; catch States.ALL into a "
                               "failure handler")


RULES: tuple[Rule, ...] = (
    Rule("SG-WF-001", Severity.HIGH, "The state machine definition is valid ASL",
         "CreateStateMachine rejects a definition whose StartAt or Next/Default/Catch targets do not exist; "
         "catching it at plan time saves a failed apply.",
         "Make StartAt and every Next, Default and Catch target name a state of the same scope; give every "
         "non-terminal state a Next.", ASL_DOCS, _problems_of("invalid")),
    Rule("SG-WF-002", Severity.MEDIUM, "Every state is reachable",
         "A state no transition leads to is dead code, usually a mistyped Next, so the intended path never runs.",
         "Point a Next/Default/Catch at the state or delete it.", ASL_DOCS, _problems_of("unreachable")),
    Rule("SG-WF-003", Severity.HIGH, "A terminal state is reachable from every state",
         "A loop with no way to a Succeed/Fail/End state runs until the execution times out (a year for "
         "STANDARD), billing every transition.",
         "Give each loop an exit (a Choice Default or a counter) leading to a terminal state.", ASL_DOCS, _problems_of("no_terminal")),
    Rule("SG-WF-004", Severity.LOW, "Task states retry transient errors with backoff",
         "Throttling and service errors are routine; a Task without a Retry (BackoffRate > 1) fails the whole "
         "execution on the first one.",
         "Add Retry [{ErrorEquals = [\"States.TaskFailed\"...], IntervalSeconds, MaxAttempts, BackoffRate = 2}].",
         "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html", _retry),
    Rule("SG-WF-005", Severity.LOW, "Task states catch errors",
         "Without a Catch a failed Task ends the execution without a compensating or reporting step.",
         "Add Catch [{ErrorEquals = [\"States.ALL\"], Next = <a failure handler>}].",
         "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html", _catch),
)
