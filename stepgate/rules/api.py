"""API rules: who may call, how often, with what input, and what reaches the workflow."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from stepgate.findings import Finding, Severity
from stepgate.plan.api import (API_TYPES, CALLBACKS, INTEGRATION_TYPES, METHOD_TYPES, START, START_SYNC, SfnIntegration, api_body,
                               api_name, methods, possible_sfn_integrations)
from stepgate.plan.model import Plan, Resource
from stepgate.rules.base import Rule, RuleConfig, Unevaluated, Verdict

BODY_METHODS = {"POST", "PUT", "PATCH", "ANY"}

# What copies the caller's credentials into a mapping: the Authorization header by name, the whole
# header map, or every request parameter (headers included).
_LEAKS = re.compile(
    r"params\(\s*['\"]authorization['\"]\s*\)"  # $input.params('Authorization')
    r"|header\.authorization"  # $input.params().header.Authorization, $request.header.Authorization
    r"|get\(\s*['\"]authorization['\"]"  # $input.params().header.get('Authorization')
    r"|params\(\s*\)\.header(?![.\w])"  # the whole header map
    r"|params\(\s*\)\.get\(\s*['\"]header['\"]\s*\)(?![.\w])"
    r"|params\(\s*\)(?![.\w])",  # every parameter, headers included
    re.IGNORECASE,
)
_NAME_KEY = re.compile(r"(\\?[\"'])name\1\s*:", re.IGNORECASE)


def body_notes(resource: Resource) -> Iterator[Verdict]:
    """Why a rule that reads an API's OpenAPI body could not: the body is unknown, or does not parse."""
    body = api_body(resource)
    if body is None:
        return
    if not body.known:
        yield Unevaluated(f"the OpenAPI body of {api_name(resource)} is only known after apply")
    elif body.error:
        yield Unevaluated(f"the OpenAPI body of {api_name(resource)} does not parse (SG-API-007 says why)")


def where(integration: SfnIntegration) -> str:
    """The route a message is about, when the integration is an operation of an OpenAPI body."""
    return f"{integration.route}: " if integration.in_body else ""


def _mapping_attribute(integration: SfnIntegration) -> str:
    return "request_templates" if integration.api == "REST" else "request_parameters"


def mapping_unknown(integration: SfnIntegration, what: str, one: bool = False) -> Unevaluated:
    verb = "is" if one else "are"
    if integration.in_body:
        return Unevaluated(f"the {what} of {integration.route} {verb} only known after apply")
    return Unevaluated(f"the integration's {what} {verb} only known after apply", _mapping_attribute(integration))


def target_unknown(integration: SfnIntegration) -> Unevaluated:
    """Why a rule cannot judge an integration whose uri (REST) or integration subtype (HTTP) is only known after apply."""
    if not integration.in_body:
        return Unevaluated(f"whether the integration calls Step Functions, and which action, is not known: its "
                           f"{integration.unknown_target} is only known after apply", integration.unknown_target)
    unknown = "it is" if integration.unknown_target == "*" else f"its {integration.unknown_target} is"
    return Unevaluated(f"whether the integration of {integration.route} calls Step Functions, and which action, is not known: "
                       f"{unknown} only known after apply")


# One action of each kind the API rules tell apart: what an integration whose action is unknown may call.
_ANY_ACTION = (START, START_SYNC, *CALLBACKS, "states:DescribeExecution")


def judged(integration: SfnIntegration, judge: Callable[[SfnIntegration], Iterable[Verdict]]) -> Iterator[Verdict]:
    """A rule's verdicts on one integration. When what it calls is only known after apply, the rule passes it if
    it would pass it whatever it called, and otherwise says once that it could not judge it."""
    if integration.action:
        yield from judge(integration)
    elif any(True for action in _ANY_ACTION for _ in judge(integration._replace(action=action))):
        yield target_unknown(integration)


