"""examples/multi-workflow applied in the sandbox: three routes behind one API and one integration role,
each starting its own workflow (two async STANDARD, one sync EXPRESS), each refusing bad input."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from stepgate.e2e.checks import CheckResult, check_audit, check_idempotency, check_rejections, run_case
from stepgate.e2e.runner import Deployed
from stepgate.e2e.scenario import Route

from .conftest import assert_checks, example_scenario

SCENARIO = example_scenario("multi-workflow")


@pytest.fixture(scope="module")
def multi(deploy_example: Callable[[str], Deployed]) -> Deployed:
    return deploy_example("multi-workflow")


def route_cases(live: Deployed, route: Route) -> list[CheckResult]:
    return [run_case(live.deployment, route, case) for case in route.cases]


@pytest.mark.parametrize("route", SCENARIO.routes, ids=[route.label for route in SCENARIO.routes])
def test_route_starts_its_own_workflow_and_refuses_bad_input(multi: Deployed, route: Route) -> None:
    results = route_cases(multi, route) + check_rejections(multi.deployment, route)
    if route.invocation == "async":
        results.append(check_idempotency(multi.deployment, route))
    assert_checks(results)


def test_every_standard_execution_is_audited_once(multi: Deployed) -> None:
    standard = [route for route in SCENARIO.routes if route.workflow_type == "STANDARD"]
    for route in standard:
        if not any(record.workflow == route.workflow for record in multi.deployment.records):
            assert_checks(route_cases(multi, route))  # run alone: produce the executions first
    assert {record.workflow for record in multi.deployment.records} >= {route.workflow for route in standard}
    assert_checks(check_audit(multi.deployment, multi.deployment.records))
