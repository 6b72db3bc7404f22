"""The end-to-end checks: each sends real requests to a deployed example and reads back what happened.

Every check returns CheckResults (name, ok, detail) instead of raising, so one run reports every broken
promise at once; only an unreachable endpoint (the sandbox died) aborts a run.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from stepgate.e2e.caller import Refused
from stepgate.e2e.invoke import HttpResponse, Invoker, RouteUrls
from stepgate.e2e.scenario import Case, Review, Route
from stepgate.e2e.verify import (
    AuditEvent,
    StateStep,
    audit_by_execution,
    audit_events,
    check_data_flow,
    check_state_order,
    execution_history,
    execution_name,
    express_histories,
    list_executions,
    poll,
    state_steps,
    terminal_statuses,
    wait_for_execution,
)
from stepgate.errors import StepgateError
from stepgate.sfn import TERMINAL_STATUSES

OVERSIZED_BYTES = 10 * 1024 * 1024 + 1024  # just over API Gateway's 10 MB payload limit


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class ExecutionRecord:
    """A request that started an execution, and how it ended."""

    case: str
    route: str
    workflow: str
    workflow_type: str
    response: HttpResponse
    execution_arn: str
    status: str
    steps: tuple[StateStep, ...] = ()
    error: str | None = None
    cause: str | None = None


@dataclass
class Deployment:
    """A deployed example: where its routes answer and the clients to read back executions and audit events."""

    urls: RouteUrls
    invoker: Invoker
    sfn: Any
    logs: Any
    state_machines: dict[str, str]  # workflow key -> state machine ARN
    audit_log_group: str | None
    log_groups: dict[str, str] = field(default_factory=dict)  # workflow key -> state machine log group
    records: list[ExecutionRecord] = field(default_factory=list)
    approval_routes: dict[str, dict[str, Any]] = field(default_factory=dict)  # approve / reject -> {method, path, url}

    def url(self, route: Route) -> str:
        return self.urls.url(route.url_path)

    def decide(self, decision: str, body: Any) -> HttpResponse:
        """A call of the approve or reject route, as the run's caller."""
        try:
            route = self.approval_routes[decision]
        except KeyError as error:
            raise StepgateError(f"the deployment has no {decision} route (approval_routes: {sorted(self.approval_routes) or 'none'}); "
                                "is approvals enabled in the module?") from error
        return self.invoker.request(str(route["method"]), self.urls.url(str(route["path"])), body)

    def log_group(self, route: Route) -> str:
        try:
            return self.log_groups[route.workflow]
        except KeyError as error:
            raise StepgateError(f"the deployment has no log group for workflow {route.workflow!r}") from error

    def state_machine(self, route: Route) -> str:
        try:
            return self.state_machines[route.workflow]
        except KeyError as error:
            raise StepgateError(f"the deployment has no state machine for workflow {route.workflow!r} "
                                f"(outputs have {sorted(self.state_machines)})") from error


def run_case(deployment: Deployment, route: Route, case: Case, reviewers: Reviewers | None = None) -> CheckResult:
    """Send the case's request, (for a case with a review) decide it as the reviewer, wait for its
    execution and compare status, output and per-state history."""
    name = f"{route.label} · {case.name}"
    response = deployment.invoker.request(route.method, deployment.url(route), case.body)
    if route.invocation == "sync":
        return _sync_case(deployment, route, case, response, name)
    body = response.json()
    if response.status != 200 or not isinstance(body, dict) or "executionArn" not in body:
        return CheckResult(name, False, f"expected 200 with executionArn, got {response.summary()}")
    if case.review is not None:
        undecided = _decide(deployment, reviewers, case.body, case.review)
        if undecided:
            return CheckResult(name, False, undecided)
    execution = wait_for_execution(deployment.sfn, body["executionArn"])
    problems, steps = _execution_problems(deployment, execution, case)
    if case.review is not None and reviewers is not None:
        problems += decision_problems(execution, case.review, reviewers.identity_arn)
    if execution["stateMachineArn"] != deployment.state_machine(route):
        problems.insert(0, f"started {execution['stateMachineArn']}, not the route's {deployment.state_machine(route)}")
    deployment.records.append(ExecutionRecord(
        case=case.name, route=route.label, workflow=route.workflow, workflow_type=route.workflow_type,
        response=response, execution_arn=execution["executionArn"], status=execution["status"],
        steps=tuple(steps), error=execution.get("error"), cause=execution.get("cause"),
    ))
    detail = "; ".join(problems) or f"{execution['status']}, states {[step.name for step in steps]}"
    return CheckResult(name, not problems, detail)


