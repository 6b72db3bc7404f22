"""Every e2e scenario describes its example as planned: the same routes, auth, scope and API type. For the
examples the emulator cannot run (HTTP API, ECS), this is the offline half of their e2e proof."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stepgate.e2e.runner import check_routes_match
from stepgate.e2e.scenario import DEFAULT_FILE, load_scenario
from stepgate.e2e.starter import planned_output

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCENARIOS = sorted(path.parent.name for path in EXAMPLES.glob(f"*/{DEFAULT_FILE}"))


@pytest.mark.parametrize("example", SCENARIOS)
def test_scenario_matches_the_planned_routes(example: str, plan_example: Callable[..., dict[str, Any]]) -> None:
    scenario = load_scenario(EXAMPLES / example / DEFAULT_FILE)
    plan = plan_example(example, scenario.variables or None)
    routes = planned_output(plan, scenario.output)["routes"]
    check_routes_match(scenario, routes)
    starts = {route["path"] for route in routes.values()}
    planned = [r for r in plan["resource_changes"] if r["type"] in ("aws_apigatewayv2_route", "aws_api_gateway_method")
               and r["change"]["after"].get("http_method") != "OPTIONS"]
    assert planned, f"{example} plans no route"
    for resource in planned:
        after = resource["change"]["after"]
        auth = after.get("authorization_type") or after.get("authorization")
        assert auth == scenario.auth, f"{resource['address']}: authorization {auth}, the scenario calls as {scenario.auth}"
        if scenario.jwt_scope is not None and after.get("route_key", "").split(" ", 1)[-1] in starts:
            assert after["authorization_scopes"] == [scenario.jwt_scope], resource["address"]
    assert {"aws_apigatewayv2_api" if scenario.api == "HTTP" else "aws_api_gateway_rest_api"} <= \
        {r["type"] for r in plan["resource_changes"]}
