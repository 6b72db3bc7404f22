"""Every e2e scenario describes its example as planned: the same routes, and for JWT the scope the routes
require. For examples/http-api-jwt, which the emulator cannot run, this is the offline half of its e2e proof."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stepgate.e2e.runner import check_routes_match
from stepgate.e2e.scenario import SCENARIO_DIR, load_scenario

SCENARIOS = sorted(path.stem for path in SCENARIO_DIR.glob("*.yaml"))


@pytest.mark.parametrize("example", SCENARIOS)
def test_scenario_matches_the_planned_routes(example: str, plan_example: Callable[..., dict[str, Any]]) -> None:
    scenario = load_scenario(example)
    plan = plan_example(example)
    routes = plan["planned_values"]["outputs"]["routes"]["value"]
    check_routes_match(scenario, routes)
    planned = [r for r in plan["resource_changes"] if r["type"] in ("aws_apigatewayv2_route", "aws_api_gateway_method")
               and r["change"]["after"].get("http_method") != "OPTIONS"]
    assert planned, f"{example} plans no route"
    for resource in planned:
        after = resource["change"]["after"]
        auth = after.get("authorization_type") or after.get("authorization")
        assert auth == scenario.auth, f"{resource['address']}: authorization {auth}, the scenario calls as {scenario.auth}"
        if scenario.jwt_scope is not None:
            assert after["authorization_scopes"] == [scenario.jwt_scope], resource["address"]
    assert {"aws_apigatewayv2_api" if scenario.api == "HTTP" else "aws_api_gateway_rest_api"} <= \
        {r["type"] for r in plan["resource_changes"]}
