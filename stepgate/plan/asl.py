"""Amazon States Language: structure checks and the IAM permissions a definition's Task states need.

Scopes are the top-level machine, every Parallel branch and every Map item processor (or legacy
Iterator); each is checked on its own, as Step Functions does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

STATE_TYPES = {"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}
TERMINAL_TYPES = {"Succeed", "Fail"}
_OPTIMIZED = re.compile(r"^arn:[^:]+:states:::(?P<service>[a-zA-Z0-9-]+):(?P<action>[a-zA-Z0-9]+)(?P<suffix>(\.sync(:2)?|\.waitForTaskToken)?)$")
_SDK = re.compile(r"^arn:[^:]+:states:::aws-sdk:(?P<service>[a-zA-Z0-9-]+):(?P<action>[a-zA-Z0-9]+)(\.waitForTaskToken)?$")
_LAMBDA_ARN = re.compile(r"^arn:[^:]+:lambda:[^:]*:[^:]*:function:.+")
# aws-sdk service names whose IAM prefix differs
_SDK_PREFIX = {"sfn": "states", "cloudwatchlogs": "logs", "eventbridge": "events", "elasticloadbalancingv2": "elasticloadbalancing"}
ANY = "*"


@dataclass(frozen=True)
class Requirement:
    """An IAM action a state needs, on a resource ARN pattern (`*` when the definition picks it at run time)."""

    action: str
    resource: str
    state: str  # path of the state, e.g. "Fan out/branch 1/Notify"


@dataclass(frozen=True)
class Problem:
    kind: str  # "invalid" | "unreachable" | "no_terminal"
    message: str


@dataclass(frozen=True)
class TaskState:
    path: str
    body: Mapping[str, Any]


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
    return value if isinstance(value, Mapping) else {}


def _type(state: Mapping[str, Any]) -> str:
    kind = state.get("Type")
    return kind if isinstance(kind, str) else ""


def _scopes(scope: Mapping[str, Any], path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The scope itself and every nested branch / item processor, depth first."""
    yield path, scope
    for name, state in _mapping(scope.get("States")).items():
        if not isinstance(state, Mapping):
            continue
        for number, branch in enumerate(_list(state.get("Branches"))):
            if isinstance(branch, Mapping):
                yield from _scopes(branch, f"{path}{name}/branch {number + 1}/")
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if isinstance(processor, Mapping):
            yield from _scopes(processor, f"{path}{name}/items/")


def _successors(state: Mapping[str, Any]) -> list[str]:
    targets = [state.get("Next"), state.get("Default")]
    targets += [choice.get("Next") for choice in _list(state.get("Choices")) if isinstance(choice, Mapping)]
    targets += [catch.get("Next") for catch in _list(state.get("Catch")) if isinstance(catch, Mapping)]
    return [t for t in targets if isinstance(t, str)]


def _is_terminal(state: Mapping[str, Any]) -> bool:
    return _type(state) in TERMINAL_TYPES or state.get("End") is True