def _execution_problems(deployment: Deployment, execution: dict[str, Any], case: Case) -> tuple[list[str], list[StateStep]]:
    problems = []
    if execution["status"] != case.status:
        problems.append(f"status {execution['status']} (error {execution.get('error')}: {execution.get('cause')}), expected {case.status}")
    if case.output is not None and not contains(_loads(execution.get("output")), case.output):
        problems.append(f"output {execution.get('output')} does not contain {json.dumps(case.output)}")
    if case.error is not None and execution.get("error") != case.error:
        problems.append(f"error {execution.get('error')!r}, expected {case.error!r}")
    events = execution_history(deployment.sfn, execution["executionArn"])
    steps = state_steps(events)
    problems += check_state_order(case.states, steps)
    problems += check_data_flow(steps, events, execution)
    if execution["status"] == "FAILED":
        problems += check_retries(events, _definition(deployment.sfn, execution["stateMachineArn"]))
    return problems, steps


def _sync_case(deployment: Deployment, route: Route, case: Case, response: HttpResponse, name: str) -> CheckResult:
    problems = _sync_response_problems(case, response)
    execution_arn, events = _express_execution(deployment, route, case)
    if execution_arn is None:
        problems.append(f"no execution with this request's body in {deployment.log_group(route)}")
    else:
        statuses = terminal_statuses(events)
        if statuses != [case.status]:
            problems.append(f"log group shows terminal status(es) {statuses}, expected exactly [{case.status!r}]")
        steps = state_steps(events)
        problems += check_state_order(case.states, steps)
        problems += check_data_flow(steps, events, {"status": statuses[-1] if statuses else None})
        deployment.records.append(ExecutionRecord(
            case=case.name, route=route.label, workflow=route.workflow, workflow_type=route.workflow_type,
            response=response, execution_arn=execution_arn, status=statuses[-1] if statuses else "UNKNOWN",
            steps=tuple(steps),
        ))
    detail = "; ".join(problems) or f"HTTP {response.status}, logged {case.status}, states {[s.name for s in state_steps(events)]}"
    return CheckResult(name, not problems, detail)


def _sync_response_problems(case: Case, response: HttpResponse) -> list[str]:
    body = response.json()
    if case.status == "SUCCEEDED":
        if response.status != 200:
            return [f"expected 200 with the workflow output, got {response.summary()}"]
        if case.output is not None and not contains(body, case.output):
            return [f"body {response.body[:300]!r} does not contain {json.dumps(case.output)}"]
        return []
    if response.status != 500 or not isinstance(body, dict) or not body.get("error") or "cause" not in body:
        return [f"expected 500 with error and cause, got {response.summary()}"]
    if case.error is not None and body["error"] != case.error:
        return [f"error {body['error']!r}, expected {case.error!r}"]
    return []


