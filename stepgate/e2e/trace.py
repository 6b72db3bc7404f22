"""From a request to its execution, state by state.

`find` resolves an identifier against one deployment: an API Gateway request id, an Idempotency-Key, an
execution name or an execution ARN. REST routes name an execution by its Idempotency-Key when one is sent,
else by the request id, and put the request id into the execution input as `meta.requestId`; so a
request id is found by name, or else in the inputs. `trace` reads back everything the identifier leads to:
the request's access-log record, the execution, each state it entered (timings, Task retries, errors,
input and output) and the execution's audit events. `render` shows a Trace as rich tables, `as_json` as
plain JSON data. Histories are read and paired by stepgate.e2e.verify, exactly as the e2e checks read them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from typing import Any

from botocore.exceptions import ClientError
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from stepgate.e2e.verify import (
    AuditEvent,
    StateStep,
    audit_events,
    execution_from_history,
    execution_history,
    execution_name,
    express_histories,
    list_executions,
    state_steps,
)
from stepgate.errors import StepgateError

JSON_FIELD_CAP = 8192  # characters of one input, output or cause in --format json; longer values are cut
SCAN_LIMIT = 1000  # newest STANDARD executions per state machine whose input is searched for a request id
# Logs about an execution are read from this long before it started: its request came first, and the
# clocks of API Gateway, Step Functions and EventBridge may differ a little.
LEAD_SECONDS = 60
# What an identifier may contain: execution names and request ids have no quotes or whitespace, and
# nothing else may end up inside a CloudWatch filter pattern.
_IDENTIFIER = re.compile(r"^[^\s\"'\\]{1,256}$")
_MISSING = {"ExecutionDoesNotExist", "InvalidArn", "InvalidName", "ResourceNotFoundException"}


@dataclass(frozen=True)
class Workflow:
    """A state machine of the deployment, by its key in the module's workflows map."""

    key: str
    state_machine_arn: str
    type: str  # STANDARD | EXPRESS
    log_group: str | None  # its execution log group: the only record of an EXPRESS execution

    @property
    def state_machine_name(self) -> str:
        return self.state_machine_arn.rsplit(":", 1)[-1]

    def execution_arn(self, name: str) -> str:
        """The ARN a STANDARD execution of this state machine called `name` has."""
        return self.state_machine_arn.replace(":stateMachine:", ":execution:", 1) + ":" + name


@dataclass(frozen=True)
class Sources:
    """Where one deployment's requests, executions and audit events are read back from."""

    sfn: Any
    logs: Any
    workflows: tuple[Workflow, ...]
    access_log_group: str | None = None
    audit_log_group: str | None = None

    @classmethod
    def from_module(cls, module: Mapping[str, Any], sfn: Any, logs: Any) -> Sources:
        """From the stepgate module object (the configuration's `stepgate` output)."""
        log_groups = module.get("state_machine_log_group_names") or {}
        workflows = tuple(Workflow(key, arn, str(module["state_machine_types"][key]), log_groups.get(key))
                          for key, arn in sorted(module["state_machine_arns"].items()))
        return cls(sfn, logs, workflows, module.get("access_log_group_name"), module.get("audit_log_group_name"))


@dataclass(frozen=True)
class Found:
    """What an identifier names: a request (when its access-log record exists) and/or an execution."""

    identifier: str
    matched: str  # how the identifier was matched, for the reader
    request: dict[str, Any] | None
    workflow: Workflow | None
    execution_arn: str | None


@dataclass(frozen=True)
class Execution:
    arn: str
    name: str
    workflow: str
    type: str
    status: str
    started_at: float | None  # seconds since the epoch
    stopped_at: float | None
    input: Any
    output: Any
    error: str | None
    cause: Any


@dataclass(frozen=True)
class Trace:
    identifier: str
    matched: str
    request_id: str | None  # the request looked up in the access log (the identifier or meta.requestId)
    request: dict[str, Any] | None  # its access-log record; None when the access log has none
    execution: Execution | None  # None: the request started no execution (e.g. it was refused)
    states: tuple[StateStep, ...] = ()
    audit: tuple[AuditEvent, ...] = ()
    access_log: str | None = None  # the log groups searched, so an absent record says where it was looked for
    audit_log: str | None = None


