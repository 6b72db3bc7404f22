"""OpenAPI / Swagger bodies of REST and HTTP APIs read into routes: body text in, one line per operation out
(route, authorization, API key, validator, body schema, integration), or the parse error; then the same
operations through the API model (methods, sfn_integrations, routes) that the rules read."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stepgate.plan import openapi
from stepgate.plan.api import Body, Method, api_body, methods, possible_sfn_integrations, routes, sfn_integrations
from stepgate.plan.model import Plan, Resource

pytestmark = pytest.mark.unit

MACHINE = "arn:aws:states:us-east-1:000000000000:stateMachine:orders"
ROLE = "arn:aws:iam::000000000000:role/orders-api"
START_URI = "arn:aws:apigateway:us-east-1:states:action/StartExecution"
TEMPLATE = json.dumps({"stateMachineArn": MACHINE, "name": "$context.requestId", "input": "$util.escapeJavaScript($input.json('$'))"})


def describe(op: openapi.Operation) -> str:
    parts = [op.route, f"auth={op.authorization}"]
    if op.api_key_required:
        parts.append("api-key")
    if op.validator:
        parts.append(f"validator={op.validator.name}" + ("(body)" if op.validator.body else ""))
    if op.body_schema:
        parts.append("schema")
    integration = op.integration
    if integration:
        target = integration.subtype or integration.uri.rsplit("/", 1)[-1] or "-"
        parts.append(f"integration={integration.type}:{target}")
        if integration.credentials is not None:
            parts.append(f"credentials={integration.credentials or '(after apply)'}")
        if integration.passthrough:
            parts.append(f"passthrough={integration.passthrough}")
        if integration.request_templates:
            parts.append("templates=" + ",".join(sorted(integration.request_templates)))
        if integration.request_parameters:
            parts.append("parameters=" + ",".join(sorted(integration.request_parameters)))
        if integration.unknown_keys:
            parts.append("unknown=" + ",".join(sorted(integration.unknown_keys)))
    return " ".join(parts)


OPENAPI3_REST_JSON = json.dumps({
    "openapi": "3.0.1",
    "info": {"title": "orders", "version": "1"},
    "x-amazon-apigateway-request-validators": {
        "body": {"validateRequestBody": True, "validateRequestParameters": False},
        "params": {"validateRequestBody": False, "validateRequestParameters": True},
    },
    "x-amazon-apigateway-request-validator": "body",
    "security": [{"sigv4": []}],
    "components": {
        "securitySchemes": {
            "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"},
            "pool": {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "cognito_user_pools",
                     "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools", "providerARNs": ["arn:aws:cognito-idp:us-east-1:000000000000:userpool/x"]}},
        },
        "schemas": {"Order": {"type": "object"}},
        "requestBodies": {"Order": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}}},
    },
    "paths": {
        "/orders": {
            "post": {
                "requestBody": {"$ref": "#/components/requestBodies/Order"},
                "x-amazon-apigateway-integration": {
                    "type": "aws", "httpMethod": "POST", "uri": START_URI, "credentials": ROLE, "passthroughBehavior": "never",
                    "requestTemplates": {"application/json": TEMPLATE},
                },
            },
            "options": {"security": [], "x-amazon-apigateway-integration": {"type": "mock", "requestTemplates": {"application/json": "{\"statusCode\": 200}"}}},
        },
        "/orders/{id}": {
            "get": {"security": [{"pool": ["orders/read"]}], "x-amazon-apigateway-request-validator": "params"},
            "x-amazon-apigateway-any-method": {"security": [], "x-amazon-apigateway-request-validator": "params"},
        },
    },
})

SWAGGER2_REST_YAML = f"""
swagger: "2.0"
info: {{title: orders, version: "1"}}
x-amazon-apigateway-request-validators:
  all: {{validateRequestBody: true, validateRequestParameters: true}}
