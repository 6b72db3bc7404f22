"""Scenario files: the shipped ones load, the schema refuses mistakes in one line naming the field, and
`scenario init` writes a starter that loads, from the routes a plan knows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from stepgate.e2e.scenario import DEFAULT_FILE, load_scenario, parse_scenario, scenario_path
from stepgate.e2e.starter import sample_body, starter
from stepgate.errors import StepgateError
from stepgate.plan import load_plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCENARIOS = sorted(EXAMPLES.glob(f"*/{DEFAULT_FILE}"))
ROUTE = {"route": "POST /orders", "workflow": "w", "valid_body": {}, "cases": [{"name": "c", "body": {}, "status": "SUCCEEDED"}]}
REST = {"routes": [{**ROUTE, "invalid_body": []}]}
HTTP = {"api": "HTTP", "targets": ["aws"], "routes": [ROUTE]}


def test_every_example_has_a_scenario_that_loads() -> None:
    examples = sorted(p for p in EXAMPLES.iterdir() if p.is_dir())
    assert [p.parent for p in SCENARIOS] == examples
    for path in SCENARIOS:
        scenario = load_scenario(path)
        assert scenario.name == path.parent.name and scenario.routes and all(route.cases for route in scenario.routes)


def test_a_missing_scenario_names_the_init_command(tmp_path: Path) -> None:
    with pytest.raises(StepgateError, match=f"no e2e scenario at {tmp_path / DEFAULT_FILE}; write a starter with `stepgate scenario init {tmp_path}`"):
        scenario_path(tmp_path)


def with_(base: dict, **changes: object) -> dict:
    return {**base, **changes}


@pytest.mark.parametrize(("data", "message"), [
    ({}, "(top level): 'routes' is a required property"),
    (with_(REST, extra=1), "(top level): Additional properties are not allowed ('extra' was unexpected)"),
    ({"routes": [{**REST["routes"][0], "cases": [{"name": "c", "body": {}, "status": "DONE"}]}]},
     "routes[0].cases[0].status: 'DONE' is not one of ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']"),
    ({"routes": [{**REST["routes"][0], "route": "FETCH /x"}]}, "routes[0].route: 'FETCH /x' does not match '^(GET|POST|PUT|PATCH|DELETE) /\\\\S*$'"),
    (with_(REST, targets=["moon"]), "targets[0]: 'moon' is not one of ['local', 'aws']"),
    (with_(REST, api="GRPC"), "api: 'GRPC' is not one of ['REST', 'HTTP']"),
    (with_(HTTP, auth="JWT", jwt_scope="write"), "jwt_scope: 'write' does not match '^[^/\\\\s]+/[^/\\\\s]+$'"),
    ({"routes": [ROUTE]}, "routes[0].invalid_body: required on REST routes and not accepted on HTTP routes"),
    ({**HTTP, "routes": [{**ROUTE, "invalid_body": []}]}, "routes[0].invalid_body: required on REST routes and not accepted on HTTP routes"),
    (with_(HTTP, targets=["local", "aws"]), "targets: an HTTP API scenario cannot target the local emulator, which has no HTTP API (v2); use targets: [aws]"),
    (with_(HTTP, auth="JWT"), "jwt_scope: auth JWT needs jwt_scope ('resource-server/scope'), and only JWT takes one"),
    (with_(HTTP, jwt_scope="orders/write"), "jwt_scope: auth JWT needs jwt_scope ('resource-server/scope'), and only JWT takes one"),
    ({"routes": [{**REST["routes"][0], "route": "POST /orders/{id}"}]},
     "routes[0].request_path: POST /orders/{id} has path parameters; give a request_path with every {parameter} filled in"),
    ({"routes": [{**REST["routes"][0], "cases": [{"name": "c", "body": {}, "status": "SUCCEEDED", "review": {"decision": "approve"}}]}]},
     "approvals: cases with a review need approvals.queue_output (the reviewer queue)"),
])
def test_mistakes_are_one_line_naming_the_field(data: dict, message: str) -> None:
    with pytest.raises(StepgateError) as raised:
        parse_scenario(data, "x", "stepgate.e2e.yaml")
    assert str(raised.value) == f"stepgate.e2e.yaml: {message}"


def test_a_route_with_a_path_parameter_is_called_on_its_request_path() -> None:
    route = parse_scenario({"routes": [{**REST["routes"][0], "route": "POST /orders/{id}/refunds", "request_path": "/orders/o-1/refunds"}]}, "x").routes[0]
    assert (route.path, route.url_path, route.label) == ("/orders/{id}/refunds", "/orders/o-1/refunds", "POST /orders/{id}/refunds")


def test_the_jwt_scenario_runs_only_against_aws() -> None:
    scenario = load_scenario(EXAMPLES / "http-api-jwt" / DEFAULT_FILE)
    assert (scenario.api, scenario.auth, scenario.targets, scenario.jwt_scope) == ("HTTP", "JWT", ("aws",), "orders/write")
    assert not scenario.names_executions_by_idempotency_key and scenario.routes[0].invalid_body is None
    scenario.require_target("aws")
    with pytest.raises(StepgateError, match=r"runs only with --target aws: the local emulator has no HTTP API \(v2\)"):
        scenario.require_target("local")


@pytest.mark.parametrize(("schema", "body"), [
    ({"type": "object", "required": ["reportId", "priority", "count", "tags", "ok"],
      "properties": {"reportId": {"type": "string", "minLength": 3}, "priority": {"enum": ["low", "high"]},
                     "count": {"type": "integer", "minimum": 2}, "tags": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                     "ok": {"type": "boolean"}}},
     {"reportId": "xxx", "priority": "low", "count": 2, "tags": ["x"], "ok": False}),
    ({"type": "object"}, {}),
])
def test_starter_bodies_satisfy_types_enums_and_minimums(schema: dict, body: object) -> None:
    assert sample_body(schema) == body


def planned(outputs: dict, resources: list[dict]) -> dict:
    changes = [{"address": f"{r['type']}.{r['name']}", "mode": "managed", "type": r["type"], "name": r["name"],
                "change": {"actions": ["create"], "after": r["values"], "after_unknown": {}}} for r in resources]
    return {"format_version": "1.2", "planned_values": {"outputs": outputs, "root_module": {}}, "resource_changes": changes}


ROUTES = {"process-report": {"method": "POST", "path": "/reports/{id}", "route": "POST /reports/{id}", "invocation": "async", "type": "STANDARD"}}
MODEL = {"type": "aws_api_gateway_model", "name": "request", "values": {
    "description": "Request body of POST /reports/{id}", "schema": '{"type": "object", "required": ["reportId"], "properties": {"reportId": {"type": "string"}}}'}}
METHOD = {"type": "aws_api_gateway_method", "name": "route", "values": {"http_method": "POST", "authorization": "AWS_IAM"}}


def test_starter_from_a_planned_rest_api() -> None:
    plan = load_plan(planned({"stepgate": {"value": {"routes": ROUTES}}}, [MODEL, METHOD]))
    assert starter(plan, "infra").scenario == {"routes": [{
        "workflow": "process-report", "route": "POST /reports/{id}", "invocation": "async", "type": "STANDARD",
        "request_path": "/reports/example", "valid_body": {"reportId": "x"}, "invalid_body": [],
        "cases": [{"name": "process-report succeeds", "body": {"reportId": "x"}, "status": "SUCCEEDED"}],
    }]}
    assert yaml.safe_dump(starter(plan, "infra").scenario).count("&") == 0  # no YAML anchors for the repeated body
    assert starter(plan, "infra").todo == ()


def test_starter_reads_the_known_parts_of_an_output_that_is_partly_unknown() -> None:
    document = planned({}, [MODEL, METHOD])
    document["output_changes"] = {"stepgate": {"actions": ["create"], "after": {"routes": ROUTES}, "after_unknown": {"api_id": True}}}
    assert [route["workflow"] for route in starter(load_plan(document), "infra").scenario["routes"]] == ["process-report"]


def test_starter_names_what_the_generated_body_cannot_satisfy() -> None:
    schema = {"type": "object", "required": ["invoiceId"], "properties": {"invoiceId": {"type": "string", "pattern": "^inv-[0-9]+$"}}}
    model = {**MODEL, "values": {**MODEL["values"], "schema": json.dumps(schema)}}
    assert starter(load_plan(planned({"stepgate": {"value": {"routes": ROUTES}}}, [model, METHOD])), "infra").todo == (
        "POST /reports/{id} valid_body.invoiceId: 'x' does not match '^inv-[0-9]+$'",)


def test_starter_needs_the_module_output() -> None:
    plan = load_plan(planned({"api_id": {"value": "abc"}}, [METHOD]))
    with pytest.raises(StepgateError, match=r"no known root output 'stepgate' .*output \"stepgate\" \{ value = module.<your module name> \}.*: api_id"):
        starter(plan, "infra")


def test_starter_refuses_auth_types_e2e_cannot_call() -> None:
    plan = load_plan(planned({"stepgate": {"value": {"routes": ROUTES}}}, [{**METHOD, "values": {"http_method": "POST", "authorization": "COGNITO_USER_POOLS"}}]))
    with pytest.raises(StepgateError, match="authorize with COGNITO_USER_POOLS; stepgate e2e calls AWS_IAM and JWT routes only"):
        starter(plan, "infra")
