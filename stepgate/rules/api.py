"""API rules: who may call, how often, with what input, and what reaches the workflow."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from stepgate.findings import Finding, Severity
from stepgate.plan.api import INTEGRATION_TYPES, METHOD_TYPES, START, methods, sfn_integrations
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


def _authorization(resource: Resource) -> Iterator[Verdict]:
    for method in methods(resource):
        if method.is_preflight:
            continue  # CORS preflight carries no credentials by design
        if method.authorization is None:
            yield Unevaluated("the authorization type is only known after apply")
        elif method.authorization.upper() == "NONE":
            route = method.route if " " in method.route else f"the {method.route or 'route'} method"
            yield (f"{route} lets anyone call it (authorization NONE); use AWS_IAM, a JWT/Cognito authorizer or a custom "
                   "authorizer, or suppress with the reason the route is public")


def _rest_xray(resource: Resource) -> Iterator[Verdict]:
    if resource.is_unknown("xray_tracing_enabled"):
        yield Unevaluated("xray_tracing_enabled is only known after apply")
    elif resource.get("xray_tracing_enabled") is not True:
        yield "X-Ray tracing is off on this stage; set xray_tracing_enabled = true"


def _authorization_header(resource: Resource) -> Iterator[Verdict]:
    for integration in sfn_integrations(resource):
        leaking = sorted(key for key, text in integration.mapping.items() if _LEAKS.search(text))
        if leaking:
            where = "request template" if integration.api == "REST" else "request parameter"
            yield (f"the {where} {', '.join(leaking)} copies the caller's Authorization header (or all headers) into the "
                   f"{integration.action} call; pass only the body and non-secret context such as $context.requestId")
        elif not integration.mapping_known:
            yield Unevaluated("the integration's request mapping is only known after apply")


def _execution_name(resource: Resource) -> Iterator[Verdict]:
    for integration in sfn_integrations(resource):
        if integration.action != START:
            continue
        if integration.api == "HTTP":
            if integration.mapping.get("Name"):
                continue
            if integration.mapping_known:
                yield "request_parameters set no Name; map one, e.g. Name = \"$context.requestId\""
            else:
                yield Unevaluated("the integration's request parameters are only known after apply")
            continue
        unnamed = sorted(key for key, text in integration.mapping.items() if not _NAME_KEY.search(text))
        if unnamed or (integration.mapping_known and not integration.mapping):
            which = f"the request template {', '.join(unnamed)} sets" if unnamed else "no request template sets"
            yield (f"{which} no execution \"name\"; set it from an Idempotency-Key header or $context.requestId so "
                   "retries are idempotent and each execution names its request")
        elif not integration.mapping_known:
            yield Unevaluated("the integration's request templates are only known after apply")


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


def _request_validation(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    for method in plan.of_type("aws_api_gateway_method"):
        if str(method.get("http_method", "")).upper() in BODY_METHODS and not method.has_value("request_validator_id"):
            yield rule.finding(method.address, f"{method.get('http_method')} method has no request validator, so bodies reach the workflow "
                               "unchecked; set request_validator_id (a validator with validate_request_body) and request_models")


RULES: tuple[Rule, ...] = (
    Rule("SG-API-001", Severity.HIGH, "Every method and route requires authorization",
         "A method with authorization NONE lets anyone on the internet start executions and run up cost. "
         "OPTIONS (CORS preflight) is exempt; deliberate public routes are accepted with a suppression and its reason.",
         "Use AWS_IAM, a JWT/Cognito authorizer, or a custom authorizer on every method and route.",
         "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
         resource_types=METHOD_TYPES, evaluate=_authorization,
         overlaps="checkov CKV_AWS_59 / CKV_AWS_309 flag open REST methods and HTTP routes; stepgate also reads routes "
                  "defined in OpenAPI bodies and reports the route key, and exempts only CORS preflight"),
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
         "that fail (and are billed) later.",
         "Add aws_api_gateway_request_validator (validate_request_body) and set request_validator_id and request_models.",
         "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html", _request_validation),
    Rule("SG-API-005", Severity.HIGH, "The Authorization header never reaches execution input",
         "Execution input is stored in execution history and logs; a copied bearer token or SigV4 signature "
         "there is a credential leak readable by everyone with states:GetExecutionHistory.",
         "Pass only the body and non-secret context (request id, caller identity) into the input.",
         "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html",
         resource_types=INTEGRATION_TYPES, evaluate=_authorization_header),
    Rule("SG-API-006", Severity.MEDIUM, "StartExecution integrations set a deterministic execution name",
         "A name derived from an idempotency key or the request id makes retries idempotent (a second start with "
         "the same name is rejected) and ties every execution to the request that caused it.",
         "Set \"name\" in the request template (REST) or the Name request parameter (HTTP), e.g. from an "
         "Idempotency-Key header or $context.requestId.",
         "https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html",
         resource_types=INTEGRATION_TYPES, evaluate=_execution_name),
)