def _express_execution(deployment: Deployment, route: Route, case: Case, timeout: float = 60) -> tuple[str | None, list[dict[str, Any]]]:
    """The EXPRESS execution whose input body is the case's body, once its log group shows it finished."""
    def find() -> tuple[str | None, list[dict[str, Any]]]:
        for arn, events in express_histories(deployment.logs, deployment.log_group(route)).items():
            started = [e for e in events if e["type"] == "ExecutionStarted"]
            execution_input = _loads(started[0]["executionStartedEventDetails"].get("input")) if started else None
            if isinstance(execution_input, dict) and execution_input.get("body") == case.body:
                return arn, events
        return None, []

    try:
        return poll(find, lambda found: found[0] is not None and bool(terminal_statuses(found[1])), timeout,
                    f"the log of the execution for {case.name}", first_delay=0.2)
    except StepgateError:
        return find()


def check_retries(events: Sequence[dict[str, Any]], definition: dict[str, Any]) -> list[str]:
    """A state whose Task failed was attempted 1 + MaxAttempts times of its matching retrier."""
    problems = []
    for step in state_steps(events):
        failed = [failure for failure in step.failed_attempts if failure.event_type == "TaskFailed"]
        if not failed:
            continue
        expected = 1 + _max_attempts(_find_state(definition, step.name), failed[-1].error or "")
        if len(failed) != expected:
            problems.append(f"state {step.name} was attempted {len(failed)} time(s), its Retry allows exactly {expected}")
    return problems


def _find_state(definition: dict[str, Any], name: str) -> dict[str, Any]:
    states = definition.get("States", {})
    if name in states:
        return states[name]
    for state in states.values():
        for branch in state.get("Branches", []) + ([state["Iterator"]] if "Iterator" in state else []):
            found = _find_state(branch, name)
            if found:
                return found
    return {}


def _max_attempts(state: dict[str, Any], error: str) -> int:
    for retrier in state.get("Retry", []):
        matches = retrier.get("ErrorEquals", [])
        if error in matches or "States.ALL" in matches or ("States.TaskFailed" in matches and not error.startswith("States.")):
            return int(retrier.get("MaxAttempts", 3))
    return 0


@dataclass(frozen=True)
class Reviewers:
    """The run as the reviewer of waiting executions: the queue their task tokens arrive on, the field of a
    message body holding the token, and who the run is (the identity a decision must record; None on the
    emulator, which leaves $context.identity empty)."""

    sqs: Any
    queue_url: str
    token_field: str
    identity_arn: str | None = None


def receive_token(reviewers: Reviewers, body: Any, timeout: float = 30) -> str:
    """The task token of the waiting execution started with request body `body`: the queued message that
    carries that body. Other messages stay visible (VisibilityTimeout 0); the matching one is deleted, so
    each token is handed out once."""
    def receive() -> str | None:
        answer = reviewers.sqs.receive_message(QueueUrl=reviewers.queue_url, MaxNumberOfMessages=10,
                                               WaitTimeSeconds=1, VisibilityTimeout=0)
        for message in answer.get("Messages", []):
            content = _loads(message.get("Body"))
            if isinstance(content, dict) and content.get(reviewers.token_field) and _carries(content, body):
                reviewers.sqs.delete_message(QueueUrl=reviewers.queue_url, ReceiptHandle=message["ReceiptHandle"])
                return str(content[reviewers.token_field])
        return None

    token = poll(receive, lambda found: found is not None, timeout, f"a task token for {json.dumps(body)} in {reviewers.queue_url}")
    assert token is not None
    return token


def decision_body(token: str, review: Review) -> dict[str, str]:
    """What the approve / reject route takes: the token, and the comment or the (required) reason."""
    text = {"comment": review.comment} if review.decision == "approve" else {"reason": review.reason}
    return {"taskToken": token, **{key: value for key, value in text.items() if value}}


def _decide(deployment: Deployment, reviewers: Reviewers | None, body: Any, decision: Review) -> str | None:
    """Decide a case's waiting execution as the reviewer: what went wrong, or None."""
    if reviewers is None:
        return "the case has a review but the run has no reviewer queue (scenario approvals)"
    decided = review(deployment, reviewers, body, decision)
    return None if decided.status == 200 else f"{decision.decision}: expected 200, got {decided.summary()}"