def structure_problems(definition: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for path, scope in _scopes(definition, ""):
        where = f"in {path.rstrip('/')}" if path else "at the top level"
        states = scope.get("States")
        if not isinstance(states, Mapping) or not states:
            problems.append(Problem("invalid", f"no States {where}"))
            continue
        start = scope.get("StartAt")
        if not isinstance(start, str) or start not in states:
            problems.append(Problem("invalid", f"StartAt {start!r} names no state {where}"))
            continue
        for name, state in states.items():
            if not isinstance(state, Mapping) or _type(state) not in STATE_TYPES:
                problems.append(Problem("invalid", f"state {path}{name} has no valid Type"))
                continue
            for target in _successors(state):
                if target not in states:
                    problems.append(Problem("invalid", f"state {path}{name} goes to {target!r}, which does not exist {where}"))
            if _type(state) == "Choice":
                if not _list(state.get("Choices")):
                    problems.append(Problem("invalid", f"Choice state {path}{name} has no Choices"))
            elif not _is_terminal(state) and "Next" not in state:
                problems.append(Problem("invalid", f"state {path}{name} has neither Next nor End"))
        reachable = _reachable(states, start)
        for name in states:
            if name not in reachable:
                problems.append(Problem("unreachable", f"state {path}{name} can never be entered"))
        can_finish = _can_finish(states)
        stuck = sorted(name for name in reachable if name not in can_finish)
        if stuck:
            problems.append(Problem("no_terminal", f"no terminal state is reachable from {', '.join(path + s for s in stuck)} {where}"))
    return problems


def _reachable(states: Mapping[str, Any], start: str) -> set[str]:
    seen, pending = set(), [start]
    while pending:
        name = pending.pop()
        if name in seen or name not in states or not isinstance(states[name], Mapping):
            continue
        seen.add(name)
        pending.extend(_successors(states[name]))
    return seen


def _can_finish(states: Mapping[str, Any]) -> set[str]:
    """States from which some terminal state can be reached (fixpoint over the successor relation)."""
    finishing = {n for n, s in states.items() if isinstance(s, Mapping) and _is_terminal(s)}
    changed = True
    while changed:
        changed = False
        for name, state in states.items():
            if name not in finishing and isinstance(state, Mapping) and any(t in finishing for t in _successors(state)):
                finishing.add(name)
                changed = True
    return finishing


def task_states(definition: Mapping[str, Any]) -> Iterator[TaskState]:
    for path, scope in _scopes(definition, ""):
        for name, state in _mapping(scope.get("States")).items():
            if isinstance(state, Mapping) and _type(state) == "Task":
                yield TaskState(f"{path}{name}", state)


def map_states(definition: Mapping[str, Any]) -> Iterator[TaskState]:
    for path, scope in _scopes(definition, ""):
        for name, state in _mapping(scope.get("States")).items():
            if isinstance(state, Mapping) and _type(state) == "Map":
                yield TaskState(f"{path}{name}", state)


# --- permissions ------------------------------------------------------------------------------------


def _iam_action(service: str, action: str) -> str:
    return f"{service}:{action[:1].upper()}{action[1:]}"


def _parameter(parameters: Mapping[str, Any], key: str) -> str:
    """A literal parameter value, or ANY when the state picks it from its input at run time."""
    value = parameters.get(key)
    if isinstance(value, str) and value and not value.startswith("{%"):
        return value
    return ANY


def queue_arn(url: str) -> str:
    if url == ANY:
        return ANY
    if url.startswith("arn:"):
        return url
    parsed = urlparse(url)
    segments = [s for s in parsed.path.split("/") if s]
    if len(segments) < 2:
        return ANY
    host = parsed.hostname or ""
    region = host.split(".")[1] if host.startswith("sqs.") and host.count(".") >= 2 else "*"
    return f"arn:*:sqs:{region}:{segments[-2]}:{segments[-1]}"


def _named_arn(value: str, service: str, kind: str, separator: str) -> str:
    if value == ANY:
        return ANY
    if value.startswith("arn:"):
        return value
    return f"arn:*:{service}:*:*:{kind}{separator}{value}"


def requirements_for_task(state: TaskState) -> list[Requirement]:
    resource = state.body.get("Resource")
    if not isinstance(resource, str):
        return []
    parameters = _mapping(state.body.get("Parameters") or state.body.get("Arguments"))
    need = lambda action, arn: Requirement(action, arn, state.path)  # noqa: E731 - keeps the table below readable

    if _LAMBDA_ARN.match(resource):
        return [need("lambda:InvokeFunction", resource)]
    sdk = _SDK.match(resource)
    if sdk:
        service = sdk.group("service").lower()
        return [need(_iam_action(_SDK_PREFIX.get(service, service), sdk.group("action")), ANY)]
    optimized = _OPTIMIZED.match(resource)
    if not optimized:
        return []  # activities and unrecognised resources need no execution-role permission we can name
    service, action, suffix = optimized.group("service").lower(), optimized.group("action"), optimized.group("suffix")
    iam_action = _iam_action(service, action)
    if service == "sqs":
        return [need(iam_action, queue_arn(_parameter(parameters, "QueueUrl")))]
    if service == "sns":
        target = _parameter(parameters, "TopicArn")
        return [need(iam_action, target if target != ANY else _parameter(parameters, "TargetArn"))]
    if service == "dynamodb":
        return [need(iam_action, _named_arn(_parameter(parameters, "TableName"), "dynamodb", "table", "/"))]
    if service == "lambda":
        return [need("lambda:InvokeFunction", _named_arn(_parameter(parameters, "FunctionName"), "lambda", "function", ":"))]
    if service == "events":
        entries = parameters.get("Entries")
        if not isinstance(entries, list):
            return [need(iam_action, ANY)]
        buses = {_parameter(e, "EventBusName") if "EventBusName" in e or "EventBusName.$" in e else "default" for e in entries if isinstance(e, Mapping)}
        return [need(iam_action, _named_arn(bus, "events", "event-bus", "/")) for bus in sorted(buses) or ["default"]]
    if service == "states" and action.lower() == "startexecution":
        machine = _parameter(parameters, "StateMachineArn")
        required = [need("states:StartExecution", machine)]
        if suffix.startswith(".sync"):
            name = machine.split(":")[6] if machine.count(":") >= 6 else "*"
            execution = f"arn:*:states:*:*:execution:{name}:*"
            required += [need("states:DescribeExecution", execution), need("states:StopExecution", execution)]
            rule = "arn:*:events:*:*:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"
            required += [need(f"events:{verb}", rule) for verb in ("PutTargets", "PutRule", "DescribeRule")]
        return required
    return [need(iam_action, ANY)]


def requirements(definition: Mapping[str, Any]) -> list[Requirement]:
    """Every permission the definition's Task states (and distributed Map item readers) need."""
    required = [r for task in task_states(definition) for r in requirements_for_task(task)]
    for state in map_states(definition):
        reader = state.body.get("ItemReader")
        if isinstance(reader, Mapping):
            required += requirements_for_task(TaskState(state.path + " (item reader)", reader))
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
        if not isinstance(retrier, Mapping) or not any(_is_transient(e) for e in _list(retrier.get("ErrorEquals"))):
            continue
        attempts, rate = _number(retrier.get("MaxAttempts"), 3), _number(retrier.get("BackoffRate"), 2.0)
        if attempts is not None and rate is not None and attempts > 0 and rate > 1.0:
            return True
    return False
