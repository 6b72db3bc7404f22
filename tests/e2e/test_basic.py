"""examples/basic applied in the sandbox: every promise of the REST -> STANDARD workflow route, then load."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stepgate.e2e.checks import check_audit, check_idempotency, check_rejections, run_case, run_load
from stepgate.e2e.runner import Deployed

from .conftest import assert_checks, example_scenario

SCENARIO = example_scenario("basic")
ROUTE = SCENARIO.routes[0]


@pytest.fixture(scope="module")
def basic(deploy_example: Callable[[str], Deployed]) -> Deployed:
    return deploy_example("basic")


@pytest.mark.parametrize("case", ROUTE.cases, ids=[case.name for case in ROUTE.cases])
def test_route_case_runs_the_workflow(basic: Deployed, case: Any) -> None:
    assert_checks([run_case(basic.deployment, ROUTE, case)])


def test_bad_input_gets_4xx_json_and_starts_nothing(basic: Deployed) -> None:
    assert_checks(check_rejections(basic.deployment, ROUTE))


def test_same_idempotency_key_twice_starts_one_execution(basic: Deployed) -> None:
    assert_checks([check_idempotency(basic.deployment, ROUTE)])


def test_every_finished_execution_is_audited_once_with_its_status(basic: Deployed) -> None:
    if not any(record.status == "FAILED" for record in basic.deployment.records):
        for case in ROUTE.cases:  # run alone: produce a SUCCEEDED and a FAILED execution first
            assert_checks([run_case(basic.deployment, ROUTE, case)])
    results = check_audit(basic.deployment, basic.deployment.records)
    assert {record.status for record in basic.deployment.records} >= {"SUCCEEDED", "FAILED"}
    assert_checks(results)


def test_200_requests_at_concurrency_20_give_200_executions_and_200_audit_events(basic: Deployed) -> None:
    result = run_load(basic.deployment, ROUTE, lambda i: {"reportId": f"load-{i}", "title": "load"}, requests=200, concurrency=20)
    print(f"load: {result}")
    assert result.failures == (), result.failures
    assert (result.accepted, result.distinct_arns, result.executions_listed, result.terminal) == (200, 200, 200, 200), result
    assert (result.audit_events, result.audited_executions) == (200, 200), result
