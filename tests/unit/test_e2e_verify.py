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


def express_log(arn: str, entries: list[tuple[int, int, str, dict[str, Any]]]) -> Any:
    """A fake CloudWatch Logs client holding EXPRESS log entries as the emulator writes them."""
    records = [{"message": json.dumps({"id": str(i), "previous_event_id": str(p), "type": t, "execution_arn": arn, "details": d,
                                       "event_timestamp": (T0 + timedelta(milliseconds=i)).isoformat()})} for i, p, t, d in entries]

    class Logs:
        def get_paginator(self, name: str) -> Any:
            class Pages:
                def paginate(self, **_: Any) -> list[dict[str, Any]]:
                    return [{"events": records}]
            return Pages()
    return Logs()


def test_an_express_log_reads_like_a_history_with_attempts_failures_and_the_end() -> None:
    from stepgate.e2e.verify import execution_from_history, express_histories

    arn = "arn:aws:states:us-east-1:000000000000:express:quotes:req-7:run-1"
    logs = express_log(arn, [
        (1, 0, "ExecutionStarted", {"input": '{"body": {"q": 1}}'}),
        (2, 0, "TaskStateEntered", {"name": "Price", "input": '{"body": {"q": 1}}'}),
        (3, 2, "TaskScheduled", {"resource": "publish"}),
        (4, 3, "TaskFailed", {"error": "SNS.NotFoundException", "cause": "no topic"}),
        (5, 4, "TaskScheduled", {"resource": "publish"}),
        (6, 5, "TaskFailed", {"error": "SNS.NotFoundException", "cause": "no topic, again"}),
        (7, 6, "ExecutionFailed", {"error": "SNS.NotFoundException", "cause": "no topic, again"}),
    ])
    events = express_histories(logs, "/quotes")[arn]
    [step] = state_steps(events)
    assert (step.attempts, step.retries, [f.event_type for f in step.failures]) == (2, 1, ["TaskFailed", "TaskFailed", "ExecutionFailed"])
    assert step.failures[-1].cause == "no topic, again"
    execution = execution_from_history(arn, events)
    assert {k: execution[k] for k in ("name", "status", "error", "cause", "input")} == {
        "name": "req-7", "status": "FAILED", "error": "SNS.NotFoundException", "cause": "no topic, again", "input": '{"body": {"q": 1}}'}
    assert execution_from_history(arn, events[:3])["status"] == "RUNNING"


class FakeSqs:
    """A reviewer queue: receive returns every message (visibility 0), delete removes one."""

    def __init__(self, bodies: list[Any]):
        self.messages = {f"h{i}": json.dumps(body) for i, body in enumerate(bodies)}

    def receive_message(self, **_: Any) -> dict[str, Any]:
        return {"Messages": [{"ReceiptHandle": handle, "Body": body} for handle, body in self.messages.items()]}

    def delete_message(self, QueueUrl: str, ReceiptHandle: str) -> None:
        del self.messages[ReceiptHandle]


def test_the_token_is_the_one_of_the_message_carrying_the_request_body() -> None:
    from stepgate.e2e.checks import Reviewers, receive_token

    sqs = FakeSqs([{"taskToken": "t-other", "body": {"expenseId": "e-2"}}, {"taskToken": "t-mine", "body": {"expenseId": "e-1"}}])
    assert receive_token(Reviewers(sqs, "q", "taskToken"), {"expenseId": "e-1"}) == "t-mine"
    assert list(sqs.messages.values()) == [json.dumps({"taskToken": "t-other", "body": {"expenseId": "e-2"}})]  # only mine is taken
    with pytest.raises(StepgateError, match="a task token for"):
        receive_token(Reviewers(sqs, "q", "taskToken"), {"expenseId": "e-1"}, timeout=0.5)


REVIEWER = {"userArn": "arn:aws:iam::111111111111:user/ana", "caller": "AIDA", "accountId": "111111111111"}
APPROVED = {"status": "SUCCEEDED", "output": json.dumps(
    {"expense": {}, "approval": {"approved": True, "comment": "ok", "requestId": "r", "reviewer": REVIEWER}})}
REJECTED = {"status": "FAILED", "error": "Rejected", "cause": json.dumps(
    {"rejected": True, "reason": "over budget", "requestId": "r", "reviewer": REVIEWER})}


@pytest.mark.parametrize("execution, decision, identity, problems", [
    (APPROVED, ("approve", "ok", ""), REVIEWER["userArn"], []),
    (APPROVED, ("approve", "ok", ""), None, []),  # the emulator: no identity to compare
    (REJECTED, ("reject", "", "over budget"), REVIEWER["userArn"], []),
    (APPROVED, ("approve", "ok", ""), "arn:aws:iam::111111111111:user/bob", ["is not the caller arn:aws:iam::111111111111:user/bob"]),
    (APPROVED, ("approve", "another comment", ""), None, ["the output has no decision record"]),
    ({**REJECTED, "error": "States.TaskFailed"}, ("reject", "", "over budget"), None, ["error 'States.TaskFailed'"]),
    ({**REJECTED, "cause": "plain text"}, ("reject", "", "over budget"), None, ["the cause has no decision record"]),
])
def test_a_decision_is_recorded_with_its_text_and_reviewer(execution: dict[str, Any], decision: tuple[str, str, str],
                                                          identity: str | None, problems: list[str]) -> None:
    from stepgate.e2e.checks import decision_problems
    from stepgate.e2e.scenario import Review

    found = decision_problems(execution, Review(*decision), identity)
    assert len(found) == len(problems) and all(expected in actual for expected, actual in zip(problems, found)), found


def test_decision_bodies_carry_the_comment_or_the_reason() -> None:
    from stepgate.e2e.checks import decision_body
    from stepgate.e2e.scenario import Review

    assert decision_body("t", Review("approve", comment="ok")) == {"taskToken": "t", "comment": "ok"}
    assert decision_body("t", Review("approve")) == {"taskToken": "t"}
    assert decision_body("t", Review("reject", reason="no")) == {"taskToken": "t", "reason": "no"}