def review(deployment: Deployment, reviewers: Reviewers, body: Any, decision: Review) -> HttpResponse:
    """Decide the execution started with request body `body`: read its token, call the decision's route."""
    token = receive_token(reviewers, body)
    return deployment.decide(decision.decision, decision_body(token, decision))


def decision_problems(execution: dict[str, Any], decision: Review, identity_arn: str | None) -> list[str]:
    """The module's callback contract: an approval puts {approved, comment, requestId, reviewer} into the
    waiting Task's output (here: somewhere in the execution output); a rejection fails the execution with
    error Rejected and the cause {rejected, reason, requestId, reviewer}. The reviewer is the caller."""
    if decision.decision == "approve":
        record = _record_with(_loads(execution.get("output")), "approved")
        expected = {"approved": True, **({"comment": decision.comment} if decision.comment else {})}
        where = "the output"
    else:
        record = _record_with(_loads(execution.get("cause")), "rejected")
        expected = {"rejected": True, "reason": decision.reason}
        where = "the cause"
    problems = [] if decision.decision == "approve" or execution.get("error") == "Rejected" else [
        f"error {execution.get('error')!r}, a rejection fails the execution with 'Rejected'"]
    if record is None or not contains(record, expected) or not isinstance(record.get("reviewer"), dict):
        return problems + [f"{where} has no decision record {json.dumps(expected)} with a reviewer: {execution.get('output') or execution.get('cause')}"]
    if identity_arn is not None and record["reviewer"].get("userArn") != identity_arn:
        problems.append(f"reviewer {record['reviewer']} is not the caller {identity_arn}")
    return problems


BOGUS_TOKEN = "stepgate-unknown-task-token"


def check_approvals(deployment: Deployment, route: Route, reviewers: Reviewers) -> list[CheckResult]:
    """The approval routes with one waiting execution of `route`: an unknown token and malformed bodies
    are refused (4xx JSON) and change nothing; the real token decides it; the same token again is refused
    and the execution ends exactly once."""
    label = f"{route.label} · approvals:"
    response = deployment.invoker.request(route.method, deployment.url(route), route.valid_body)
    arn = (response.json() or {}).get("executionArn") if isinstance(response.json(), dict) else None
    if response.status != 200 or not arn:
        return [CheckResult(f"{label} a waiting execution", False, f"expected 200 with executionArn, got {response.summary()}")]
    token = receive_token(reviewers, route.valid_body)
    waiting = _waiting_history(deployment.sfn, arn)
    results = [
        _refused(f"{label} unknown token refused (4xx JSON), execution unchanged", deployment, arn, waiting, [
            deployment.decide("approve", {"taskToken": BOGUS_TOKEN, "comment": "stepgate"}),
            deployment.decide("reject", {"taskToken": BOGUS_TOKEN, "reason": "stepgate"}),
        ]),
        _refused(f"{label} malformed bodies refused (4xx JSON), execution unchanged", deployment, arn, waiting, [
            deployment.decide("approve", b'{"taskToken": '),
            deployment.decide("approve", {"comment": "no token"}),
            deployment.decide("reject", {"taskToken": token}),  # a rejection needs a reason
            deployment.decide("approve", {"taskToken": token, "unexpected": True}),
        ]),
    ]
    results.append(_decided_once(f"{label} a used token is refused (4xx), execution ended once", deployment, route, arn, token, response))
    return results


def _refused(name: str, deployment: Deployment, arn: str, waiting: int, responses: list[HttpResponse]) -> CheckResult:
    wrong = [r.summary() for r in responses if not (400 <= r.status < 500 and isinstance(r.json(), dict))]
    described = deployment.sfn.describe_execution(executionArn=arn)
    events = len(execution_history(deployment.sfn, arn))
    problems = [f"expected 4xx JSON, got {', '.join(wrong)}"] if wrong else []
    if described["status"] != "RUNNING" or events != waiting:
        problems.append(f"the execution changed: {described['status']}, {events} history events (was RUNNING, {waiting})")
    return CheckResult(name, not problems, "; ".join(problems) or f"{' '.join(str(r.status) for r in responses)}; still waiting")