def find(identifier: str, sources: Sources) -> Found:
    """The request and/or execution `identifier` names, or a one-line StepgateError naming what was searched."""
    identifier = identifier.strip()
    if not _IDENTIFIER.match(identifier):
        raise StepgateError(f"{identifier!r} is not a request id, Idempotency-Key, execution name or execution ARN")
    if identifier.startswith("arn:"):
        workflow = _workflow_of(identifier, sources)
        if not _execution_exists(workflow, identifier, sources):
            raise StepgateError(f"no execution {identifier} ({_where(workflow)})")
        return Found(identifier, "execution ARN", None, workflow, identifier)
    request = access_record(sources, identifier)
    express = cache(lambda group: express_histories(sources.logs, group))  # each log group read once per search
    searches: tuple[tuple[str, Callable[[Workflow], str | None]], ...] = (
        ("execution name (an Idempotency-Key, else the request id)", lambda workflow: _named(identifier, workflow, sources, express)),
        ("request id in the execution input (meta.requestId)", lambda workflow: _requested(identifier, workflow, sources, express)),
    )
    for matched, search in searches:
        for workflow in sources.workflows:
            arn = search(workflow)
            if arn is not None:
                return Found(identifier, matched, request, workflow, arn)
    if request is not None:
        return Found(identifier, "request id (access log)", request, None, None)
    raise StepgateError(_not_found(identifier, sources))


def trace(identifier: str, sources: Sources) -> Trace:
    """Everything `identifier` leads to: request record, execution, per-state steps, audit events."""
    found = find(identifier, sources)
    if found.workflow is None or found.execution_arn is None:
        return Trace(found.identifier, found.matched, found.identifier, found.request, None, access_log=sources.access_log_group)
    execution, events = read_execution(found.workflow, found.execution_arn, sources)
    # The request that started it: REST routes record it in the input, whatever the execution is named.
    request_id = _meta_request_id(execution.input) or (found.identifier if found.request else None)
    request = found.request
    if request is None and request_id is not None:
        request = access_record(sources, request_id, execution.started_at)
    audit = _audit(execution, sources) if found.workflow.type == "STANDARD" else ()
    return Trace(found.identifier, found.matched, request_id, request, execution, tuple(state_steps(events)), audit,
                 sources.access_log_group, sources.audit_log_group)


def read_execution(workflow: Workflow, arn: str, sources: Sources) -> tuple[Execution, list[dict[str, Any]]]:
    """The execution and its history: DescribeExecution and GetExecutionHistory for STANDARD, the log
    group for EXPRESS (which keeps no history API)."""
    if workflow.type == "EXPRESS":
        events = express_histories(sources.logs, _log_group(workflow), f'"{arn}"').get(arn, [])
        described = execution_from_history(arn, events)
    else:
        described = sources.sfn.describe_execution(executionArn=arn)
        events = execution_history(sources.sfn, arn)
    return _execution(workflow, described), events


def access_record(sources: Sources, request_id: str, started_at: float | None = None) -> dict[str, Any] | None:
    """The access-log record (JSON, with requestId) of one request, or None. `started_at`: when the
    execution it started began (seconds), which bounds the read."""
    if not sources.access_log_group:
        return None
    window = {"startTime": int((started_at - LEAD_SECONDS) * 1000)} if started_at else {}
    try:
        pages = sources.logs.get_paginator("filter_log_events").paginate(
            logGroupName=sources.access_log_group, filterPattern=f'{{ $.requestId = "{request_id}" }}', **window)
        for page in pages:
            for record in page["events"]:
                entry = _loads(record.get("message"))
                if isinstance(entry, dict) and entry.get("requestId") == request_id:
                    return entry
    except ClientError as error:
        if _code(error) not in _MISSING:
            raise
    return None


def _named(name: str, workflow: Workflow, sources: Sources, express: Callable[[str], dict[str, Any]]) -> str | None:
    if workflow.type == "EXPRESS":
        if workflow.log_group is None:
            return None
        return next((arn for arn in express(workflow.log_group) if execution_name(arn) == name), None)
    arn = workflow.execution_arn(name)
    return arn if _execution_exists(workflow, arn, sources) else None


def _requested(request_id: str, workflow: Workflow, sources: Sources, express: Callable[[str], dict[str, Any]]) -> str | None:
    if workflow.type == "EXPRESS":
        if workflow.log_group is None:
            return None
        for arn, events in express(workflow.log_group).items():
            if _meta_request_id(execution_from_history(arn, events)["input"]) == request_id:
                return arn
        return None
    for listed in list_executions(sources.sfn, workflow.state_machine_arn, limit=SCAN_LIMIT):  # newest first
        described = sources.sfn.describe_execution(executionArn=listed["executionArn"])
        if _meta_request_id(described.get("input")) == request_id:
            return str(listed["executionArn"])
    return None


def _execution_exists(workflow: Workflow, arn: str, sources: Sources) -> bool:
    if workflow.type == "EXPRESS":
        return arn in express_histories(sources.logs, _log_group(workflow), f'"{arn}"')
    try:
        sources.sfn.describe_execution(executionArn=arn)
    except ClientError as error:
        if _code(error) in _MISSING:
            return False
        raise
    return True


