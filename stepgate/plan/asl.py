"""Amazon States Language: structure checks and the IAM permissions a definition's states need.

Scopes are the top-level machine, every Parallel branch and every Map item processor (or legacy
Iterator); each is checked on its own, as Step Functions does. `_scopes` is the one walk over a
definition: structure checks, the Task/Map listings and the permissions all start from it.

A definition is JSON data: parsed from the plan's text, or evaluated from HCL into plain dicts and lists
(`parse_definition` makes any other mapping given at the top a dict). Objects inside it are therefore
tested with `isinstance(x, dict)`, which is much cheaper than the `Mapping` ABC and means the same here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from stepgate.plan.asl_integrations import (
    ANY,
    Requirement,
    child_execution_requirements,
    item_reader_requirements,
    result_writer_requirements,
    task_requirements,
)

STATE_TYPES = {"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}
TERMINAL_TYPES = {"Succeed", "Fail"}
JSONPATH, JSONATA = "JSONPath", "JSONata"


# NamedTuples, as the immutable records of stepgate.plan.iamref: cheaper to make than frozen dataclasses
# (a plan makes one per state of every definition, for several rules).
class Problem(NamedTuple):
    kind: str  # "invalid" | "unreachable" | "no_terminal"
    message: str


class TaskState(NamedTuple):
    """A state of the definition, with its path and the query language its fields are written in."""

    path: str
    body: Mapping[str, Any]
    query_language: str = JSONPATH

    @property
    def jsonata(self) -> bool:
        return self.query_language == JSONATA

    @property
    def arguments(self) -> Any:
        """What the state passes to its integration: Arguments in JSONata, Parameters in JSONPath."""
        return self.body.get("Arguments" if self.jsonata else "Parameters")


def parse_definition(text: Any) -> tuple[dict[str, Any] | None, str | None]:
    """(definition, None) or (None, why it is not a state machine definition)."""
    if isinstance(text, Mapping):
        return dict(text), None
    if not isinstance(text, str) or not text.strip():
        return None, "definition is empty"
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return None, f"definition is not valid JSON ({error.msg})"
    if not isinstance(document, dict):
        return None, "definition is not a JSON object"
    return document, None


def _list(value: Any) -> list[Any]:
    """A list field of a state (Choices, Catch, Retry, Branches), or nothing when the definition has another type there."""
    return value if isinstance(value, list) else []


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _type(state: Mapping[str, Any]) -> str:
    kind = state.get("Type")
    return kind if isinstance(kind, str) else ""


def _scopes(scope: Mapping[str, Any], path: str) -> list[tuple[str, Mapping[str, Any]]]:
    """The scope itself and every nested branch / item processor, depth first."""
    found: list[tuple[str, Mapping[str, Any]]] = []
    _collect_scopes(scope, path, found)
    return found


def _collect_scopes(scope: Mapping[str, Any], path: str, found: list[tuple[str, Mapping[str, Any]]]) -> None:
    found.append((path, scope))
    states = scope.get("States")
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        branches = state.get("Branches")
        if isinstance(branches, list):
            for number, branch in enumerate(branches):
                if isinstance(branch, dict):
                    _collect_scopes(branch, f"{path}{name}/branch {number + 1}/", found)
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if isinstance(processor, dict):
            _collect_scopes(processor, f"{path}{name}/items/", found)


def _successors(state: Mapping[str, Any]) -> list[str]:
    targets = [state.get("Next"), state.get("Default")]
    choices, catches = state.get("Choices"), state.get("Catch")
    if isinstance(choices, list):
        targets += [choice.get("Next") for choice in choices if isinstance(choice, dict)]
    if isinstance(catches, list):
        targets += [catch.get("Next") for catch in catches if isinstance(catch, dict)]
    return [t for t in targets if isinstance(t, str)]


def _is_terminal(state: Mapping[str, Any]) -> bool:
    return _type(state) in TERMINAL_TYPES or state.get("End") is True


def structure_problems(definition: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for path, scope in _scopes(definition, ""):
        where = f"in {path.rstrip('/')}" if path else "at the top level"
        states = scope.get("States")
        if not isinstance(states, dict) or not states:
            problems.append(Problem("invalid", f"no States {where}"))
            continue
        start = scope.get("StartAt")
        if not isinstance(start, str) or start not in states:
            problems.append(Problem("invalid", f"StartAt {start!r} names no state {where}"))
            continue
        # the successors of every state that is an object, worked out once for all three checks
        successors: dict[str, list[str]] = {}
        terminal: set[str] = set()
        for name, state in states.items():
            if not isinstance(state, dict):
                problems.append(Problem("invalid", f"state {path}{name} has no valid Type"))
                continue
            targets = successors[name] = _successors(state)
            kind = _type(state)
            if kind in TERMINAL_TYPES or state.get("End") is True:
                terminal.add(name)
            if kind not in STATE_TYPES:
                problems.append(Problem("invalid", f"state {path}{name} has no valid Type"))
                continue
            for target in targets:
                if target not in states:
                    problems.append(Problem("invalid", f"state {path}{name} goes to {target!r}, which does not exist {where}"))
            if kind == "Choice":
                if not _list(state.get("Choices")):
                    problems.append(Problem("invalid", f"Choice state {path}{name} has no Choices"))
            elif name not in terminal and "Next" not in state:
                problems.append(Problem("invalid", f"state {path}{name} has neither Next nor End"))
        reachable = _reachable(successors, start)
        for name in states:
            if name not in reachable:
                problems.append(Problem("unreachable", f"state {path}{name} can never be entered"))
        can_finish = _can_finish(successors, terminal)
        stuck = sorted(name for name in reachable if name not in can_finish)
        if stuck:
            problems.append(Problem("no_terminal", f"no terminal state is reachable from {', '.join(path + s for s in stuck)} {where}"))
    return problems


def _reachable(successors: Mapping[str, list[str]], start: str) -> set[str]:
    """The states (objects, the keys of `successors`) that can be entered from `start`."""
    seen, pending = set(), [start]
    while pending:
        name = pending.pop()
        if name in seen or name not in successors:
            continue
        seen.add(name)
        pending.extend(successors[name])
    return seen


def _can_finish(successors: Mapping[str, list[str]], terminal: set[str]) -> set[str]:
    """States from which some terminal state can be reached: the terminal ones, then backwards along the
    successor relation (each state once)."""
    predecessors: dict[str, list[str]] = {}
    for name, targets in successors.items():
        for target in targets:
            predecessors.setdefault(target, []).append(name)
    finishing = set(terminal)
    pending = list(terminal)
    while pending:
        for name in predecessors.get(pending.pop(), ()):
            if name not in finishing:
                finishing.add(name)
                pending.append(name)
    return finishing


def _language(body: Mapping[str, Any], default: str) -> str:
    language = body.get("QueryLanguage")
    return language if language in (JSONPATH, JSONATA) else default


def _states(definition: Mapping[str, Any]) -> list[TaskState]:
    """Every state of every scope. A state without QueryLanguage uses the definition's (not its enclosing
    Map's or Parallel's), JSONPath by default."""
    default = _language(definition, JSONPATH)
    found = []
    for path, scope in _scopes(definition, ""):
        states = scope.get("States")
        if isinstance(states, dict):
            found += [TaskState(f"{path}{name}", state, _language(state, default)) for name, state in states.items() if isinstance(state, dict)]
    return found


def task_states(definition: Mapping[str, Any]) -> Iterator[TaskState]:
    return (state for state in _states(definition) if _type(state.body) == "Task")


def map_states(definition: Mapping[str, Any]) -> Iterator[TaskState]:
    return (state for state in _states(definition) if _type(state.body) == "Map")


# --- permissions ------------------------------------------------------------------------------------


def requirements(definition: Mapping[str, Any], machine_arn: str = ANY) -> list[Requirement]:
    """Every permission the definition's states need: each Task's call, and each Distributed Map's item
    reader, result writer and child executions.

    `machine_arn` is the state machine's own ARN (or a name-based pattern): HTTP Tasks are authorized on
    it and Distributed Maps start executions of it. Left at `*`, those requirements name any resource.
    """
    required: list[Requirement] = []
    for state in _states(definition):
        kind = _type(state.body)
        if kind == "Task":
            required += _task_requirements(state, machine_arn)
        elif kind == "Map":
            required += _map_requirements(state, machine_arn)
    return required


def _task_requirements(state: TaskState, machine_arn: str) -> list[Requirement]:
    resource = state.body.get("Resource")
    if not isinstance(resource, str):
        return []
    return task_requirements(state.path, resource, state.arguments, state.jsonata, machine_arn)


def _map_requirements(state: TaskState, machine_arn: str) -> list[Requirement]:
    required: list[Requirement] = []
    reader, writer = _mapping(state.body.get("ItemReader")), _mapping(state.body.get("ResultWriter"))
    if reader:
        required += item_reader_requirements(f"{state.path} (item reader)", reader, state.jsonata)
    if writer:
        required += result_writer_requirements(f"{state.path} (result writer)", writer, state.jsonata)
    config = _mapping(_mapping(state.body.get("ItemProcessor")).get("ProcessorConfig"))
    if config.get("Mode") == "DISTRIBUTED":
        label = state.body.get("Label")
        required += child_execution_requirements(state.path, label if isinstance(label, str) and label else None, machine_arn)
    return required


# Errors worth retrying: the catch-alls, and the throttling/service-side failures AWS SDK integrations
# raise (Lambda.ServiceException, DynamoDB.ProvisionedThroughputExceededException, SQS throttling...).
# A Retry only on a business error such as "Order.Invalid" does not help against them.
_TRANSIENT_CATCH_ALLS = {"States.ALL", "States.TaskFailed", "States.Timeout"}
_TRANSIENT_NAME = re.compile(
    r"(ServiceException|SdkClientException|AWSLambdaException|TooManyRequests|Throttl|ServiceUnavailable|"
    r"InternalServerError|InternalError|InternalFailure|ProvisionedThroughputExceeded|RequestLimitExceeded)",
    re.IGNORECASE,
)


def _is_transient(error: Any) -> bool:
    return isinstance(error, str) and (error in _TRANSIENT_CATCH_ALLS or bool(_TRANSIENT_NAME.search(error)))


def _number(value: Any, default: float) -> float | None:
    """A numeric ASL field; None when it is not a number (the definition is invalid there)."""
    if value is None:
        return default
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def retry_has_backoff(state: Mapping[str, Any]) -> bool:
    """A Retry entry for transient errors that retries (MaxAttempts > 0, default 3) with growing delays
    (BackoffRate > 1, default 2.0)."""
    for retrier in _list(state.get("Retry")):
        if not isinstance(retrier, dict) or not any(_is_transient(e) for e in _list(retrier.get("ErrorEquals"))):
            continue
        attempts, rate = _number(retrier.get("MaxAttempts"), 3), _number(retrier.get("BackoffRate"), 2.0)
        if attempts is not None and rate is not None and attempts > 0 and rate > 1.0:
            return True
    return False