def _decided_once(name: str, deployment: Deployment, route: Route, arn: str, token: str, started: HttpResponse) -> CheckResult:
    """Approve, let the decision end the execution, then approve with the same token again. The second
    answer is sent once the first has ended the execution: the emulator still accepts a token whose
    answer it has not processed yet (AWS refuses any second answer)."""
    first = deployment.decide("approve", {"taskToken": token, "comment": "stepgate: first answer"})
    execution = wait_for_execution(deployment.sfn, arn)
    again = [deployment.decide("approve", {"taskToken": token, "comment": "stepgate: second answer"})]
    ends = terminal_statuses(execution_history(deployment.sfn, arn))
    deployment.records.append(ExecutionRecord(
        case="approvals", route=route.label, workflow=route.workflow, workflow_type=route.workflow_type,
        response=started, execution_arn=arn, status=execution["status"],
    ))
    problems = [] if first.status == 200 else [f"first answer: expected 200, got {first.summary()}"]
    problems += [f"a used token: expected 4xx JSON, got {r.summary()}" for r in again if not (400 <= r.status < 500 and isinstance(r.json(), dict))]
    if ends != ["SUCCEEDED"]:
        problems.append(f"the history ends {ends}, expected exactly ['SUCCEEDED']")
    return CheckResult(name, not problems, "; ".join(problems) or f"first 200, then {', '.join(str(r.status) for r in again)}; ended once ({ends[0]})")


def _waiting_history(sfn: Any, arn: str, timeout: float = 30) -> int:
    """The length of the history once the Task has handed out its token and waits (TaskSubmitted)."""
    events = poll(lambda: execution_history(sfn, arn), lambda found: any(e["type"] == "TaskSubmitted" for e in found),
                  timeout, f"execution {execution_name(arn)} to wait for its task token")
    return len(events)


def _record_with(value: Any, flag: str) -> dict[str, Any] | None:
    """The first object in `value` (depth first) that has key `flag`."""
    if isinstance(value, dict):
        if flag in value:
            return value
        children: list[Any] = list(value.values())
    elif isinstance(value, list):
        children = value
    else:
        return None
    return next((found for child in children if (found := _record_with(child, flag)) is not None), None)


def _carries(value: Any, body: Any) -> bool:
    """`body` is `value` or one of its nested values: how a queued message is matched to its request."""
    if value == body:
        return True
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return any(_carries(child, body) for child in children)


Rejection = tuple[str, str, str, Any, dict[str, str]]


def rejection_requests(route: Route, url: str, unknown_url: str) -> list[Rejection]:
    """(label, method, url, body, headers) of requests a route must refuse without starting anything."""
    wrong_method = "GET" if route.method != "GET" else "DELETE"
    schema: list[Rejection] = [] if route.invalid_body is None else [
        ("body violates request_schema", route.method, url, route.invalid_body, {})]
    return [
        ("malformed JSON", route.method, url, b'{"reportId": ', {}),
        *schema,
        ("wrong content type", route.method, url, b"reportId=1", {"Content-Type": "application/x-www-form-urlencoded"}),
        ("oversized body", route.method, url, json.dumps({"padding": "x" * OVERSIZED_BYTES}).encode(), {}),
        ("unknown path", route.method, unknown_url, route.valid_body, {}),
        ("wrong method", wrong_method, url, None, {}),
    ]