def _authorization(resource: Resource) -> Iterator[Verdict]:
    yield from body_notes(resource)
    for method in methods(resource):
        if method.is_preflight:
            continue  # CORS preflight carries no credentials by design
        if method.authorization is None:
            in_body = resource.type in API_TYPES
            yield Unevaluated(f"the authorization of {method.route} is only known after apply" if in_body
                              else "the authorization type is only known after apply")
        elif method.authorization.upper() == "NONE":
            route = method.route if " " in method.route else f"the {method.route} route" if method.route.startswith("$") \
                else f"the {method.route or 'route'} method"
            key = "; an API key alone authenticates no one" if method.api_key_required else ""
            yield (f"{route} lets anyone call it (authorization NONE{key}); use AWS_IAM, a JWT/Cognito authorizer or a custom "
                   "authorizer, or suppress with the reason the route is public")


def _rest_xray(resource: Resource) -> Iterator[Verdict]:
    if resource.is_unknown("xray_tracing_enabled"):
        yield Unevaluated("xray_tracing_enabled is only known after apply")
    elif resource.get("xray_tracing_enabled") is not True:
        yield "X-Ray tracing is off on this stage; set xray_tracing_enabled = true"


def _copies_authorization(integration: SfnIntegration) -> Iterator[Verdict]:
    leaking = sorted(key for key, text in integration.mapping.items() if _LEAKS.search(text))
    if leaking:
        kind = "request template" if integration.api == "REST" else "request parameter"
        yield (f"{where(integration)}the {kind} {', '.join(leaking)} copies the caller's Authorization header (or all headers) into the "
               f"{integration.action} call; pass only the body and non-secret context such as $context.requestId")
    elif integration.in_body and not integration.mapping_known:
        yield mapping_unknown(integration, "request templates" if integration.api == "REST" else "request parameters")
    elif not integration.mapping_known:
        yield Unevaluated("the integration's request mapping is only known after apply", _mapping_attribute(integration))


def _authorization_header(resource: Resource) -> Iterator[Verdict]:
    yield from body_notes(resource)
    for integration in possible_sfn_integrations(resource):
        yield from judged(integration, _copies_authorization)


def _names_execution(integration: SfnIntegration) -> Iterator[Verdict]:
    if integration.action != START:
        return
    if integration.api == "HTTP":
        if integration.mapping.get("Name") or "Name" in integration.unknown_keys:
            return
        if integration.mapping_known:
            name = "requestParameters set" if integration.in_body else "request_parameters set"
            yield f"{where(integration)}{name} no Name; map one, e.g. Name = \"$context.requestId\""
        else:
            yield mapping_unknown(integration, "request parameters")
        return
    unnamed = sorted(key for key, text in integration.mapping.items() if not _NAME_KEY.search(text))
    if unnamed or (integration.mapping_known and not integration.mapping):
        which = f"the request template {', '.join(unnamed)} sets no" if unnamed else "no request template sets an"
        yield (f"{where(integration)}{which} execution \"name\"; set it from an Idempotency-Key header or $context.requestId so "
               "retries are idempotent and each execution names its request")
    elif not integration.mapping_known:
        yield mapping_unknown(integration, "request templates")


def _execution_name(resource: Resource) -> Iterator[Verdict]:
    yield from body_notes(resource)
    for integration in possible_sfn_integrations(resource):
        yield from judged(integration, _names_execution)


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and value > 0


def _same_target(plan: Plan, left: Resource, left_attr: str, right: Resource, right_attr: str) -> bool:
    """Both attributes hold the same known value, or both reference the same resource."""
    a, b = left.get(left_attr), right.get(right_attr)
    if isinstance(a, str) and a and isinstance(b, str) and b:
        return a == b
    refs_a = {r.address for r in plan.resolve(left, left_attr)}
    refs_b = {r.address for r in plan.resolve(right, right_attr)}
    return bool(refs_a & refs_b) or right.address in refs_a or left.address in refs_b