def _workflow_of(arn: str, sources: Sources) -> Workflow:
    """The workflow of arn:aws:states:<region>:<account>:(execution|express):<state machine>:<name>[:<run id>]."""
    parts = arn.split(":")
    if len(parts) < 8 or parts[2] != "states" or parts[5] not in ("execution", "express"):
        raise StepgateError(f"{arn} is not a Step Functions execution ARN")
    for workflow in sources.workflows:
        if workflow.state_machine_name == parts[6]:
            return workflow
    names = ", ".join(workflow.state_machine_name for workflow in sources.workflows)
    raise StepgateError(f"{arn} is an execution of state machine {parts[6]}, which is not one of this deployment's ({names})")


def _log_group(workflow: Workflow) -> str:
    if workflow.log_group is None:
        raise StepgateError(f"workflow {workflow.key} is EXPRESS but the deployment has no log group for it")
    return workflow.log_group


def _where(workflow: Workflow) -> str:
    return f"log group {workflow.log_group}" if workflow.type == "EXPRESS" else f"state machine {workflow.state_machine_name}"


def _not_found(identifier: str, sources: Sources) -> str:
    access = f"the access log {sources.access_log_group}" if sources.access_log_group else "no access log (none deployed)"
    places = ", ".join(f"{workflow.key} ({_where(workflow)})" for workflow in sources.workflows)
    return (f"no request or execution {identifier!r}: searched {access}, execution names and the meta.requestId "
            f"of execution inputs (newest {SCAN_LIMIT} per STANDARD state machine) of {places}")


def _execution(workflow: Workflow, described: Mapping[str, Any]) -> Execution:
    return Execution(
        arn=str(described["executionArn"]), name=str(described["name"]),
        workflow=workflow.key, type=workflow.type, status=str(described["status"]),
        started_at=_seconds(described.get("startDate")), stopped_at=_seconds(described.get("stopDate")),
        input=_loads(described.get("input")), output=_loads(described.get("output")),
        error=described.get("error"), cause=_loads(described.get("cause")),
    )


def _audit(execution: Execution, sources: Sources) -> tuple[AuditEvent, ...]:
    if not sources.audit_log_group:
        return ()
    since = int(((execution.started_at or 0) - LEAD_SECONDS) * 1000)
    events = audit_events(sources.logs, sources.audit_log_group, max(since, 0))
    return tuple(sorted((event for event in events if event.execution_arn == execution.arn), key=lambda event: event.logged_at))


def _meta_request_id(execution_input: Any) -> str | None:
    value = _loads(execution_input)
    meta = value.get("meta") if isinstance(value, dict) else None
    request_id = meta.get("requestId") if isinstance(meta, dict) else None
    return str(request_id) if request_id else None


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _seconds(value: Any) -> float | None:
    return value.timestamp() if isinstance(value, datetime) else None


