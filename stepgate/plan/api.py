"""The API model: who may call each route (methods) and what each Step Functions integration sends.

Both are read from one resource at a time (`methods(resource)`, `sfn_integrations(resource)`), so a rule
written over them judges a single resource and checkov can host it. A route is either a resource of its own
(aws_api_gateway_method + aws_api_gateway_integration, aws_apigatewayv2_route + aws_apigatewayv2_integration)
or an operation of the OpenAPI `body` of an aws_api_gateway_rest_api / aws_apigatewayv2_api
(`stepgate.plan.openapi`); both shapes give the same Method and SfnIntegration. `routes(plan)` then links the
start integrations with the state machines they start and the roles API Gateway assumes for them.

An AWS integration whose uri (REST) or integration_subtype (HTTP) is only known after apply may call any Step
Functions action, or none: `possible_sfn_integrations` gives it with action "" so that the rules that judge
integrations can tell "not known" from "not Step Functions" (a Lambda proxy or HTTP integration).

A resource's values and after-unknown markers are JSON data (the plan's, or checkov's configuration made
plain dicts and lists by stepgate.policies), so objects in them are tested with `isinstance(x, dict)`, much
cheaper than the `Mapping` ABC.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from stepgate.plan import openapi
from stepgate.plan.iam import roles_for, roles_named
from stepgate.plan.model import Plan, Resource

# The records are NamedTuples, as in stepgate.plan.iamref: immutable, and cheaper to import and to make than
# frozen dataclasses (rules make an SfnIntegration per integration they judge).
START = "states:StartExecution"
START_SYNC = "states:StartSyncExecution"
# Task-token callbacks: the caller hands back a token it was given, which is what approval routes are for.
CALLBACKS = ("states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat")
# REST `credentials` that makes API Gateway call the backend with each caller's own IAM identity.
CALLER_CREDENTIALS = "arn:aws:iam::*:user/*"
# `*` for partition, region and account: a machine only known after apply, as machine_arn() and the symbols
# of templates evaluated from HCL (stepgate.plan.sourced) write it
_MACHINE_ARN = re.compile(r"arn:(?:[A-Za-z0-9-]+|\*):states:(?:[a-z0-9-]*|\*):(?:\d*|\*):stateMachine:[A-Za-z0-9_.-]+(?::[A-Za-z0-9_.-]+)?")
_REST_ACTION = re.compile(r":states:action/([A-Za-z]+)")
_HTTP_SUBTYPE = re.compile(r"^StepFunctions-([A-Za-z]+)$")
METHOD_TYPES = ("aws_api_gateway_method", "aws_apigatewayv2_route")
INTEGRATION_TYPES = ("aws_api_gateway_integration", "aws_apigatewayv2_integration")
API_TYPES = ("aws_api_gateway_rest_api", "aws_apigatewayv2_api")  # APIs that may define routes in an OpenAPI body


class Method(NamedTuple):
    """One route as API Gateway admits callers to it."""

    route: str  # "POST /orders" (REST resource: the method, the path when known), "" when not known
    authorization: str | None  # NONE, AWS_IAM, JWT, COGNITO_USER_POOLS, CUSTOM; None: only known after apply
    api_key_required: bool = False

    @property
    def is_preflight(self) -> bool:
        return self.route.upper().startswith("OPTIONS")


class SfnIntegration(NamedTuple):
    """An integration that calls a Step Functions action, with what builds the call."""

    action: str  # IAM action, e.g. states:StartExecution; "": only known after apply (see unknown_target)
    api: str  # "REST" (request templates) or "HTTP" (request parameters)
    mapping: Mapping[str, str]  # content type -> template (REST) or parameter -> value (HTTP)
    mapping_known: bool  # False: the mapping (or part of it) is only known after apply
    route: str = ""  # the route of an OpenAPI operation ("POST /orders"); "" for an integration resource
    credentials: str | None = None  # the role (REST credentials, HTTP credentials_arn); "": only known after apply; None: not set
    passthrough: str = ""  # REST passthrough behavior (WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER); "": unset or unknown
    unknown_keys: frozenset[str] = frozenset()  # mapping keys only known after apply ("*": the mapping as a whole)
    # what would name the action, when only known after apply: the resource attribute (uri, integration_subtype),
    # or in a body the integration's key (uri, integrationSubtype; "*": the whole integration)
    unknown_target: str = ""

    @property
    def in_body(self) -> bool:
        return bool(self.route)


class Body(NamedTuple):
    """An API's OpenAPI body as the plan (or checkov) has it."""

    document: openapi.Document | None  # None: unknown, or does not parse
    error: str  # why it does not parse ("" when it does or is unknown)
    known: bool  # False: only known after apply


def api_name(resource: Resource) -> str:
    name = resource.get("name")
    return f'API "{name}"' if isinstance(name, str) and name else "this API"


