"""Reading back what a request caused: the execution, its per-state history, and its audit events."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from stepgate.errors import StepgateError
from stepgate.sfn import STATUS_CHANGE_EVENT, TERMINAL_STATUSES

T = TypeVar("T")


def poll(fetch: Callable[[], T], done: Callable[[T], bool], timeout: float, what: str,
         first_delay: float = 0.1, max_delay: float = 2.0) -> T:
    """Call `fetch` until `done` says yes, backing off from first_delay to max_delay; StepgateError at timeout."""
    deadline = time.monotonic() + timeout
    delay = first_delay
    while True:
        value = fetch()
        if done(value):
            return value
        if time.monotonic() + delay > deadline:
            raise StepgateError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 1.6, max_delay)


def wait_for_execution(sfn: Any, execution_arn: str, timeout: float = 120) -> dict[str, Any]:
    return poll(
        lambda: sfn.describe_execution(executionArn=execution_arn),
        lambda execution: execution["status"] in TERMINAL_STATUSES,
        timeout, f"execution {execution_arn} to finish",
    )


def list_executions(sfn: Any, state_machine_arn: str, limit: int | None = None) -> list[dict[str, Any]]:
    """Executions newest first; `limit`: only that many (the rest is never listed)."""
    config = {"PaginationConfig": {"MaxItems": limit}} if limit else {}
    pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=state_machine_arn, **config)
    return [execution for page in pages for execution in page["executions"]]


def execution_history(sfn: Any, execution_arn: str) -> list[dict[str, Any]]:
    pages = sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn)
    return [event for page in pages for event in page["events"]]


# A Task's attempts (each retry schedules the work again) and the events that end an attempt or the
# execution with an error; every one of them belongs to the state it happened in.
ATTEMPT_EVENTS = frozenset({"TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"})
FAILURE_EVENTS = frozenset({
    "TaskFailed", "TaskTimedOut", "TaskStartFailed", "TaskSubmitFailed",
    "LambdaFunctionFailed", "LambdaFunctionTimedOut", "LambdaFunctionStartFailed", "LambdaFunctionScheduleFailed",
    "ActivityFailed", "ActivityTimedOut", "ActivityScheduleFailed",
    "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted",
})


@dataclass(frozen=True)
class Failure:
    """An error event of a state: one failed attempt of its Task, or the execution ending there."""

    event_type: str
    error: str | None
    cause: str | None


@dataclass(frozen=True)
class StateStep:
    """One state as the history shows it: entered with an input, exited with an output (None if it never
    exited), with its Task attempts and the failures that happened while it ran."""

    name: str
    entered_type: str
    input: Any
    output: Any
    entered_id: int
    previous_id: int
    exited_id: int | None
    entered_at: float
    exited_at: float | None
    attempts: int = 0  # times a Task scheduled its work (0 for states that do no work)
    failures: tuple[Failure, ...] = ()

    @property
    def type(self) -> str:
        return self.entered_type.removesuffix("StateEntered")

    @property
    def retries(self) -> int:
        return max(0, self.attempts - 1)

    @property
    def failed_attempts(self) -> list[Failure]:
        return [failure for failure in self.failures if not failure.event_type.startswith("Execution")]


def state_steps(events: Sequence[dict[str, Any]]) -> list[StateStep]:
    """States in the order they were entered, each matched with its own exit event, attempts and failures."""
    attempts, failures = _work_by_step(events)
    open_steps: dict[str, list[dict[str, Any]]] = defaultdict(list)
    exits: dict[int, dict[str, Any]] = {}
    for event in events:
        kind = event["type"]
        if kind.endswith("StateEntered"):
            open_steps[event["stateEnteredEventDetails"]["name"]].append(event)
        elif kind.endswith("StateExited"):
            name = event["stateExitedEventDetails"]["name"]
            if open_steps[name]:
                exits[open_steps[name].pop(0)["id"]] = event
    steps = []
    for event in events:
        if not event["type"].endswith("StateEntered"):
            continue
        exited = exits.get(event["id"])
        details = event["stateEnteredEventDetails"]
        steps.append(StateStep(
            name=details["name"],
            entered_type=event["type"],
            input=_json(details.get("input")),
            output=_json(exited["stateExitedEventDetails"].get("output")) if exited else None,
            entered_id=event["id"],
            previous_id=event.get("previousEventId", 0),
            exited_id=exited["id"] if exited else None,
            entered_at=event["timestamp"].timestamp(),
            exited_at=exited["timestamp"].timestamp() if exited else None,
            attempts=attempts.get(event["id"], 0),
            failures=tuple(failures.get(event["id"], ())),
        ))
    return steps


def _work_by_step(events: Sequence[dict[str, Any]]) -> tuple[dict[int, int], dict[int, list[Failure]]]:
    """Attempts and failures per state entry (by the id of its StateEntered event). Each such event is
    owned by the state entry its previousEventId chain leads back to: a retry's TaskScheduled follows the
    failed attempt, an ExecutionFailed follows the Fail state or the uncaught failure, and branches of a
    Parallel or Map stay apart even when states share a name."""
    by_id = {event["id"]: event for event in events}
    attempts: dict[int, int] = defaultdict(int)
    failures: dict[int, list[Failure]] = defaultdict(list)
    for event in events:
        kind = event["type"]
        if kind not in ATTEMPT_EVENTS and kind not in FAILURE_EVENTS:
            continue
        owner = _owning_entry(event, by_id)
        if owner is None:
            continue
        if kind in ATTEMPT_EVENTS:
            attempts[owner] += 1
        else:
            details = event_details(event)
            failures[owner].append(Failure(kind, details.get("error"), details.get("cause")))
    return attempts, failures


def _owning_entry(event: dict[str, Any], by_id: dict[int, dict[str, Any]]) -> int | None:
    current = event
    while not current["type"].endswith("StateEntered"):
        previous = by_id.get(current.get("previousEventId") or 0)
        if previous is None:
            return None
        current = previous
    return int(current["id"])


def event_details(event: dict[str, Any]) -> dict[str, Any]:
    """An event's details, under the key GetExecutionHistory gives them (TaskFailed -> taskFailedEventDetails)."""
    details = event.get(_details_key(str(event["type"])))
    return details if isinstance(details, dict) else {}