def _loads(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return text


# --- showing a trace ---------------------------------------------------------------------------------

def short(value: Any, width: int) -> str:
    """One line of at most `width` characters: long inputs and outputs end in an ellipsis."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def capped(value: Any, cap: int = JSON_FIELD_CAP) -> Any:
    """`value` itself when its JSON text fits in `cap` characters, else a marker object with the length
    and the first `cap` characters, so a cut is never mistaken for the value."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    if len(text) <= cap:
        return value
    return {"$truncated": {"length": len(text), "head": text[:cap]}}


def state_row(step: StateStep, started_at: float | None) -> dict[str, Any]:
    """One timeline row: offsets in milliseconds from the execution's start, the last failure of the state."""
    failure = step.failures[-1] if step.failures else None
    return {
        "name": step.name, "type": step.type,
        "entered_ms": _ms(step.entered_at - started_at) if started_at is not None else None,
        "duration_ms": _ms(step.exited_at - step.entered_at) if step.exited_at is not None else None,
        "attempts": step.attempts, "retries": step.retries,
        "error": failure.error if failure else None, "cause": _loads(failure.cause) if failure else None,
        "input": step.input, "output": step.output,
    }


def as_json(trace: Trace, cap: int = JSON_FIELD_CAP) -> dict[str, Any]:
    """The trace as JSON data; inputs, outputs and causes longer than `cap` characters are cut (marked)."""
    execution = trace.execution
    started = execution.started_at if execution else None
    rows = [state_row(step, started) for step in trace.states]
    return {
        "identifier": trace.identifier, "matched": trace.matched, "request_id": trace.request_id,
        "access_log": trace.access_log, "audit_log": trace.audit_log,
        "request": {key: capped(value, cap) for key, value in trace.request.items()} if trace.request else None,
        "execution": None if execution is None else {
            "arn": execution.arn, "name": execution.name, "workflow": execution.workflow, "type": execution.type,
            "status": execution.status, "started": _iso(execution.started_at), "stopped": _iso(execution.stopped_at),
            "duration_ms": _ms(execution.stopped_at - execution.started_at) if execution.stopped_at and execution.started_at else None,
            "input": capped(execution.input, cap), "output": capped(execution.output, cap),
            "error": execution.error, "cause": capped(execution.cause, cap),
        },
        "states": [{**row, **{key: capped(row[key], cap) for key in ("input", "output", "cause")}} for row in rows],
        "audit": [{"status": event.status, "logged": _iso(event.logged_at), "after_stop_ms": _after_stop(event, execution)}
                  for event in trace.audit],
    }


def render(trace: Trace, width: int = 40) -> Group:
    """The trace for a terminal: the request, the execution, its states and its audit events."""
    parts: list[RenderableType] = [Text(f"trace {trace.identifier}: matched by {trace.matched}", style="bold")]
    parts.append(_request_table(trace))
    if trace.execution is None:
        parts.append(Text("the request started no execution", style="yellow"))
        return Group(*parts)
    parts += [_execution_table(trace.execution, width), _states_table(trace, width)]
    if trace.execution.type == "STANDARD":  # EventBridge emits no status-change events for EXPRESS executions
        parts.append(_audit_table(trace))
    return Group(*parts)


STATUS_STYLE = {"SUCCEEDED": "green", "FAILED": "red", "TIMED_OUT": "red", "ABORTED": "red", "RUNNING": "yellow"}


def _request_table(trace: Trace) -> RenderableType:
    if trace.request_id is None:
        return Text("no request id in the execution input (meta.requestId): not started through a REST route", style="dim")
    if trace.request is None:
        where = f"in the access log {trace.access_log}" if trace.access_log else "(the deployment has no access log)"
        return Text(f"request {trace.request_id}: no record {where}", style="dim")
    table = Table(title=f"request {trace.request_id} (access log)", show_header=False, title_justify="left")
    for key, value in trace.request.items():
        if value not in (None, "", "-"):  # the access log writes "-" for what a request did not have
            table.add_row(key, short(value, 120))
    return table


def _execution_table(execution: Execution, width: int) -> Table:
    table = Table(title=f"execution {execution.name}", show_header=False, title_justify="left")
    status = Text(execution.status, style=STATUS_STYLE.get(execution.status, ""))
    took = f"{_ms(execution.stopped_at - execution.started_at):.0f} ms" if execution.stopped_at and execution.started_at else "-"
    rows: list[tuple[str, str | Text]] = [
        ("arn", execution.arn), ("workflow", f"{execution.workflow} ({execution.type})"), ("status", status),
        ("started (UTC)", _clock(execution.started_at)), ("took", took), ("input", short(execution.input, width * 3)),
    ]
    if execution.error or execution.cause:
        rows += [("error", execution.error or "-"), ("cause", short(execution.cause, width * 3))]
    else:
        rows.append(("output", short(execution.output, width * 3)))
    for key, value in rows:
        table.add_row(key, value)
    return table


def _states_table(trace: Trace, width: int) -> Table:
    table = Table(title="states, as entered", title_justify="left")
    for column in ("state", "type", "entered +ms", "took ms", "retries", "error", "input", "output"):
        table.add_column(column, overflow="fold")
    started = trace.execution.started_at if trace.execution else None
    for row in (state_row(step, started) for step in trace.states):
        error = f"{row['error']}: {short(row['cause'], width)}" if row["error"] or row["cause"] else ""
        table.add_row(
            row["name"], row["type"], _number(row["entered_ms"]), _number(row["duration_ms"]), str(row["retries"] or ""),
            Text(error, style="red") if error else "", short(row["input"], width),
            short(row["output"], width) if row["duration_ms"] is not None else "-",
        )
    return table


def _audit_table(trace: Trace) -> RenderableType:
    if trace.audit_log is None:
        return Text("no audit events: the deployment has no audit log group", style="yellow")
    if not trace.audit:
        return Text(f"no audit event for this execution in {trace.audit_log} (yet)", style="yellow")
    table = Table()
    for column in ("status", "logged (UTC)", "after stop ms"):
        table.add_column(column)
    for event in trace.audit:
        table.add_row(event.status, _clock(event.logged_at), _number(_after_stop(event, trace.execution)))
    return Group(Text(f"audit events in {trace.audit_log}", style="italic"), table)


def _after_stop(event: AuditEvent, execution: Execution | None) -> float | None:
    """How long after the execution stopped its event was logged: the audit stream's delivery lag."""
    if execution is None or execution.stopped_at is None or event.status == "RUNNING":
        return None
    return _ms(event.logged_at - execution.stopped_at)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _clock(seconds: float | None) -> str:
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%H:%M:%S.%f")[:-3] if seconds is not None else "-"


def _iso(seconds: float | None) -> str | None:
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="milliseconds") if seconds is not None else None
