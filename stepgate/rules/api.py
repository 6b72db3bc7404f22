"""API rules: who may call, how often, with what input, and what reaches the workflow."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stepgate.findings import Finding, Severity
from stepgate.plan.model import Plan, Resource
from stepgate.rules.base import Rule, RuleConfig

BODY_METHODS = {"POST", "PUT", "PATCH", "ANY"}


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
            yield rule.finding(stage.address, "no method settings or usage plan sets throttling rate and burst limits for this stage")
    for stage in plan.of_type("aws_apigatewayv2_stage"):
        block = stage.block("default_route_settings")
        if not (_positive(block.get("throttling_rate_limit")) and _positive(block.get("throttling_burst_limit"))):
            yield rule.finding(stage.address, "default_route_settings sets no throttling rate and burst limits")


def _request_validation(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    for method in plan.of_type("aws_api_gateway_method"):
        if str(method.get("http_method", "")).upper() in BODY_METHODS and not method.has_value("request_validator_id"):
            yield rule.finding(method.address, f"{method.get('http_method')} method has no request validator; bodies reach the workflow unchecked")


RULES: tuple[Rule, ...] = (
    Rule("SG-API-001", Severity.HIGH, "Every method and route requires authorization",
         "A method with authorization NONE lets anyone on the internet start executions and run up cost. "
         "OPTIONS (CORS preflight) is exempt; deliberate public routes are accepted with a suppression and its reason.",
         "Use AWS_IAM, a JWT/Cognito authorizer, or a custom authorizer on every method and route.",
         "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
         policy="policies/checks/api_authorization.py"),
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
         policy="policies/checks/rest_xray.py"),
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
         policy="policies/checks/authorization_header.py"),
    Rule("SG-API-006", Severity.MEDIUM, "StartExecution integrations set a deterministic execution name",
         "A name derived from an idempotency key or the request id makes retries idempotent (a second start with "
         "the same name is rejected) and ties every execution to the request that caused it.",
         "Set \"name\" in the request template (REST) or the Name request parameter (HTTP), e.g. from an "
         "Idempotency-Key header or $context.requestId.",
         "https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html",
         policy="policies/checks/execution_name.py"),
)