def check_rejections(deployment: Deployment, route: Route) -> list[CheckResult]:
    """Each bad request gets a 4xx JSON error and leaves the execution list unchanged."""
    before = started_executions(deployment, route)
    unknown = deployment.urls.url(f"/stepgate-unknown-{uuid.uuid4().hex[:8]}")
    results = []
    for label, method, url, body, headers in rejection_requests(route, deployment.url(route), unknown):
        response = deployment.invoker.request(method, url, body, headers=headers)
        ok = 400 <= response.status < 500 and isinstance(response.json(), dict)
        detail = response.summary() if ok else f"expected 4xx with a JSON body, got {response.summary()}"
        results.append(CheckResult(f"{route.label} · rejects {label}", ok, detail))
    started = started_executions(deployment, route) - before
    results.append(CheckResult(
        f"{route.label} · no execution started by rejected requests", not started,
        f"started {sorted(started)}" if started else f"execution list unchanged ({len(before)} before and after)",
    ))
    return results


def check_refused(deployment: Deployment, route: Route, refused: Refused) -> CheckResult:
    """A caller the route must turn away gets exactly the expected status and starts nothing."""
    before = started_executions(deployment, route)
    response = deployment.invoker.request(route.method, deployment.url(route), route.valid_body, auth=refused.auth)
    started = started_executions(deployment, route) - before
    ok = response.status == refused.status and not started
    return CheckResult(f"{route.label} · refuses {refused.label} ({refused.status})", ok,
                       f"{response.summary()}; started {len(started)}")


def check_idempotency(deployment: Deployment, route: Route, reviewers: Reviewers | None = None) -> CheckResult:
    """The same Idempotency-Key twice starts one execution: the second call gets the same ARN or 409. On
    a route whose executions wait for a reviewer, `reviewers` approves it so that it ends."""
    name = f"{route.label} · same Idempotency-Key twice -> one execution"
    key = f"stepgate-{uuid.uuid4().hex}"
    first = deployment.invoker.request(route.method, deployment.url(route), route.valid_body, headers={"Idempotency-Key": key})
    second = deployment.invoker.request(route.method, deployment.url(route), route.valid_body, headers={"Idempotency-Key": key})
    first_arn = (first.json() or {}).get("executionArn") if isinstance(first.json(), dict) else None
    if first.status != 200 or not first_arn:
        return CheckResult(name, False, f"first call: expected 200 with executionArn, got {first.summary()}")
    second_body = second.json() if isinstance(second.json(), dict) else {}
    same = second.status == 200 and second_body.get("executionArn") == first_arn
    conflict = second.status == 409 and isinstance(second.json(), dict)
    named = [e for e in list_executions(deployment.sfn, deployment.state_machine(route)) if e["name"] == key]
    if reviewers is not None:
        review(deployment, reviewers, route.valid_body, Review("approve", comment="stepgate: idempotency check"))
    execution = wait_for_execution(deployment.sfn, first_arn)
    deployment.records.append(ExecutionRecord(
        case="idempotency", route=route.label, workflow=route.workflow, workflow_type=route.workflow_type,
        response=first, execution_arn=first_arn, status=execution["status"],
    ))
    ok = (same or conflict) and len(named) == 1
    return CheckResult(name, ok, f"second call {second.summary()}; executions named {key}: {len(named)}")


def check_audit(deployment: Deployment, records: Sequence[ExecutionRecord], timeout: float = 90) -> list[CheckResult]:
    """Exactly one terminal status event per finished STANDARD execution, carrying its final status."""
    wanted = {record.execution_arn: record.status for record in records if record.workflow_type == "STANDARD"}
    if not wanted:
        return []
    if deployment.audit_log_group is None:
        return [CheckResult("audit stream", False, "STANDARD executions ran but the example has no audit log group")]
    events = collect_audit(deployment.logs, deployment.audit_log_group, wanted, timeout)
    statuses = audit_by_execution(event for event in events if event.status in TERMINAL_STATUSES)
    results = []
    for arn, status in wanted.items():
        seen = statuses.get(arn, [])
        ok = seen == [status]
        results.append(CheckResult(
            f"audit · {arn.rsplit(':', 1)[-1]} ({status})", ok,
            f"{len(seen)} terminal event(s) {seen}" + ("" if ok else f", expected exactly [{status!r}]"),
        ))
    return results


