"""`stepgate trace` on recorded event shapes with fake clients: events in -> timeline rows out (retries,
errors and causes per state), what an identifier resolves to, the rendered table, JSON with cut values,
and the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from rich.console import Console

from stepgate.cli import main
from stepgate.cli import trace as trace_cli
from stepgate.e2e.target import Target
from stepgate.e2e.trace import Sources, Trace, Workflow, as_json, capped, find, render, state_row, trace
from stepgate.e2e.verify import state_steps
from stepgate.errors import StepgateError

T0 = datetime(2026, 12, 1, 10, 0, 0, tzinfo=timezone.utc)
ACCOUNT = "arn:aws:states:us-east-1:000000000000"
REPORTS = f"{ACCOUNT}:stateMachine:reports"
QUOTES = f"{ACCOUNT}:stateMachine:quotes"


def details_key(kind: str) -> str:
    if kind.endswith("StateEntered"):
        return "stateEnteredEventDetails"
    if kind.endswith("StateExited"):
        return "stateExitedEventDetails"
    return kind[0].lower() + kind[1:] + "EventDetails"


def event(id_: int, prev: int, kind: str, ms: int = 0, **details: Any) -> dict[str, Any]:
    """A GetExecutionHistory event `ms` milliseconds after T0; inputs and outputs are JSON text, as AWS gives them."""
    data: dict[str, Any] = {"id": id_, "previousEventId": prev, "type": kind, "timestamp": T0 + timedelta(milliseconds=ms)}
    if details:
        data[details_key(kind)] = {key: json.dumps(value) if key in ("input", "output") else value for key, value in details.items()}
    return data


def failed_attempt(first_id: int, prev: int, ms: int, error: str, cause: str) -> list[dict[str, Any]]:
    return [event(first_id, prev, "TaskScheduled", ms), event(first_id + 1, first_id, "TaskStarted", ms),
            event(first_id + 2, first_id + 1, "TaskFailed", ms + 20, error=error, cause=cause)]


BODY = {"body": {"reportId": "r-2", "fail": True}}
CAUGHT = {**BODY, "error": {"Error": "SNS.InvalidParameterException", "Cause": "no default entry"}}
# examples/basic's failing report as the emulator records it: Choice, then a Task retried twice (three
# attempts) whose error is caught, then a Fail state that fails the execution.
RETRIED_THEN_CAUGHT = [
    event(1, 0, "ExecutionStarted", 0, input=BODY),
    event(2, 0, "ChoiceStateEntered", 5, name="CheckReport", input=BODY),
    event(3, 2, "ChoiceStateExited", 6, name="CheckReport", output=BODY),
    event(4, 3, "TaskStateEntered", 10, name="PublishAlert", input=BODY),
    *failed_attempt(5, 4, 10, "SNS.InvalidParameterException", "no default entry"),
    *failed_attempt(8, 7, 1030, "SNS.InvalidParameterException", "no default entry"),
    *failed_attempt(11, 10, 3050, "SNS.InvalidParameterException", "no default entry"),
    event(14, 13, "TaskStateExited", 3075, name="PublishAlert", output=CAUGHT),
    event(15, 14, "FailStateEntered", 3080, name="ReportFailed", input=CAUGHT),
    event(16, 15, "ExecutionFailed", 3081, error="ReportProcessingFailed", cause="A report task failed after its retries"),
]
# Choice -> Parallel(QueueReport | NotifySubscribers) -> Succeed, each Task succeeding at its first attempt.
PARALLEL_SUCCESS = [
    event(1, 0, "ExecutionStarted", 0, input=BODY),
    event(2, 0, "ChoiceStateEntered", 1, name="CheckReport", input=BODY),
    event(3, 2, "ChoiceStateExited", 2, name="CheckReport", output=BODY),
    event(4, 3, "ParallelStateEntered", 3, name="FanOut", input=BODY),
    event(5, 4, "ParallelStateStarted", 3),
    event(6, 5, "TaskStateEntered", 4, name="QueueReport", input=BODY),
    event(7, 5, "TaskStateEntered", 4, name="NotifySubscribers", input=BODY),
    event(8, 6, "TaskScheduled", 5), event(9, 7, "TaskScheduled", 5),
    event(10, 8, "TaskSucceeded", 30), event(11, 9, "TaskSucceeded", 40),
    event(12, 10, "TaskStateExited", 31, name="QueueReport", output={"queued": True}),
    event(13, 11, "TaskStateExited", 41, name="NotifySubscribers", output={"announced": True}),
    event(14, 13, "ParallelStateExited", 45, name="FanOut", output=BODY),
    event(15, 14, "SucceedStateEntered", 46, name="ReportProcessed", input=BODY),
    event(16, 15, "SucceedStateExited", 46, name="ReportProcessed", output=BODY),
    event(17, 16, "ExecutionSucceeded", 47, output=json.dumps(BODY)),
]
# A Task without Retry or Catch: its failure is the execution's failure, owned by that Task.
UNCAUGHT = [
    event(1, 0, "ExecutionStarted", 0, input=BODY),
    event(2, 0, "TaskStateEntered", 1, name="Charge", input=BODY),
    *failed_attempt(3, 2, 2, "Payment.Declined", "card expired"),
    event(6, 5, "ExecutionFailed", 30, error="Payment.Declined", cause="card expired"),
]
# A retry that succeeds: two attempts, the first one's error stays visible on the row.
RETRY_THEN_SUCCESS = [
    event(1, 0, "ExecutionStarted", 0, input=BODY),
    event(2, 0, "TaskStateEntered", 1, name="Flaky", input=BODY),
    *failed_attempt(3, 2, 2, "States.Timeout", "slow"),
    event(6, 5, "TaskScheduled", 1000), event(7, 6, "TaskStarted", 1000), event(8, 7, "TaskSucceeded", 1010),
    event(9, 8, "TaskStateExited", 1011, name="Flaky", output={"ok": True}),
    event(10, 9, "ExecutionSucceeded", 1012),
]
# Two Map iterations run the same state; attempts are counted per iteration, not per name.
MAP_ITERATIONS = [
    event(1, 0, "ExecutionStarted", 0, input=BODY),
    event(2, 0, "MapStateEntered", 1, name="EachItem", input=BODY),
    event(3, 2, "MapIterationStarted", 2),
    event(4, 3, "TaskStateEntered", 3, name="Item", input={"n": 1}),
    event(5, 3, "TaskStateEntered", 3, name="Item", input={"n": 2}),
    event(6, 4, "TaskScheduled", 4), event(7, 5, "TaskScheduled", 4),
    event(8, 7, "TaskFailed", 10, error="Busy", cause="try again"),
    event(9, 8, "TaskScheduled", 500),
    event(10, 6, "TaskSucceeded", 20), event(11, 9, "TaskSucceeded", 520),
    event(12, 10, "TaskStateExited", 21, name="Item", output={"n": 1}),
    event(13, 11, "TaskStateExited", 521, name="Item", output={"n": 2}),
    event(14, 13, "MapStateExited", 530, name="EachItem", output=[{"n": 1}, {"n": 2}]),
    event(15, 14, "ExecutionSucceeded", 531),
]


@pytest.mark.parametrize("events, rows", [
    (RETRIED_THEN_CAUGHT, [
        ("CheckReport", "Choice", 5.0, 1.0, 0, None, None),
        ("PublishAlert", "Task", 10.0, 3065.0, 2, "SNS.InvalidParameterException", "no default entry"),
        ("ReportFailed", "Fail", 3080.0, None, 0, "ReportProcessingFailed", "A report task failed after its retries"),
    ]),
    (PARALLEL_SUCCESS, [
        ("CheckReport", "Choice", 1.0, 1.0, 0, None, None),
        ("FanOut", "Parallel", 3.0, 42.0, 0, None, None),
        ("QueueReport", "Task", 4.0, 27.0, 0, None, None),
        ("NotifySubscribers", "Task", 4.0, 37.0, 0, None, None),
        ("ReportProcessed", "Succeed", 46.0, 0.0, 0, None, None),
    ]),
    (UNCAUGHT, [("Charge", "Task", 1.0, None, 0, "Payment.Declined", "card expired")]),
    (RETRY_THEN_SUCCESS, [("Flaky", "Task", 1.0, 1010.0, 1, "States.Timeout", "slow")]),
    (MAP_ITERATIONS, [
        ("EachItem", "Map", 1.0, 529.0, 0, None, None),
        ("Item", "Task", 3.0, 18.0, 0, None, None),
        ("Item", "Task", 3.0, 518.0, 1, "Busy", "try again"),
    ]),
], ids=["retried-then-caught", "parallel-success", "uncaught-failure", "retry-then-success", "map-iterations"])
def test_events_become_timeline_rows(events: list[dict[str, Any]], rows: list[tuple[Any, ...]]) -> None:
    actual = [state_row(step, T0.timestamp()) for step in state_steps(events)]
    keys = ("name", "type", "entered_ms", "duration_ms", "retries", "error", "cause")
    assert [tuple(row[key] for key in keys) for row in actual] == rows


def test_a_retried_task_counts_its_attempts_and_keeps_every_failure() -> None:
    alert = state_steps(RETRIED_THEN_CAUGHT)[1]
    assert (alert.attempts, alert.retries, [f.event_type for f in alert.failures]) == (3, 2, ["TaskFailed"] * 3)
    assert state_steps(RETRIED_THEN_CAUGHT)[2].failures[0].event_type == "ExecutionFailed"


# --- a fake deployment ------------------------------------------------------------------------------

def missing(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "not found"}}, "Operation")


class Pages:
    def __init__(self, pages: list[dict[str, Any]]):
        self.pages = pages

    def paginate(self, **_: Any) -> Iterator[dict[str, Any]]:
        return iter(self.pages)


class FakeSfn:
    """DescribeExecution, ListExecutions (newest first) and GetExecutionHistory over recorded executions."""

    def __init__(self, executions: list[tuple[dict[str, Any], list[dict[str, Any]]]]):
        self.executions = {described["executionArn"]: (described, events) for described, events in executions}
        self.described: list[str] = []

    def describe_execution(self, executionArn: str) -> dict[str, Any]:
        self.described.append(executionArn)
        if executionArn not in self.executions:
            raise missing("ExecutionDoesNotExist")
        return self.executions[executionArn][0]

    def get_paginator(self, name: str) -> Any:
        sfn = self

        class Paginator:
            def paginate(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
                if name == "get_execution_history":
                    yield {"events": sfn.executions[kwargs["executionArn"]][1]}
                else:
                    listed = [d for d, _ in sfn.executions.values() if d["stateMachineArn"] == kwargs["stateMachineArn"]]
                    yield {"executions": sorted(listed, key=lambda d: d["startDate"], reverse=True)}

        return Paginator()


class FakeLogs:
    """FilterLogEvents that ignores patterns (as the emulator does) but honours startTime."""

    def __init__(self, groups: dict[str, list[dict[str, Any]]]):
        self.groups = groups

    def get_paginator(self, name: str) -> Any:
        logs = self

        class Paginator:
            def paginate(self, logGroupName: str, startTime: int = 0, **_: Any) -> Iterator[dict[str, Any]]:
                if logGroupName not in logs.groups:
                    raise missing("ResourceNotFoundException")
                yield {"events": [r for r in logs.groups[logGroupName] if r["timestamp"] >= startTime]}

        return Paginator()


def described(state_machine: str, name: str, events: list[dict[str, Any]], request_id: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"executionArn": f"{state_machine.replace(':stateMachine:', ':execution:')}:{name}", "stateMachineArn": state_machine,
            "name": name, "status": status, "startDate": T0, "stopDate": T0 + timedelta(seconds=9),
            "input": json.dumps({"body": {}, "meta": {"requestId": request_id}}), **extra}


def log_record(message: Any, ms: int = 0) -> dict[str, Any]:
    when = int(T0.timestamp() * 1000) + ms
    return {"message": json.dumps(message), "timestamp": when, "ingestionTime": when}


def express_records(run: str, name: str, request_id: str) -> list[dict[str, Any]]:
    """An EXPRESS execution as its log group holds it (level ALL, execution data included)."""
    arn = f"{ACCOUNT}:express:quotes:{name}:{run}"
    execution_input = json.dumps({"body": {"quoteId": "q-1"}, "meta": {"requestId": request_id}})
    entries = [
        ("1", "0", "ExecutionStarted", {"input": execution_input}),
        ("2", "0", "PassStateEntered", {"name": "PriceQuote", "input": execution_input}),
        ("3", "2", "PassStateExited", {"name": "PriceQuote", "output": '{"unitPrice": 10}'}),
        ("4", "3", "ExecutionSucceeded", {"output": '{"unitPrice": 10}'}),
    ]
    return [log_record({"id": i, "previous_event_id": p, "type": t, "execution_arn": arn, "details": d,
                        "event_timestamp": (T0 + timedelta(milliseconds=10 * int(i))).isoformat()}) for i, p, t, d in entries]


def audit_record(arn: str, status: str, seconds: float) -> dict[str, Any]:
    event = {"detail-type": "Step Functions Execution Status Change",
             "detail": {"executionArn": arn, "status": status, "stateMachineArn": REPORTS}}
    return log_record(event, int(seconds * 1000))


FAILED_BY_KEY = described(REPORTS, "key-9", RETRIED_THEN_CAUGHT, "req-2", "FAILED", error="ReportProcessingFailed",
                          cause="A report task failed after its retries")


@pytest.fixture
def sources() -> Sources:
    sfn = FakeSfn([
        (described(REPORTS, "req-1", PARALLEL_SUCCESS, "req-1", "SUCCEEDED", output=json.dumps(BODY)), PARALLEL_SUCCESS),
        (FAILED_BY_KEY, RETRIED_THEN_CAUGHT),
    ])
    logs = FakeLogs({
        "/access": [log_record({"requestId": "req-1", "httpMethod": "POST", "status": "200", "errorMessage": "-"}),
                    log_record({"requestId": "req-5", "httpMethod": "POST", "status": "400"})],
        "/quotes": express_records("run-a", "req-3", "req-3") + express_records("run-b", "key-x", "req-4"),
        "/audit": [audit_record(FAILED_BY_KEY["executionArn"], "RUNNING", 1), audit_record(FAILED_BY_KEY["executionArn"], "FAILED", 9.25),
                   audit_record(f"{ACCOUNT}:execution:reports:someone-else", "SUCCEEDED", 5)],
    })
    return Sources(sfn, logs, (Workflow("process-report", REPORTS, "STANDARD", "/reports"), Workflow("quote", QUOTES, "EXPRESS", "/quotes")),
                   access_log_group="/access", audit_log_group="/audit")


@pytest.mark.parametrize("identifier, matched, execution", [
    ("req-1", "execution name", f"{ACCOUNT}:execution:reports:req-1"),  # named by its request id
    ("key-9", "execution name", f"{ACCOUNT}:execution:reports:key-9"),  # named by its Idempotency-Key
    ("req-2", "request id in the execution input", f"{ACCOUNT}:execution:reports:key-9"),  # its request id
    (f"{ACCOUNT}:execution:reports:key-9", "execution ARN", f"{ACCOUNT}:execution:reports:key-9"),
    ("req-3", "execution name", f"{ACCOUNT}:express:quotes:req-3:run-a"),
    ("req-4", "request id in the execution input", f"{ACCOUNT}:express:quotes:key-x:run-b"),
    (f"{ACCOUNT}:express:quotes:key-x:run-b", "execution ARN", f"{ACCOUNT}:express:quotes:key-x:run-b"),
    ("req-5", "request id (access log)", None),  # a refused request: logged, started nothing
])
def test_an_identifier_resolves_to_its_execution(sources: Sources, identifier: str, matched: str, execution: str | None) -> None:
    found = find(identifier, sources)
    assert found.matched.startswith(matched) and found.execution_arn == execution


def test_a_request_whose_execution_has_its_own_name_is_traced_through_the_input(sources: Sources) -> None:
    traced = trace("req-2", sources)
    assert traced.execution is not None and traced.execution.name == "key-9" and traced.request_id == "req-2"
    assert [step.name for step in traced.states] == ["CheckReport", "PublishAlert", "ReportFailed"]
    assert traced.states[1].retries == 2 and traced.execution.error == "ReportProcessingFailed"
    assert [event.status for event in traced.audit] == ["RUNNING", "FAILED"]  # only this execution's events


def test_an_execution_name_finds_its_access_log_record_through_the_input(sources: Sources) -> None:
    traced = trace("req-1", sources)
    assert traced.request is not None and traced.request["status"] == "200" and traced.audit == ()


def test_an_express_execution_is_read_from_its_log_group(sources: Sources) -> None:
    traced = trace("req-4", sources)
    assert traced.execution is not None and (traced.execution.type, traced.execution.status) == ("EXPRESS", "SUCCEEDED")
    assert traced.execution.output == {"unitPrice": 10} and traced.execution.input["meta"]["requestId"] == "req-4"
    assert [(step.name, step.output) for step in traced.states] == [("PriceQuote", {"unitPrice": 10})]


def test_a_refused_request_is_traced_without_an_execution(sources: Sources) -> None:
    traced = trace("req-5", sources)
    assert traced.execution is None and traced.request == {"requestId": "req-5", "httpMethod": "POST", "status": "400"}
    assert "the request started no execution" in text(traced)


def test_an_unknown_id_is_one_line_naming_what_was_searched(sources: Sources) -> None:
    with pytest.raises(StepgateError) as raised:
        find("nobody-sent-this", sources)
    message = str(raised.value)
    assert "\n" not in message and message.startswith("no request or execution 'nobody-sent-this': searched the access log /access")
    assert "process-report (state machine reports)" in message and "quote (log group /quotes)" in message
    assert "meta.requestId" in message


@pytest.mark.parametrize("identifier, message", [
    (f"{ACCOUNT}:execution:payments:p-1", "execution of state machine payments, which is not one of this deployment's (reports, quotes)"),
    (f"{ACCOUNT}:execution:reports:nope", f"no execution {ACCOUNT}:execution:reports:nope (state machine reports)"),
    ("arn:aws:sns:us-east-1:000000000000:topic:x:y", "is not a Step Functions execution ARN"),
    ("two words", "is not a request id, Idempotency-Key, execution name or execution ARN"),
])
def test_identifiers_that_name_nothing_here_are_refused(sources: Sources, identifier: str, message: str) -> None:
    with pytest.raises(StepgateError, match=message.replace("(", r"\(").replace(")", r"\)")):
        find(identifier, sources)


def test_a_standard_request_id_is_searched_only_as_far_as_needed(sources: Sources) -> None:
    find("req-1", sources)
    assert sources.sfn.described == [f"{ACCOUNT}:execution:reports:req-1"]  # by name: one call, no input scan


def text(traced: Trace) -> str:
    console = Console(width=200, record=True)
    console.print(render(traced))
    return console.export_text()


def test_the_table_shows_states_retries_errors_and_audit_at_clock_time(sources: Sources) -> None:
    rendered = text(trace("key-9", sources))
    alert = next(line for line in rendered.splitlines() if "PublishAlert" in line)
    assert "Task" in alert and " 2 " in alert and "SNS.InvalidParameterException: no default entry" in alert
    assert "ReportProcessingFailed" in next(line for line in rendered.splitlines() if "ReportFailed" in line)
    failed = next(line for line in rendered.splitlines() if "FAILED" in line and "10:00:09.250" in line)
    assert failed.replace("│", " ").split()[-1] == "250"  # logged 250 ms after the execution stopped
    assert "request req-2: no record in the access log /access" in rendered


def test_json_keeps_values_whole_up_to_the_cap_and_marks_cut_ones(sources: Sources) -> None:
    document = as_json(trace("key-9", sources), cap=50)
    json.dumps(document)  # plain JSON data
    alert = document["states"][1]
    assert (alert["retries"], alert["attempts"], alert["error"]) == (2, 3, "SNS.InvalidParameterException")
    assert alert["input"] == BODY  # short enough: the value itself
    assert alert["output"] == {"$truncated": {"length": len(json.dumps(CAUGHT)), "head": json.dumps(CAUGHT)[:50]}}
    assert document["execution"]["status"] == "FAILED" and document["execution"]["started"] == "2026-12-01T10:00:00.000+00:00"
    assert [event["status"] for event in document["audit"]] == ["RUNNING", "FAILED"] and document["audit"][1]["after_stop_ms"] == 250.0
    assert capped("x" * 10, 10) == "x" * 10 and capped("x" * 11, 10) == {"$truncated": {"length": 11, "head": "x" * 10}}


# --- the command line -------------------------------------------------------------------------------

MODULE = {"api_id": "a", "stage_name": "v1", "invoke_url": "u", "routes": {}, "state_machine_arns": {}, "state_machine_types": {}}


@pytest.mark.parametrize("document", [
    {"stepgate": {"value": MODULE, "type": ["object", {}], "sensitive": False}, "queue": {"value": "q", "type": "string"}},
    {"stepgate": MODULE, "queue": "q"},
], ids=["tofu output -json", "plain values"])
def test_outputs_are_read_as_tofu_output_json_or_plain_values(tmp_path: Path, document: dict[str, Any]) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(document))
    assert trace_cli.load_outputs(path) == {"stepgate": MODULE, "queue": "q"}


def test_the_local_target_is_the_one_recorded_sandbox_or_an_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    from stepgate.sandbox import Sandbox

    one = Sandbox("http://127.0.0.1:4566", "eu-west-1", 4566, 1, Path("log"), Path("state"))
    monkeypatch.setattr(trace_cli, "list_sandboxes", lambda _: [one])
    assert trace_cli.choose_target("local", None, "us-east-1") == Target("local", "eu-west-1", "http://127.0.0.1:4566")
    assert trace_cli.choose_target("local", "http://h:1", "us-east-1").endpoint_url == "http://h:1"
    assert trace_cli.choose_target("aws", None, "eu-central-1") == Target("aws", "eu-central-1")
    monkeypatch.setattr(trace_cli, "list_sandboxes", lambda _: [one, one])
    with pytest.raises(StepgateError, match="needs --endpoint URL: `stepgate sandbox up` recorded 2 sandboxes"):
        trace_cli.choose_target("local", None, "us-east-1")


@pytest.fixture
def cli_with(sources: Sources, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """`stepgate trace` arguments whose deployment is the fake one."""
    monkeypatch.setattr(Sources, "from_module", classmethod(lambda cls, module, sfn, logs: sources))
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"stepgate": MODULE}))
    return ["--outputs", str(outputs), "--endpoint", "http://127.0.0.1:1"]


def test_the_command_prints_json(cli_with: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "req-2", *cli_with, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["execution"]["name"] == "key-9" and [s["retries"] for s in document["states"]] == [0, 2, 0]


def test_the_command_refuses_an_unknown_id_in_one_line_with_exit_2(cli_with: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "nobody-sent-this", *cli_with]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("stepgate: no request or execution 'nobody-sent-this': searched")


def test_the_command_names_a_missing_outputs_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "req-1", "--outputs", str(tmp_path / "none.json"), "--endpoint", "http://127.0.0.1:1"]) == 2
    assert "cannot read" in capsys.readouterr().err
