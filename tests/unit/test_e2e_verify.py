"""History, retry and audit logic on recorded event shapes (as LocalStack and AWS return them)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from stepgate.e2e.checks import check_retries, contains, rejection_requests
from stepgate.e2e.scenario import Case, Route
from stepgate.e2e.verify import audit_by_execution, check_data_flow, check_state_order, poll, state_steps
from stepgate.errors import StepgateError

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def event(id_: int, prev: int, kind: str, **details: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": id_, "previousEventId": prev, "type": kind, "timestamp": T0 + timedelta(milliseconds=id_)}
    if kind.endswith("StateEntered"):
        data["stateEnteredEventDetails"] = {"name": details["name"], "input": json.dumps(details.get("input", {}))}
    elif kind.endswith("StateExited"):
        data["stateExitedEventDetails"] = {"name": details["name"], "output": json.dumps(details.get("output", {}))}
    elif kind == "ExecutionStarted":
        data["executionStartedEventDetails"] = {"input": json.dumps(details["input"])}
    elif kind == "TaskFailed":
        data["taskFailedEventDetails"] = {"error": details["error"]}
    return data


START = {"body": {"reportId": "r1"}}
FANOUT = {**START, "fanout": [{"id": "q"}, {"id": "n"}]}
# The successful run of a Choice -> Parallel(Queue | Notify) -> Succeed workflow, as recorded from the emulator.
PARALLEL_RUN = [
    event(1, 0, "ExecutionStarted", input=START),
    event(2, 0, "ChoiceStateEntered", name="Route", input=START),
    event(3, 2, "ChoiceStateExited", name="Route", output=START),
    event(4, 3, "ParallelStateEntered", name="Fanout", input=START),
    event(5, 4, "ParallelStateStarted"),
    event(6, 5, "TaskStateEntered", name="Notify", input=START),
    event(7, 5, "TaskStateEntered", name="Queue", input=START),
    event(13, 7, "TaskStateExited", name="Queue", output={"id": "q"}),
    event(15, 6, "TaskStateExited", name="Notify", output={"id": "n"}),
    event(17, 15, "ParallelStateExited", name="Fanout", output=FANOUT),
    event(18, 17, "SucceedStateEntered", name="Done", input=FANOUT),
    event(19, 18, "SucceedStateExited", name="Done", output=FANOUT),
    event(20, 19, "ExecutionSucceeded"),
]
SUCCEEDED = {"status": "SUCCEEDED"}


def test_steps_pair_each_entry_with_its_exit() -> None:
    steps = state_steps(PARALLEL_RUN)
    assert [s.name for s in steps] == ["Route", "Fanout", "Notify", "Queue", "Done"]
    assert steps[2].output == {"id": "n"} and steps[3].output == {"id": "q"}
    assert steps[1].output == FANOUT


def test_parallel_branches_match_in_any_order() -> None:
    steps = state_steps(PARALLEL_RUN)
    assert check_state_order(["Route", "Fanout", ["Queue", "Notify"], "Done"], steps) == []


@pytest.mark.parametrize("expected", [
    ["Route", "Fanout", ["Queue", "Notify"]],  # a state too many was entered
    ["Route", "Fanout", ["Queue", "Notify"], "Done", "Extra"],  # a state never entered
    ["Fanout", "Route", ["Queue", "Notify"], "Done"],  # wrong order
])
def test_state_order_mismatch_is_reported(expected: list[Any]) -> None:
    assert check_state_order(expected, state_steps(PARALLEL_RUN))


def test_data_flow_of_a_consistent_history_is_clean() -> None:
    assert check_data_flow(state_steps(PARALLEL_RUN), PARALLEL_RUN, SUCCEEDED) == []


def test_data_flow_catches_an_input_that_is_not_the_previous_output() -> None:
    broken = [dict(e) for e in PARALLEL_RUN]
    broken[10] = event(18, 17, "SucceedStateEntered", name="Done", input={"tampered": True})
    problems = check_data_flow(state_steps(broken), broken, SUCCEEDED)
    assert any("Done input" in p and "Fanout's output" in p for p in problems)


def test_data_flow_checks_the_first_state_against_the_execution_input() -> None:
    broken = [dict(e) for e in PARALLEL_RUN]
    broken[1] = event(2, 0, "ChoiceStateEntered", name="Route", input={"other": 1})
    assert any("first state Route" in p for p in check_data_flow(state_steps(broken), broken, SUCCEEDED))


RETRY_DEFINITION = {"StartAt": "Broken", "States": {"Broken": {
    "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True,
    "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}]}}}


def failed_run(attempts: int) -> list[dict[str, Any]]:
    events = [event(1, 0, "ExecutionStarted", input={}), event(2, 0, "TaskStateEntered", name="Broken")]
    previous = 2
    for _ in range(attempts):
        ident = len(events) + 1
        events += [event(ident, previous, "TaskScheduled"), event(ident + 1, ident, "TaskStarted"),
                   event(ident + 2, ident + 1, "TaskFailed", error="SQS.SdkClientException")]
        previous = ident + 2
    return events


def test_retries_match_the_definition() -> None:
    assert check_retries(failed_run(3), RETRY_DEFINITION) == []


@pytest.mark.parametrize("attempts", [1, 2, 4])
def test_wrong_number_of_attempts_is_reported(attempts: int) -> None:
    assert check_retries(failed_run(attempts), RETRY_DEFINITION) == [
        f"state Broken was attempted {attempts} time(s), its Retry allows exactly 3"]


def test_contains_is_a_recursive_subset() -> None:
    assert contains({"a": {"b": 1, "c": 2}, "d": [1, {"e": 3, "f": 4}]}, {"a": {"b": 1}, "d": [1, {"e": 3}]})
    assert not contains({"a": {"b": 1}}, {"a": {"b": 2}})
    assert not contains({"d": [1, 2]}, {"d": [1]})
    assert not contains("text", {"a": 1})


def test_audit_grouping_counts_duplicates() -> None:
    from stepgate.e2e.verify import AuditEvent

    events = [AuditEvent("arn:1", "SUCCEEDED", "sm", 0, {}), AuditEvent("arn:1", "SUCCEEDED", "sm", 0, {}),
              AuditEvent("arn:2", "FAILED", "sm", 0, {})]
    assert audit_by_execution(events) == {"arn:1": ["SUCCEEDED", "SUCCEEDED"], "arn:2": ["FAILED"]}


def test_poll_times_out_with_the_subject() -> None:
    with pytest.raises(StepgateError, match="waiting for the moon"):
        poll(lambda: 1, lambda _: False, 0.3, "the moon", first_delay=0.05)


def rest_route(invalid_body: Any = None) -> Route:
    return Route("w", "POST", "/processReport", "async", "STANDARD", valid_body={"ok": 1},
                 cases=(Case("c", {}, "SUCCEEDED", ()),), invalid_body=invalid_body)


def test_rejections_cover_every_bad_input_kind() -> None:
    requests = rejection_requests(rest_route(invalid_body={"bad": 1}), "http://u/processReport", "http://u/nope")
    labels = [r[0] for r in requests]
    assert labels == ["malformed JSON", "body violates request_schema", "wrong content type", "oversized body",
                      "unknown path", "wrong method"]
    assert requests[1][3] == {"bad": 1}
    assert len(requests[3][3]) > 10 * 1024 * 1024
    assert requests[5][1] == "GET" and requests[4][2] == "http://u/nope"


def test_a_route_that_cannot_validate_bodies_gets_no_schema_rejection() -> None:
    labels = [r[0] for r in rejection_requests(rest_route(), "http://u/orders", "http://u/nope")]
    assert labels == ["malformed JSON", "wrong content type", "oversized body", "unknown path", "wrong method"]
