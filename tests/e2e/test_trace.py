"""`stepgate trace` against deployed examples: a SUCCEEDED and a FAILED-after-retries STANDARD execution of
examples/basic, an EXPRESS one (examples/multi-workflow's sync POST /stock, already deployed for its own
tests), traced from a request id, an Idempotency-Key and an ARN, through the API and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from stepgate.e2e.checks import contains
from stepgate.e2e.runner import Deployed
from stepgate.e2e.trace import Sources, Trace, as_json, trace
from stepgate.e2e.verify import check_state_order, poll
from stepgate.errors import StepgateError

from .conftest import example_scenario

BASIC = example_scenario("basic").routes[0]
SUCCEEDS = next(case for case in BASIC.cases if case.status == "SUCCEEDED")
FAILS = next(case for case in BASIC.cases if case.status == "FAILED")  # {reportId, fail: true}: SNS rejects the alert
STOCK = example_scenario("multi-workflow").route("check-stock")


@pytest.fixture(scope="module")
def basic(deploy_example: Callable[[str], Deployed]) -> Deployed:
    return deploy_example("basic")


@pytest.fixture(scope="module")
def multi(deploy_example: Callable[[str], Deployed]) -> Deployed:
    return deploy_example("multi-workflow")


def sources(live: Deployed) -> Sources:
    return Sources.from_module(live.module, live.deployment.sfn, live.deployment.logs)


def traced_when_audited(identifier: str, live: Deployed) -> Trace:
    """The trace once the execution has ended and its terminal audit event has arrived."""
    return poll(lambda: trace(identifier, sources(live)),
                lambda found: found.execution is not None and any(e.status == found.execution.status for e in found.audit),
                90, f"execution and audit event of {identifier}", first_delay=0.5)


def test_a_succeeded_execution_is_traced_from_its_request_id(basic: Deployed) -> None:
    response = basic.request(BASIC.method, BASIC.url_path, SUCCEEDS.body)
    request_id = response.headers["x-amzn-requestid"]
    found = traced_when_audited(request_id, basic)
    assert found.execution is not None and found.execution.name == request_id and found.request_id == request_id
    assert (found.execution.status, found.execution.type, found.execution.workflow) == ("SUCCEEDED", "STANDARD", BASIC.workflow)
    assert check_state_order(SUCCEEDS.states, found.states) == []
    assert all(step.retries == 0 and not step.failures and step.exited_at is not None for step in found.states)
    assert [event.status for event in found.audit if event.status != "RUNNING"] == ["SUCCEEDED"]
    assert found.request is None  # LocalStack writes no API Gateway access logs; on AWS this is the record


def test_a_failed_execution_shows_its_retries_error_and_cause_by_key_request_id_and_arn(basic: Deployed) -> None:
    key = f"trace-{uuid.uuid4().hex[:12]}"
    response = basic.request(BASIC.method, BASIC.url_path, FAILS.body, headers={"Idempotency-Key": key})
    by_key = traced_when_audited(key, basic)
    assert by_key.execution is not None and by_key.execution.name == key and by_key.matched.startswith("execution name")
    by_request = trace(response.json()["requestId"], sources(basic))  # named by the key: found through meta.requestId
    by_arn = trace(response.json()["executionArn"], sources(basic))
    assert by_request.matched.startswith("request id in the execution input") and by_arn.matched == "execution ARN"
    assert by_request.execution == by_arn.execution == by_key.execution
    assert (by_key.execution.status, by_key.execution.error) == ("FAILED", FAILS.error)
    assert [step.name for step in by_key.states] == list(FAILS.states or ())
    alert = by_key.states[1]
    retry = json.loads(basic.deployment.sfn.describe_state_machine(stateMachineArn=basic.deployment.state_machine(BASIC))["definition"])
    max_attempts = retry["States"]["PublishAlert"]["Retry"][0]["MaxAttempts"]
    assert (alert.retries, alert.attempts) == (max_attempts, max_attempts + 1)
    assert {f.error for f in alert.failures} == {"SNS.InvalidParameterException"} and all(f.cause for f in alert.failures)
    assert by_key.states[2].failures[-1].error == FAILS.error  # the Fail state ended the execution
    assert [event.status for event in by_key.audit if event.status != "RUNNING"] == ["FAILED"]


def test_an_express_execution_is_traced_from_its_log_group(multi: Deployed) -> None:
    case = STOCK.cases[0]
    response = multi.request(STOCK.method, STOCK.url_path, case.body)
    assert response.status == 200, response.summary()
    request_id = response.headers["x-amzn-requestid"]  # a sync answer is the workflow output, no requestId in it
    found = poll(lambda: trace(request_id, sources(multi)), lambda t: t.execution is not None and t.execution.status != "RUNNING",
                 60, f"the log of EXPRESS execution {request_id}", first_delay=0.5)
    assert found.execution is not None and (found.execution.type, found.execution.status) == ("EXPRESS", "SUCCEEDED")
    assert found.execution.name == request_id and ":express:" in found.execution.arn
    assert [step.name for step in found.states] == list(case.states or ()) and found.audit == ()
    assert contains(found.execution.output, case.output) and found.states[-1].output == found.execution.output


def test_an_unknown_id_is_one_line_naming_what_was_searched(basic: Deployed) -> None:
    with pytest.raises(StepgateError) as raised:
        trace("stepgate-nobody-sent-this", sources(basic))
    message = str(raised.value)
    assert "\n" not in message and basic.module["access_log_group_name"] in message
    assert f"{BASIC.workflow} (state machine {basic.deployment.state_machine(BASIC).rsplit(':', 1)[-1]})" in message


def stepgate_trace(live: Deployed, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(live.outputs))
    command = [sys.executable, "-m", "stepgate.cli", "trace", *args, "--outputs", str(outputs), "--endpoint", live.target.endpoint_url or ""]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})


def test_the_command_traces_to_json_and_refuses_an_unknown_id(basic: Deployed, tmp_path: Path) -> None:
    response = basic.request(BASIC.method, BASIC.url_path, FAILS.body)
    expected = as_json(traced_when_audited(response.json()["requestId"], basic))
    result = stepgate_trace(basic, tmp_path, response.json()["requestId"], "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected
    table = stepgate_trace(basic, tmp_path, response.json()["executionArn"])
    assert table.returncode == 0 and "PublishAlert" in table.stdout and "ReportProcessingFailed" in table.stdout
    unknown = stepgate_trace(basic, tmp_path, "stepgate-nobody-sent-this")
    lines = [line for line in unknown.stderr.splitlines() if line.strip()]
    assert unknown.returncode == 2 and len(lines) == 1 and lines[0].startswith("stepgate: no request or execution"), unknown.stderr