def api_body(resource: Resource) -> Body | None:
    """The OpenAPI body of an API resource; None when the resource is no API or defines no body."""
    if resource.type not in API_TYPES:
        return None
    value = resource.get("body")
    if value is None and resource.is_unknown("body"):
        return Body(None, "", False)
    if value is None or value == "":
        return None
    try:
        return Body(openapi.parse(value, resource.unknown.get("body")), "", True)
    except openapi.BodyError as error:
        return Body(None, str(error), True)


def _operations(resource: Resource) -> tuple[openapi.Operation, ...]:
    body = api_body(resource)
    return body.document.operations if body and body.document else ()


def _unknown_inside(resource: Resource, key: str) -> bool:
    return resource.is_unknown(key) or bool(resource.unknown.get(key))


def _unknown_keys(resource: Resource, key: str) -> frozenset[str]:
    markers = resource.unknown.get(key)
    if markers is True:
        return frozenset({"*"})
    return frozenset(str(k) for k, v in markers.items() if v) if isinstance(markers, dict) and markers else frozenset()


def _credentials(resource: Resource, key: str) -> str | None:
    if resource.is_unknown(key):
        return ""
    value = resource.get(key)
    return value if isinstance(value, str) and value else None


def methods(resource: Resource) -> list[Method]:
    if resource.type == "aws_api_gateway_method":
        authorization = None if resource.is_unknown("authorization") else str(resource.get("authorization") or "NONE")
        return [Method(str(resource.get("http_method") or ""), authorization, resource.get("api_key_required") is True)]
    if resource.type == "aws_apigatewayv2_route":
        authorization = None if resource.is_unknown("authorization_type") else str(resource.get("authorization_type") or "NONE")
        return [Method(str(resource.get("route_key") or ""), authorization, resource.get("api_key_required") is True)]
    if resource.type in API_TYPES:
        if resource.type == "aws_apigatewayv2_api" and api_body(resource) is None and resource.has_value("target"):
            # quick create: one route to the target, which takes no authorization at all
            return [Method(str(resource.get("route_key") or "$default"), "NONE")]
        return [Method(op.route, op.authorization, op.api_key_required) for op in _operations(resource)]
    return []


def _aws(kind: Any, expected: str) -> bool:
    """The integration type that calls AWS services (REST AWS, HTTP AWS_PROXY), or a type not known (unset or after apply)."""
    return str(kind or "").upper() in (expected, "")


def _body_target(integration: openapi.Integration, rest: bool) -> tuple[str, str]:
    """(action, unknown target) of an operation's integration: the action it calls, or what is unknown about it."""
    match = _REST_ACTION.search(integration.uri) if rest else _HTTP_SUBTYPE.match(integration.subtype)
    if match:
        return f"states:{match.group(1)}", ""
    unknown = integration.unknown_fields
    target = "uri" if rest else "integrationSubtype"
    if "*" in unknown:
        return "", "*"
    return "", target if target in unknown and _aws(integration.type, "AWS" if rest else "AWS_PROXY") else ""


def _body_integrations(resource: Resource) -> list[SfnIntegration]:
    found = []
    rest = resource.type == "aws_api_gateway_rest_api"
    for op in _operations(resource):
        integration = op.integration
        if integration is None:
            continue
        action, unknown_target = _body_target(integration, rest)
        if action or unknown_target:
            api, mapping = ("REST", integration.request_templates) if rest else ("HTTP", integration.request_parameters)
            found.append(SfnIntegration(action, api, dict(mapping), not integration.unknown_keys, op.route, integration.credentials,
                                        integration.passthrough, integration.unknown_keys, unknown_target))
    return found


def _resource_target(resource: Resource, attribute: str, pattern: re.Pattern[str], kind: str, aws: str) -> tuple[str, str]:
    """(action, unknown target) of an integration resource, read from `attribute` (uri, integration_subtype)."""
    match = pattern.search(str(resource.get(attribute) or ""))
    if match:
        return f"states:{match.group(1)}", ""
    return "", attribute if resource.is_unknown(attribute) and _aws(resource.get(kind), aws) else ""


# What possible_sfn_integrations found for the integrations and APIs last asked about: nine rules and plan
# views ask it of each of them. A Resource is frozen and its values are the plan's JSON, which nothing
# changes, so the answer is fixed; it is remembered by identity (a Resource holds dicts, so it has no hash)
# together with the resource, which keeps that identity from being reused while it is remembered.
_FOUND: dict[int, tuple[Resource, tuple[SfnIntegration, ...]]] = {}
_FOUND_AT_MOST = 8192
_INTEGRATING_TYPES = frozenset(INTEGRATION_TYPES + API_TYPES)