def _details_key(kind: str) -> str:
    if kind.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if kind.endswith("StateExited"):
        return "stateExitedEventDetails"
    return kind[0].lower() + kind[1:] + "EventDetails"


def check_state_order(expected: Sequence[str | Sequence[str]] | None, steps: Sequence[StateStep]) -> list[str]:
    """Entered states must match `expected` exactly; a nested list is a group entered in any order (the
    branches of a Parallel run concurrently). None: the scenario does not say, nothing to compare."""
    if expected is None:
        return []
    actual = [step.name for step in steps]
    problems: list[str] = []
    position = 0
    for item in expected:
        group = [item] if isinstance(item, str) else list(item)
        window = actual[position : position + len(group)]
        if sorted(window) != sorted(group):
            problems.append(f"states entered {actual}, expected {list(expected)} (differs at position {position}: {window} vs {group})")
            return problems
        position += len(group)
    if position != len(actual):
        problems.append(f"states entered {actual}, expected only {list(expected)}")
    return problems


def check_data_flow(steps: Sequence[StateStep], events: Sequence[dict[str, Any]], execution: dict[str, Any]) -> list[str]:
    """Each state's input is what its predecessor emitted (linked by previousEventId, so concurrent
    branches are compared with their own predecessor); the first state gets the execution input."""
    problems: list[str] = []
    exited_output = {step.exited_id: (step.name, step.output) for step in steps if step.exited_id is not None}
    started = [event for event in events if event["type"] == "ExecutionStarted"]
    if started and steps:
        execution_input = _json(started[0]["executionStartedEventDetails"].get("input"))
        if steps[0].input != execution_input:
            problems.append(f"first state {steps[0].name} got {steps[0].input!r}, the execution input was {execution_input!r}")
    for step in steps:
        if step.exited_id is None and execution.get("status") == "SUCCEEDED":
            problems.append(f"state {step.name} was entered but never exited in a SUCCEEDED execution")
        if step.previous_id in exited_output:
            previous_name, previous_output = exited_output[step.previous_id]
            if step.input != previous_output:
                problems.append(f"state {step.name} input {step.input!r} is not {previous_name}'s output {previous_output!r}")
    return problems


@dataclass(frozen=True)
class AuditEvent:
    execution_arn: str
    status: str
    state_machine_arn: str
    logged_at: float  # CloudWatch Logs ingestion time, seconds since the epoch
    raw: dict[str, Any]


