"""examples/express-sync applied in the sandbox: a sync EXPRESS route answers with the output or a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from stepgate.e2e.checks import check_rejections, run_case
from stepgate.e2e.runner import Deployed
from stepgate.e2e.scenario import load_scenario

from .conftest import Deploy, assert_checks

SCENARIO = load_scenario("express-sync")
ROUTE = SCENARIO.routes[0]


@pytest.fixture(scope="module")
def express(deploy_example: Deploy) -> Iterator[Deployed]:
    with deploy_example("express-sync") as (live, _):
        yield live


@pytest.mark.parametrize("case", ROUTE.cases, ids=[case.name for case in ROUTE.cases])
def test_sync_route_answers_with_the_execution_result(express: Deployed, case: Any) -> None:
    assert_checks([run_case(express.deployment, ROUTE, case)])


def test_bad_input_gets_4xx_json_and_starts_nothing(express: Deployed) -> None:
    assert_checks(check_rejections(express.deployment, ROUTE))
