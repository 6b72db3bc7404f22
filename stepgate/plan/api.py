"""API Gateway integrations that start Step Functions executions, as routes with their targets and roles."""

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
_REST_ACTION = re.compile(r":states:action/(StartSyncExecution|StartExecution)\b")
_HTTP_SUBTYPES = {"StepFunctions-StartExecution": START, "StepFunctions-StartSyncExecution": START_SYNC}


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
    for integration in plan.of_type("aws_api_gateway_integration"):
        match = _REST_ACTION.search(str(integration.get("uri") or ""))
        if not match:
            continue
        templates = integration.get("request_templates") or {}
        texts = list(templates.values()) if isinstance(templates, Mapping) else []
        found.append(Route(
            integration=integration,
            action=f"states:{match.group(1)}",
            machines=_machines(plan, integration, texts, "request_templates"),
            roles=tuple(roles_for(plan, integration, "credentials")),
        ))
    for integration in plan.of_type("aws_apigatewayv2_integration"):
        action = _HTTP_SUBTYPES.get(str(integration.get("integration_subtype") or ""))
        if not action:
            continue
        parameters = integration.get("request_parameters") or {}
        texts = [parameters.get("StateMachineArn")] if isinstance(parameters, Mapping) else []
        found.append(Route(
            integration=integration,
            action=action,
            machines=_machines(plan, integration, texts, "request_parameters"),
            roles=tuple(roles_for(plan, integration, "credentials_arn")),
        ))
    return found