def audit_events(logs: Any, log_group: str, start_time_ms: int = 0) -> list[AuditEvent]:
    """Step Functions status-change events found in the audit log group."""
    pages = logs.get_paginator("filter_log_events").paginate(logGroupName=log_group, startTime=start_time_ms)
    found = []
    for page in pages:
        for record in page["events"]:
            event = _json(record.get("message"))
            if not isinstance(event, dict) or event.get("detail-type") != STATUS_CHANGE_EVENT:
                continue
            detail = event.get("detail") or {}
            found.append(AuditEvent(
                execution_arn=str(detail.get("executionArn")),
                status=str(detail.get("status")),
                state_machine_arn=str(detail.get("stateMachineArn")),
                logged_at=record.get("ingestionTime", record.get("timestamp", 0)) / 1000,
                raw=event,
            ))
    return found


def audit_by_execution(events: Iterable[AuditEvent]) -> dict[str, list[str]]:
    statuses: dict[str, list[str]] = defaultdict(list)
    for event in events:
        statuses[event.execution_arn].append(event.status)
    return dict(statuses)


def express_histories(logs: Any, log_group: str, filter_pattern: str = "") -> dict[str, list[dict[str, Any]]]:
    """EXPRESS executions keep no history API; their log group at level ALL (with execution data) holds the
    same events. Returns them per execution ARN, reshaped like GetExecutionHistory events. A CloudWatch
    `filter_pattern` (e.g. the quoted ARN of one execution) narrows what is read; it is only a hint, the
    result is keyed by ARN either way (the emulator ignores patterns)."""
    histories: dict[str, list[dict[str, Any]]] = defaultdict(list)
    pattern = {"filterPattern": filter_pattern} if filter_pattern else {}
    pages = logs.get_paginator("filter_log_events").paginate(logGroupName=log_group, **pattern)
    for page in pages:
        for record in page["events"]:
            entry = _json(record.get("message"))
            if not isinstance(entry, dict) or "execution_arn" not in entry or "type" not in entry:
                continue
            histories[entry["execution_arn"]].append(_history_event(entry))
    return {arn: sorted(events, key=lambda event: event["id"]) for arn, events in histories.items()}


def _history_event(entry: dict[str, Any]) -> dict[str, Any]:
    kind = str(entry["type"])
    event: dict[str, Any] = {
        "id": int(entry["id"]), "previousEventId": int(entry.get("previous_event_id") or 0), "type": kind,
        "timestamp": datetime.fromisoformat(str(entry["event_timestamp"]).replace("Z", "+00:00")),
    }
    event[_details_key(kind)] = entry.get("details") or {}
    return event


EXECUTION_END_EVENTS = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED",
                        "ExecutionTimedOut": "TIMED_OUT", "ExecutionAborted": "ABORTED"}


def terminal_statuses(events: Sequence[dict[str, Any]]) -> list[str]:
    return [EXECUTION_END_EVENTS[event["type"]] for event in events if event["type"] in EXECUTION_END_EVENTS]


def execution_name(execution_arn: str) -> str:
    """The name in arn:aws:states:<region>:<account>:execution:<state machine>:<name> (EXPRESS:
    ...:express:<state machine>:<name>:<run id>); execution names contain no colon."""
    parts = execution_arn.split(":")
    return parts[7] if len(parts) > 7 else execution_arn


def execution_from_history(execution_arn: str, events: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """An execution described from its history, in DescribeExecution's shape: what EXPRESS executions,
    which DescribeExecution does not know, are read back as. RUNNING until an end event is logged."""
    started = next((event for event in events if event["type"] == "ExecutionStarted"), None)
    ended = next((event for event in events if event["type"] in EXECUTION_END_EVENTS), None)
    end = event_details(ended) if ended else {}
    return {
        "executionArn": execution_arn,
        "name": execution_name(execution_arn),
        "status": EXECUTION_END_EVENTS[ended["type"]] if ended else "RUNNING",
        "startDate": started["timestamp"] if started else None,
        "stopDate": ended["timestamp"] if ended else None,
        "input": event_details(started).get("input") if started else None,
        **{key: end[key] for key in ("output", "error", "cause") if key in end},
    }


def _json(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text
