"""The API model: who may call each route (methods) and what each Step Functions integration sends.

Both are read from one resource at a time (`methods(resource)`, `sfn_integrations(resource)`), so a rule
written over them judges a single resource and checkov can host it; `routes(plan)` then links the start
integrations with the state machines they start and the roles API Gateway assumes for them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stepgate.plan.iam import roles_for
from stepgate.plan.model import Plan, Resource

START = "states:StartExecution"
START_SYNC = "states:StartSyncExecution"
_MACHINE_ARN = re.compile(r"arn:[A-Za-z0-9-]+:states:[a-z0-9-]*:\d*:stateMachine:[A-Za-z0-9_.-]+(?::[A-Za-z0-9_.-]+)?")
_REST_ACTION = re.compile(r":states:action/([A-Za-z]+)")
_HTTP_SUBTYPE = re.compile(r"^StepFunctions-([A-Za-z]+)$")
METHOD_TYPES = ("aws_api_gateway_method", "aws_apigatewayv2_route")
INTEGRATION_TYPES = ("aws_api_gateway_integration", "aws_apigatewayv2_integration")


@dataclass(frozen=True)
class Method:
    """One route as API Gateway admits callers to it."""

    route: str  # "POST /orders" (REST: the method, the path when known), "" when not known
    authorization: str | None  # NONE, AWS_IAM, JWT, COGNITO_USER_POOLS, CUSTOM; None: only known after apply

    @property
    def is_preflight(self) -> bool:
        return self.route.upper().startswith("OPTIONS")


@dataclass(frozen=True)
class SfnIntegration:
    """An integration that calls a Step Functions action, with what builds the call."""

    action: str  # IAM action, e.g. states:StartExecution
    api: str  # "REST" (request templates) or "HTTP" (request parameters)
    mapping: Mapping[str, str]  # content type -> template (REST) or parameter -> value (HTTP)
    mapping_known: bool  # False: the mapping (or part of it) is only known after apply


def _unknown_inside(resource: Resource, key: str) -> bool:
    return resource.is_unknown(key) or bool(resource.unknown.get(key))


def methods(resource: Resource) -> list[Method]:
    if resource.type == "aws_api_gateway_method":
        authorization = None if resource.is_unknown("authorization") else str(resource.get("authorization") or "NONE")
        return [Method(str(resource.get("http_method") or ""), authorization)]
    if resource.type == "aws_apigatewayv2_route":
        authorization = None if resource.is_unknown("authorization_type") else str(resource.get("authorization_type") or "NONE")
        return [Method(str(resource.get("route_key") or ""), authorization)]
    return []


def sfn_integrations(resource: Resource) -> list[SfnIntegration]:
    if resource.type == "aws_api_gateway_integration":
        match = _REST_ACTION.search(str(resource.get("uri") or ""))
        if not match:
            return []
        templates = resource.get("request_templates")
        mapping = {str(k): str(v) for k, v in templates.items()} if isinstance(templates, Mapping) else {}
        return [SfnIntegration(f"states:{match.group(1)}", "REST", mapping, not _unknown_inside(resource, "request_templates"))]
    if resource.type == "aws_apigatewayv2_integration":
        match = _HTTP_SUBTYPE.match(str(resource.get("integration_subtype") or ""))
        if not match:
            return []
        parameters = resource.get("request_parameters")
        mapping = {str(k): str(v) for k, v in parameters.items()} if isinstance(parameters, Mapping) else {}
        return [SfnIntegration(f"states:{match.group(1)}", "HTTP", mapping, not _unknown_inside(resource, "request_parameters"))]
    return []


# --- routes: start integrations linked to machines and roles ----------------------------------------


@dataclass(frozen=True)
class Route:
    integration: Resource
    action: str  # START or START_SYNC
    machines: tuple[str, ...]  # ARN patterns of the state machines it starts (empty: not known at plan time)
    roles: tuple[Resource, ...]  # the aws_iam_role(s) API Gateway assumes for it


def machine_arn(machine: Resource) -> str:
    """The state machine's (or alias') ARN when known, else a pattern built from its name."""
    arn = machine.get("arn")
    if isinstance(arn, str) and arn:
        return arn
    name = machine.get("name")
    return f"arn:*:states:*:*:stateMachine:{name}" if isinstance(name, str) and name else "*"


def _machines(plan: Plan, integration: Resource, texts: list[Any], attribute: str) -> tuple[str, ...]:
    literal = {m for text in texts if isinstance(text, str) for m in _MACHINE_ARN.findall(text)}
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
    return found