def _keys(plan: Plan, resource: Resource, attribute: str) -> set[tuple[str, str]]:
    """What `_same_target` can match an attribute on: its known value and the resources it references."""
    value = resource.get(attribute)
    keys = {("ref", r.address) for r in plan.resolve(resource, attribute)}
    return keys | {("value", value)} if isinstance(value, str) and value else keys


def _settings_index(plan: Plan) -> dict[tuple[str, str], list[Resource]]:
    """Method settings by every key of their rest_api_id, so a stage meets only the settings of its own API."""
    index: dict[tuple[str, str], list[Resource]] = {}
    for settings in plan.of_type("aws_api_gateway_method_settings"):
        for key in _keys(plan, settings, "rest_api_id") | {("ref", settings.address)}:
            index.setdefault(key, []).append(settings)
    return index


def _stage_throttled(plan: Plan, stage: Resource) -> bool:
    index = plan.derived("method-settings-by-api", lambda: _settings_index(plan))
    candidates = {s.address: s for key in _keys(plan, stage, "rest_api_id") | {("ref", stage.address)} for s in index.get(key, [])}
    for settings in candidates.values():
        same_stage = _same_target(plan, settings, "stage_name", stage, "stage_name")
        if same_stage and _same_target(plan, settings, "rest_api_id", stage, "rest_api_id"):
            block = settings.block("settings")
            if _positive(block.get("throttling_rate_limit")) and _positive(block.get("throttling_burst_limit")):
                return True
    for usage_plan in plan.of_type("aws_api_gateway_usage_plan"):
        throttle = usage_plan.block("throttle_settings")
        if not (_positive(throttle.get("rate_limit")) and _positive(throttle.get("burst_limit"))):
            continue
        staged = [s.get("stage") for s in usage_plan.get("api_stages") or [] if isinstance(s, dict)]
        if (isinstance(stage.get("stage_name"), str) and stage.get("stage_name") in staged) or stage.address in {r.address for r in plan.resolve(usage_plan, "api_stages")}:
            return True
    return False