def possible_sfn_integrations(resource: Resource) -> list[SfnIntegration]:
    """The integrations of a resource that call Step Functions, and those that may: action "" when what they call
    is only known after apply (never a type that cannot call Step Functions, such as a Lambda proxy)."""
    if resource.type not in _INTEGRATING_TYPES:
        return []
    entry = _FOUND.get(id(resource))
    if entry is not None and entry[0] is resource:
        return list(entry[1])
    found = _possible_sfn_integrations(resource)
    if len(_FOUND) >= _FOUND_AT_MOST:
        _FOUND.clear()
    _FOUND[id(resource)] = (resource, tuple(found))
    return found


def _possible_sfn_integrations(resource: Resource) -> list[SfnIntegration]:
    if resource.type == "aws_api_gateway_integration":
        action, unknown_target = _resource_target(resource, "uri", _REST_ACTION, "type", "AWS")
        if not (action or unknown_target):
            return []
        templates = resource.get("request_templates")
        mapping = {str(k): str(v) for k, v in templates.items()} if isinstance(templates, dict) else {}
        passthrough = resource.get("passthrough_behavior")
        return [SfnIntegration(action, "REST", mapping, not _unknown_inside(resource, "request_templates"),
                               credentials=_credentials(resource, "credentials"),
                               passthrough=passthrough.upper() if isinstance(passthrough, str) else "",
                               unknown_keys=_unknown_keys(resource, "request_templates"), unknown_target=unknown_target)]
    if resource.type == "aws_apigatewayv2_integration":
        action, unknown_target = _resource_target(resource, "integration_subtype", _HTTP_SUBTYPE, "integration_type", "AWS_PROXY")
        if not (action or unknown_target):
            return []
        parameters = resource.get("request_parameters")
        mapping = {str(k): str(v) for k, v in parameters.items()} if isinstance(parameters, dict) else {}
        return [SfnIntegration(action, "HTTP", mapping, not _unknown_inside(resource, "request_parameters"),
                               credentials=_credentials(resource, "credentials_arn"),
                               unknown_keys=_unknown_keys(resource, "request_parameters"), unknown_target=unknown_target)]
    if resource.type in API_TYPES:
        return _body_integrations(resource)
    return []


def sfn_integrations(resource: Resource) -> list[SfnIntegration]:
    """The integrations of a resource known to call Step Functions."""
    return [integration for integration in possible_sfn_integrations(resource) if integration.action]


# --- routes: start integrations linked to machines and roles ----------------------------------------


class Route(NamedTuple):
    integration: Resource  # the integration resource, or the API whose OpenAPI body defines the route
    action: str  # START or START_SYNC
    machines: tuple[str, ...]  # ARN patterns of the state machines it starts (empty: not known at plan time)
    roles: tuple[Resource, ...]  # the aws_iam_role(s) API Gateway assumes for it
    route: str = ""  # the OpenAPI operation ("POST /orders") when the route is defined in a body


def machine_arn(machine: Resource) -> str:
    """The state machine's (or alias') ARN when known, else a pattern built from its name."""
    arn = machine.get("arn")
    if isinstance(arn, str) and arn:
        return arn
    name = machine.get("name")
    return f"arn:*:states:*:*:stateMachine:{name}" if isinstance(name, str) and name else "*"


def _literal_machines(texts: list[Any]) -> set[str]:
    return {m for text in texts if isinstance(text, str) for m in _MACHINE_ARN.findall(text)}


def _machines(plan: Plan, integration: Resource, texts: list[Any], attribute: str) -> tuple[str, ...]:
    literal = _literal_machines(texts)
    referenced = {machine_arn(r) for r in plan.resolve(integration, attribute) if r.type in ("aws_sfn_state_machine", "aws_sfn_alias")}
    return tuple(sorted(literal or referenced))


def routes(plan: Plan) -> list[Route]:
    found = []
    for resource in plan.of_type(*INTEGRATION_TYPES):
        for integration in sfn_integrations(resource):
            if integration.action not in (START, START_SYNC):
                continue
            rest = integration.api == "REST"
            texts = list(integration.mapping.values()) if rest else [integration.mapping.get("StateMachineArn")]
            mapping_attribute, role_attribute = ("request_templates", "credentials") if rest else ("request_parameters", "credentials_arn")
            found.append(Route(
                integration=resource,
                action=integration.action,
                machines=_machines(plan, resource, texts, mapping_attribute),
                roles=tuple(roles_for(plan, resource, role_attribute)),
            ))
    for resource in plan.of_type(*API_TYPES):
        for integration in sfn_integrations(resource):
            if integration.action not in (START, START_SYNC):
                continue
            texts = list(integration.mapping.values()) if integration.api == "REST" else [integration.mapping.get("StateMachineArn")]
            found.append(Route(resource, integration.action, tuple(sorted(_literal_machines(texts))),
                               tuple(roles_named(plan, integration.credentials)), integration.route))
    return found