def collect_audit(logs: Any, log_group: str, wanted: dict[str, str], timeout: float) -> list[AuditEvent]:
    """Audit events once every wanted execution has one terminal event, or whatever arrived by `timeout`;
    then one more short read, so a late duplicate is counted rather than missed."""
    def complete(events: list[AuditEvent]) -> bool:
        return set(wanted) <= {event.execution_arn for event in events if event.status in TERMINAL_STATUSES}

    try:
        poll(lambda: audit_events(logs, log_group), complete, timeout, "audit events", first_delay=0.5)
    except StepgateError:
        pass  # the per-execution results name what is missing
    time.sleep(1.0)
    return audit_events(logs, log_group)


@dataclass(frozen=True)
class LoadResult:
    requests: int
    accepted: int
    distinct_arns: int
    executions_listed: int
    terminal: int
    audit_events: int
    audited_executions: int
    seconds: float
    failures: tuple[str, ...]


def run_load(deployment: Deployment, route: Route, body_for: Callable[[int], Any], requests: int = 200,
             concurrency: int = 20, timeout: float = 300) -> LoadResult:
    """`requests` signed calls at `concurrency`; then count executions and audit events they produced."""
    arn = deployment.state_machine(route)
    before = {e["executionArn"] for e in list_executions(deployment.sfn, arn)}
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        responses = list(pool.map(lambda i: deployment.invoker.request(route.method, deployment.url(route), body_for(i)), range(requests)))
    failures = tuple(r.summary() for r in responses if r.status != 200)
    arns = {body["executionArn"] for r in responses if r.status == 200 and isinstance(body := r.json(), dict) and "executionArn" in body}

    def new_executions() -> list[dict[str, Any]]:
        return [e for e in list_executions(deployment.sfn, arn) if e["executionArn"] not in before]

    try:
        executions = poll(new_executions, lambda found: all(e["status"] in TERMINAL_STATUSES for e in found), timeout,
                          f"{len(arns)} executions to finish", first_delay=1.0, max_delay=5.0)
    except StepgateError:
        executions = new_executions()
    statuses = {e["executionArn"]: e["status"] for e in executions}
    terminal = {a: s for a, s in statuses.items() if s in TERMINAL_STATUSES}
    events = collect_audit(deployment.logs, deployment.audit_log_group or "", terminal, timeout) if deployment.audit_log_group else []
    mine = [event for event in events if event.execution_arn in statuses and event.status in TERMINAL_STATUSES]
    return LoadResult(
        requests=requests, accepted=len(responses) - len(failures), distinct_arns=len(arns),
        executions_listed=len(statuses), terminal=len(terminal), audit_events=len(mine),
        audited_executions=len({event.execution_arn for event in mine}),
        seconds=round(time.monotonic() - started, 2), failures=failures[:5],
    )


def contains(actual: Any, expected: Any) -> bool:
    """`expected` is a subset of `actual`: dict keys recursively, lists element-wise, scalars equal."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(key in actual and contains(actual[key], value) for key, value in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(contains(a, e) for a, e in zip(actual, expected))
    return bool(actual == expected)


def started_executions(deployment: Deployment, route: Route) -> set[str]:
    """Executions of the route's state machine: listed for STANDARD, read from the log group for EXPRESS
    (ListExecutions does not support EXPRESS state machines)."""
    if route.workflow_type == "EXPRESS":
        return set(express_histories(deployment.logs, deployment.log_group(route)))
    return {execution["executionArn"] for execution in list_executions(deployment.sfn, deployment.state_machine(route))}


def _definition(sfn: Any, state_machine_arn: str) -> dict[str, Any]:
    return json.loads(sfn.describe_state_machine(stateMachineArn=state_machine_arn)["definition"])


def _loads(text: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return text