def _throttling(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    for stage in plan.of_type("aws_api_gateway_stage"):
        if not _stage_throttled(plan, stage):
            yield rule.finding(stage.address, "no method settings or usage plan sets throttling rate and burst limits for this stage; "
                               "add aws_api_gateway_method_settings for \"*/*\" with throttling_rate_limit and throttling_burst_limit")
    for stage in plan.of_type("aws_apigatewayv2_stage"):
        block = stage.block("default_route_settings")
        if not (_positive(block.get("throttling_rate_limit")) and _positive(block.get("throttling_burst_limit"))):
            yield rule.finding(stage.address, "default_route_settings sets no throttling rate and burst limits; set "
                               "throttling_rate_limit and throttling_burst_limit there")


def _request_validation(resource: Resource) -> Iterator[Verdict]:
    if resource.type == "aws_api_gateway_method":
        if str(resource.get("http_method", "")).upper() in BODY_METHODS and not resource.has_value("request_validator_id"):
            yield (f"{resource.get('http_method')} method has no request validator, so bodies reach the workflow unchecked; set "
                   "request_validator_id (a validator with validate_request_body) and request_models")
        return
    yield from body_notes(resource)
    body = api_body(resource)
    for op in body.document.operations if body and body.document else ():
        if op.method not in BODY_METHODS:
            continue
        if op.validator is None or not op.validator.body:
            which = "no request validator," if op.validator is None else f"the request validator {op.validator.name!r}, which does not validate bodies,"
            yield (f"{op.route} has {which} so bodies reach the workflow unchecked; set x-amazon-apigateway-request-validator (on the "
                   "operation or the document) to a validator with validateRequestBody: true")
        elif not op.body_schema:
            yield (f"{op.route} validates bodies but declares no request body schema, so any body passes; add a requestBody with a "
                   "schema (OpenAPI 3) or a body parameter with a schema (Swagger 2)")


RULES: tuple[Rule, ...] = (
    Rule("SG-API-001", Severity.HIGH, "Every method and route requires authorization",
         "A method with authorization NONE lets anyone on the internet start executions and run up cost. "
         "OPTIONS (CORS preflight) is exempt; deliberate public routes are accepted with a suppression and its reason.",
         "Use AWS_IAM, a JWT/Cognito authorizer, or a custom authorizer on every method and route.",
         "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
         resource_types=METHOD_TYPES + API_TYPES, evaluate=_authorization,
         overlaps="checkov CKV_AWS_59 / CKV2_AWS_70 (REST method resources; both pass a method that only requires an API key) "
                  "and CKV_AWS_309 (HTTP route resources) flag open routes; stepgate also reads every operation of an OpenAPI "
                  "body (aws_api_gateway_rest_api / aws_apigatewayv2_api `body`: security schemes, x-amazon-apigateway-auth) and "
                  "quick-create HTTP APIs, reports the route key, takes no API key for authorization, and exempts only CORS preflight"),
    Rule("SG-API-002", Severity.MEDIUM, "API stages are throttled",
         "Without rate and burst limits a single client can start unbounded executions (cost, downstream "
         "overload, Step Functions quotas shared with every other workflow in the account).",
         "REST: aws_api_gateway_method_settings for \"*/*\" with throttling_rate_limit and throttling_burst_limit "
         "(or a usage plan); HTTP: default_route_settings throttling limits on the stage.",
         "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html", _throttling),
    Rule("SG-API-003", Severity.LOW, "REST stages have X-Ray tracing on",
         "Tracing links each API request to the execution it started, which is how latency and failures are "
         "followed across the boundary.",
         "Set xray_tracing_enabled = true on aws_api_gateway_stage.",
         "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-xray.html",
         resource_types=("aws_api_gateway_stage",), evaluate=_rest_xray,
         overlaps="checkov CKV_AWS_73 checks the same attribute; stepgate keeps it so that `stepgate check` alone covers "
                  "the request -> execution trace, and reports an unknown value as not evaluated instead of passing it"),
    Rule("SG-API-004", Severity.MEDIUM, "REST methods that take a body validate it",
         "A request validator with a model rejects malformed input at the edge instead of starting executions "
         "that fail (and are billed) later. Checked per method resource and per POST/PUT/PATCH/ANY operation of a REST "
         "API's OpenAPI body (HTTP APIs have no request validation).",
         "Add aws_api_gateway_request_validator (validate_request_body) and set request_validator_id and request_models; in "
         "an OpenAPI body, x-amazon-apigateway-request-validator naming a validator with validateRequestBody: true and a "
         "request body schema.",
         "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html",
         resource_types=("aws_api_gateway_method", "aws_api_gateway_rest_api"), evaluate=_request_validation,
         overlaps="checkov CKV2_AWS_53 requires request_validator_id on every method resource; stepgate asks it of the methods "
                  "that take a body, and of every such operation of an OpenAPI body also a validator that validates bodies "
                  "and a request body schema"),
    Rule("SG-API-005", Severity.HIGH, "The Authorization header never reaches execution input",
         "Execution input is stored in execution history and logs; a copied bearer token or SigV4 signature "
         "there is a credential leak readable by everyone with states:GetExecutionHistory.",
         "Pass only the body and non-secret context (request id, caller identity) into the input.",
         "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html",
         resource_types=INTEGRATION_TYPES + API_TYPES, evaluate=_authorization_header),
    Rule("SG-API-006", Severity.MEDIUM, "StartExecution integrations set a deterministic execution name",
         "A name derived from an idempotency key or the request id makes retries idempotent (a second start with "
         "the same name is rejected) and ties every execution to the request that caused it.",
         "Set \"name\" in the request template (REST) or the Name request parameter (HTTP), e.g. from an "
         "Idempotency-Key header or $context.requestId.",
         "https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html",
         resource_types=INTEGRATION_TYPES + API_TYPES, evaluate=_execution_name),
)