x-amazon-apigateway-request-validator: all
securityDefinitions:
  sigv4: {{type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}}
  key: {{type: apiKey, name: x-api-key, in: header}}
  tokens:
    type: apiKey
    name: Authorization
    in: header
    x-amazon-apigateway-authtype: custom
    x-amazon-apigateway-authorizer: {{type: token, authorizerUri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations"}}
paths:
  /orders:
    post:
      security: [{{sigv4: []}}]
      parameters:
        - {{in: body, name: order, required: true, schema: {{type: object}}}}
      x-amazon-apigateway-integration:
        type: aws
        uri: {START_URI}
        credentials: {ROLE}
        requestTemplates:
          application/json: |
            {TEMPLATE}
    put:
      security: [{{tokens: []}}]
  /health:
    get:
      security: [{{key: []}}]
    head:
  /iam-only:
    get:
      x-amazon-apigateway-auth: {{type: AWS_IAM}}
"""

HTTP_API_YAML = f"""
openapi: 3.0.1
info: {{title: orders-http, version: "1"}}
components:
  securitySchemes:
    jwt:
      type: oauth2
      flows: {{}}
      x-amazon-apigateway-authorizer:
        type: jwt
        identitySource: $request.header.Authorization
        jwtConfiguration: {{issuer: "https://issuer.example.com", audience: [orders]}}
    lambda:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authorizer: {{type: request, authorizerPayloadFormatVersion: "2.0"}}
  x-amazon-apigateway-integrations:
    start:
      type: aws_proxy
      integrationSubtype: StepFunctions-StartExecution
      credentials: {ROLE}
      payloadFormatVersion: "1.0"
      requestParameters:
        StateMachineArn: {MACHINE}
        Name: $context.requestId
        Input: $request.body
paths:
  /orders:
    post:
      security: [{{jwt: [orders/write]}}]
      x-amazon-apigateway-integration:
        $ref: "#/components/x-amazon-apigateway-integrations/start"
    options: {{}}
  /stop:
    post:
      security: [{{lambda: []}}]
      x-amazon-apigateway-integration:
        type: aws_proxy
        integrationSubtype: StepFunctions-StopExecution
        requestParameters: {{ExecutionArn: $request.body.executionArn}}
  $default:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration: {{type: http_proxy, uri: "https://backend.example.com", payloadFormatVersion: "1.0"}}
"""

UNRESOLVED_NAMES = json.dumps({
    "openapi": "3.0.1",
    "paths": {"/orders": {"post": {
        "security": [{"sigv5": []}],
        "x-amazon-apigateway-request-validator": "strict",
        "x-amazon-apigateway-integration": {"$ref": "#/components/x-amazon-apigateway-integrations/missing"},
    }}},
})


@pytest.mark.parametrize(("body", "version", "expected", "problems"), [
    pytest.param(OPENAPI3_REST_JSON, "OpenAPI 3.0.1", [
        f"POST /orders auth=AWS_IAM validator=body(body) schema integration=aws:StartExecution credentials={ROLE} passthrough=NEVER templates=application/json",
        "OPTIONS /orders auth=NONE validator=body(body) integration=mock:- templates=application/json",
        "GET /orders/{id} auth=COGNITO_USER_POOLS validator=params",
        "ANY /orders/{id} auth=NONE validator=params",
    ], [], id="openapi3-rest-json"),
    pytest.param(SWAGGER2_REST_YAML, "Swagger 2.0", [
        f"POST /orders auth=AWS_IAM validator=all(body) schema integration=aws:StartExecution credentials={ROLE} templates=application/json",
        "PUT /orders auth=CUSTOM validator=all(body)",
        "GET /health auth=NONE api-key validator=all(body)",
        "HEAD /health auth=NONE validator=all(body)",
        "GET /iam-only auth=AWS_IAM validator=all(body)",
    ], [], id="swagger2-rest-yaml"),
    pytest.param(HTTP_API_YAML, "OpenAPI 3.0.1", [
        f"POST /orders auth=JWT integration=aws_proxy:StepFunctions-StartExecution credentials={ROLE} parameters=Input,Name,StateMachineArn",
        "OPTIONS /orders auth=NONE",
        "POST /stop auth=CUSTOM integration=aws_proxy:StepFunctions-StopExecution parameters=ExecutionArn",
        "$default auth=NONE integration=http_proxy:backend.example.com",
    ], [], id="http-api-subtype-ref-default-route"),
    pytest.param(UNRESOLVED_NAMES, "OpenAPI 3.0.1", ["POST /orders auth=NONE"], [
        "POST /orders names the security scheme 'sigv5', which the document does not define (components.securitySchemes or securityDefinitions)",
        "the integration of POST /orders refers to #/components/x-amazon-apigateway-integrations/missing, which the document does not define",
        "POST /orders uses the request validator 'strict', which x-amazon-apigateway-request-validators does not define",
    ], id="names-that-resolve-to-nothing"),
    pytest.param('{"swagger": "2.0", "paths": {}}', "Swagger 2.0", [], [], id="no-routes"),
])
def test_bodies_become_operations(body: str, version: str, expected: list[str], problems: list[str]) -> None:
    document = openapi.parse(body)
    assert (document.version, [describe(op) for op in document.operations], list(document.problems)) == (version, expected, problems)


@pytest.mark.parametrize(("body", "error"), [
    ("", "is empty"),
    ("  \n", "is empty"),
    ('{"openapi": "3.0.1", "paths": {"/x": {"get": {}}},}', "is not valid JSON (Expecting property name enclosed in double quotes at line 1 column 51)"),
    ("openapi: 3.0.1\npaths:\n  /x:\n    get: {\n", "is not valid YAML (expected the node content, but found '<stream end>' at line 5 column 1)"),
    ("openapi: 3.0.1\npaths:\n\t/x: {}\n", "is not valid YAML (found character '\\t' that cannot start any token at line 3 column 1)"),
    ("[1, 2]", "is a list, not an OpenAPI object"),
    ("just text", "is a string, not an OpenAPI object"),
    ("openapi: 3.0.1\ninfo: {title: x}\n", "has no paths (an OpenAPI document lists its routes under paths)"),
    ('{"openapi": "3.0.1", "paths": ["/x"]}', "has paths that are a list, not an object of routes"),
    ('{"openapi": "3.0.1", "paths": {"/x": "get"}}', "has a path /x that is a string, not an object of methods"),
    ('{"openapi": "3.0.1", "paths": {"/x": {"post": 1}}}', "has a post operation on /x that is a number, not an object"),
])
def test_broken_bodies_say_why(body: str, error: str) -> None:
    with pytest.raises(openapi.BodyError) as raised:
        openapi.parse(body)
    assert str(raised.value) == error


def test_an_evaluated_body_with_after_unknown_markers() -> None:
    """checkov's HCL scan: jsonencode() evaluated to an object, one-element lists unwrapped, escaped quotes kept,
    and values it could not evaluate (credentials = var.role_arn) given as markers."""
    body = {
        "openapi": "3.0.1",
        "paths": {"/orders": {"post": {
            "security": {"sigv4": []},
            "x-amazon-apigateway-integration": {"type": "aws", "uri": START_URI,
                                                "requestTemplates": {"application/json": '{\\"stateMachineArn\\": \\"' + MACHINE + '\\"}'}},
        }}},
        "components": {"securitySchemes": {"sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
                                                     "x-amazon-apigateway-authtype": "awsSigv4"}}},
    }
    markers = {"paths": {"/orders": {"post": {"x-amazon-apigateway-integration": {"credentials": True}}}}}
    (op,) = openapi.parse(body, markers).operations
    assert describe(op) == "POST /orders auth=AWS_IAM integration=aws:StartExecution credentials=(after apply) templates=application/json"


def test_unknown_security_and_templates_inside_an_evaluated_body() -> None:
    body = {"openapi": "3.0.1", "paths": {"/a": {"post": {"x-amazon-apigateway-integration": {"type": "aws", "uri": START_URI}}}}}
    markers = {"security": True, "paths": {"/a": {"post": {"x-amazon-apigateway-integration": {"requestTemplates": True}}}}}
    (op,) = openapi.parse(body, markers).operations
    assert describe(op) == "POST /a auth=None integration=aws:StartExecution unknown=*"


# --- the API model over bodies -------------------------------------------------------------------------


def resource(rtype: str, values: dict[str, Any], unknown: dict[str, Any] | None = None, name: str = "this") -> Resource:
    return Resource(f"{rtype}.{name}", "", "managed", rtype, name, None, values, unknown or {}, {})


def test_methods_and_integrations_of_a_rest_body() -> None:
    api = resource("aws_api_gateway_rest_api", {"name": "orders", "body": SWAGGER2_REST_YAML})
    assert methods(api) == [Method("POST /orders", "AWS_IAM"), Method("PUT /orders", "CUSTOM"), Method("GET /health", "NONE", True),
                            Method("HEAD /health", "NONE"), Method("GET /iam-only", "AWS_IAM")]
    (integration,) = sfn_integrations(api)
    assert (integration.action, integration.api, integration.route, integration.credentials, integration.mapping_known) == (
        "states:StartExecution", "REST", "POST /orders", ROLE, True)
    assert integration.mapping == {"application/json": TEMPLATE + "\n"}


def test_methods_and_integrations_of_an_http_body() -> None:
    api = resource("aws_apigatewayv2_api", {"name": "orders-http", "protocol_type": "HTTP", "body": HTTP_API_YAML})
    assert [m.route for m in methods(api)] == ["POST /orders", "OPTIONS /orders", "POST /stop", "$default"]
    assert [(i.action, i.api, i.route, i.credentials) for i in sfn_integrations(api)] == [
        ("states:StartExecution", "HTTP", "POST /orders", ROLE), ("states:StopExecution", "HTTP", "POST /stop", None)]


def test_an_unknown_body_and_a_broken_body() -> None:
    unknown = resource("aws_api_gateway_rest_api", {"name": "orders"}, {"body": True})
    broken = resource("aws_apigatewayv2_api", {"name": "orders", "body": "{"})
    assert api_body(unknown) == Body(None, "", False)
    assert api_body(broken) == Body(None, "is not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)", True)
    assert methods(unknown) == methods(broken) == sfn_integrations(unknown) == []
    assert api_body(resource("aws_api_gateway_rest_api", {"name": "no-body"})) is None


def test_body_integrations_whose_target_is_unknown_may_call_step_functions() -> None:
    """checkov's HCL scan: a uri or integrationSubtype it could not evaluate leaves the action unknown ("" with what
    is unknown), unless the type cannot call Step Functions (a Lambda proxy by invoke_arn)."""
    unknown = {"x-amazon-apigateway-integration": {"uri": True}}
    rest = resource("aws_api_gateway_rest_api", {"name": "orders", "body": {"openapi": "3.0.1", "paths": {
        "/start": {"post": {"x-amazon-apigateway-integration": {"type": "aws", "uri": None}}},
        "/status": {"get": {"x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": None}}},
        "/other": {"put": None}}}},
        {"body": {"paths": {"/start": {"post": unknown}, "/status": {"get": unknown},
                            "/other": {"put": {"x-amazon-apigateway-integration": True}}}}})
    http = resource("aws_apigatewayv2_api", {"name": "orders-http", "body": {"openapi": "3.0.1", "paths": {
        "/start": {"post": {"x-amazon-apigateway-integration": {"type": "aws_proxy", "integrationSubtype": None}}},
        "/status": {"get": {"x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": None}}}}}},
        {"body": {"paths": {"/start": {"post": {"x-amazon-apigateway-integration": {"integrationSubtype": True}}},
                            "/status": {"get": unknown}}}})
    assert [(i.route, i.action, i.unknown_target) for i in possible_sfn_integrations(rest)] == [
        ("POST /start", "", "uri"), ("PUT /other", "", "*")]
    assert [(i.route, i.action, i.unknown_target) for i in possible_sfn_integrations(http)] == [("POST /start", "", "integrationSubtype")]
    assert sfn_integrations(rest) == sfn_integrations(http) == []


def test_quick_create_http_api_is_one_open_route() -> None:
    api = resource("aws_apigatewayv2_api", {"name": "quick", "protocol_type": "HTTP", "target": "arn:aws:lambda:us-east-1:0:function:f"})
    assert methods(api) == [Method("$default", "NONE")]


def test_routes_of_a_body_link_machines_by_literal_arn_and_roles_by_credentials() -> None:
    api = resource("aws_api_gateway_rest_api", {"name": "orders", "body": OPENAPI3_REST_JSON})
    role = resource("aws_iam_role", {"name": "orders-api"}, {"arn": True}, name="integration")
    other = resource("aws_iam_role", {"name": "other"}, name="other")
    (route,) = [r for r in routes(Plan([api, role, other])) if r.integration is api]
    assert (route.action, route.machines, [r.address for r in route.roles], route.route) == (
        "states:StartExecution", (MACHINE,), ["aws_iam_role.integration"], "POST /orders")


def test_routes_of_an_http_body_take_the_mapped_state_machine_and_skip_other_actions() -> None:
    api = resource("aws_apigatewayv2_api", {"name": "orders-http", "protocol_type": "HTTP", "body": HTTP_API_YAML})
    role = resource("aws_iam_role", {"name": "orders-api", "arn": ROLE}, name="integration")
    assert [(r.route, r.action, r.machines, [x.address for x in r.roles]) for r in routes(Plan([api, role]))] == [
        ("POST /orders", "states:StartExecution", (MACHINE,), ["aws_iam_role.integration"])]
