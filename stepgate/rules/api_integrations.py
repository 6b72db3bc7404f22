"""API rules on what the Step Functions integrations may do and what the API writes to its logs.

Whether the OpenAPI body of an API can be read at all (SG-API-007); whether a caller can choose the state
machine a start route starts (SG-API-008) or the execution another action works on (SG-API-009); whether each
integration has a role of its own (SG-API-010); whether the task-token callback routes are as protected as
start routes (SG-API-011); and whether logging copies credentials or request data into CloudWatch (SG-API-012).
Every rule reads routes defined as resources and as operations of an OpenAPI body alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from stepgate.findings import Finding, Severity
from stepgate.plan.api import (API_TYPES, CALLBACKS, CALLER_CREDENTIALS, INTEGRATION_TYPES, START, START_SYNC, SfnIntegration,
                               api_body, api_name, methods, possible_sfn_integrations)
from stepgate.plan.model import Plan, Resource
from stepgate.rules.api import body_notes, judged, mapping_unknown, target_unknown, where
from stepgate.rules.base import Rule, RuleConfig, Unevaluated, Verdict

# --- what the caller controls in a mapping ----------------------------------------------------------

# Request data in a REST mapping template ($input...) or an HTTP API parameter mapping ($request...).
_CALLER_INPUT = re.compile(r"\$!?\{?(?:input\.|method\.request\.|request\.(?:body|path|querystring|header|multivalue))", re.IGNORECASE)
# A template that is nothing but the caller's body: API Gateway sends it as the whole Step Functions request.
_WHOLE_BODY = re.compile(r"\$!?\{?input\.(?:json\(\s*(\\?['\"])\$\1\s*\)|body)\}?")
_SET = re.compile(r"#set\s*\(\s*\$!?\{?([A-Za-z][\w-]*)\}?\s*=(.*)")
_VARIABLE = r"\$!?\{{?{name}\b"
# "someArn": <value> in a template (JSON keys may be escaped when checkov evaluated a jsonencode()).
_ARN_KEY = re.compile(r"(?P<escape>\\?)[\"']([A-Za-z]*Arn)\\?[\"']\s*:\s*(?P<rest>[^\n]*)")
_QUOTED = re.compile(r"\\?\"(.*?)\\?\"")
# An ARN whose state machine is written literally: the caller may at most name an execution of that machine.
_FIXED_MACHINE = re.compile(r"^arn:[\w-]+:states:[\w-]*:\d*:(?:stateMachine|execution|express|mapRun):[A-Za-z0-9_.-]+(?::|$)")


def _caller_variables(template: str) -> set[str]:
    """VTL variables set (directly or through other such variables) from request data."""
    assignments = [(m.group(1), m.group(2)) for m in _SET.finditer(template)]
    tainted: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, expression in assignments:
            if name not in tainted and (_CALLER_INPUT.search(expression) or any(re.search(_VARIABLE.format(name=re.escape(t)), expression) for t in tainted)):
                tainted.add(name)
                changed = True
    return tainted


def _from_caller(value: str, variables: set[str]) -> bool:
    if _FIXED_MACHINE.match(value) or value.lstrip("$!{").startswith("stageVariables."):
        return False
    return bool(_CALLER_INPUT.search(value)) or any(re.search(_VARIABLE.format(name=re.escape(v)), value) for v in variables)


def _template_arns(template: str, keys: tuple[str, ...] | None) -> list[tuple[str, str]]:
    """(key, value) of the ARN fields of a template the caller chooses; keys None: every "...Arn" field."""
    variables = _caller_variables(template)
    matches = list(_ARN_KEY.finditer(template))
    # the request's own fields are the least escaped; an escaped "stateMachineArn" inside the input string is data
    level = min((len(m.group("escape")) for m in matches), default=0)
    found = []
    for match in matches:
        key = match.group(2)
        if len(match.group("escape")) != level:
            continue
        if keys is not None and key.lower() not in {k.lower() for k in keys}:
            continue
        rest = match.group("rest").strip()
        quoted = _QUOTED.match(rest)
        value = quoted.group(1) if quoted else re.split(r"[,}]", rest, maxsplit=1)[0].strip()
        if _from_caller(value, variables):
            found.append((key, value))
    return found


def _is_whole_body(template: str) -> bool:
    lines = [line.strip() for line in template.splitlines()]
    text = "".join(line for line in lines if line and not line.startswith("##") and not line.startswith("#set"))
    return bool(_WHOLE_BODY.fullmatch(text))


def _names(integration: SfnIntegration) -> tuple[str, str]:
    """How the fix names the request templates and the passthrough setting, in the resource or in the body."""
    if integration.in_body:
        return "requestTemplates", "passthroughBehavior: never"
    return "request_templates", 'passthrough_behavior = "NEVER"'


def _caller_choices(integration: SfnIntegration, keys: tuple[str, ...] | None) -> Iterator[tuple[str, str] | Unevaluated]:
    """What lets the caller choose the ARN fields `keys` of the call: (what, how) pairs, or why it is not known.

    what: "passthrough" (no template: the body is the request), "whole:<content type>" (a template that is
    the body), "key:<content type or parameter>:<field>" with how = the value, "nomatch" (WHEN_NO_MATCH)."""
    if integration.api == "HTTP":
        if "*" in integration.unknown_keys:
            yield mapping_unknown(integration, "request parameters")
            return
        for parameter, value in sorted(integration.mapping.items()):
            if (parameter.endswith("Arn") if keys is None else parameter in keys) and _from_caller(value, set()):
                yield (f"key:{parameter}:{parameter}", value)
        return
    if "*" in integration.unknown_keys:
        yield mapping_unknown(integration, "request templates")
        return
    if not integration.mapping and not integration.unknown_keys:
        if integration.passthrough != "NEVER":
            yield ("passthrough", integration.passthrough or "unset (WHEN_NO_MATCH)")
        return
    for content_type, template in sorted(integration.mapping.items()):
        if _is_whole_body(template):
            yield (f"whole:{content_type}", "")
            continue
        for key, value in _template_arns(template, keys):
            yield (f"key:{content_type}:{key}", value)
    for content_type in sorted(integration.unknown_keys):
        yield mapping_unknown(integration, f"request template {content_type}", one=True)
    if integration.passthrough == "WHEN_NO_MATCH":
        yield ("nomatch", ", ".join(sorted(integration.mapping)))


# --- SG-API-007: the body parses ---------------------------------------------------------------------


def _body_parses(resource: Resource) -> Iterator[Verdict]:
    body = api_body(resource)
    if body is None:
        return
    name = api_name(resource)
    if not body.known:
        yield Unevaluated(f"the OpenAPI body of {name} is only known after apply")
    elif body.error:
        yield (f"the OpenAPI body of {name} {body.error}, so none of its routes can be checked; give body a JSON or YAML "
               "OpenAPI 3 or Swagger 2 object with paths")
    elif body.document is not None:
        for problem in body.document.problems:
            yield (f"the OpenAPI body of {name}: {problem}; define it or correct the name, or stepgate cannot tell who may "
                   "call that route or what it runs")


# --- SG-API-008: start routes fix their state machine ------------------------------------------------


def _fixes_machine(integration: SfnIntegration) -> Iterator[Verdict]:
    if integration.action not in (START, START_SYNC):
        return
    action, at = integration.action, where(integration)
    templates, never = _names(integration)
    for choice in _caller_choices(integration, ("stateMachineArn", "StateMachineArn")):
        if isinstance(choice, Unevaluated):
            yield choice
            continue
        what, how = choice
        if what == "passthrough":
            yield (f"{at}the integration has no request template and passthrough behavior {how}, so the caller's body is the "
                   f"whole {action} request and names any stateMachineArn; add {templates} that write the state machine's "
                   f"ARN literally and set {never}")
        elif what.startswith("whole:"):
            yield (f"{at}the request template {what[6:]} passes the caller's body through as the whole {action} request, so the "
                   "caller names any stateMachineArn (and the execution name and input); build the request in the template "
                   "with the state machine's ARN written literally")
        elif what == "nomatch":
            yield (f"{at}passthrough behavior WHEN_NO_MATCH sends a request whose Content-Type has no template (only {how} has "
                   f"one) to {action} unmapped, so its body names any stateMachineArn; set {never}")
        elif integration.api == "HTTP":
            yield (f"{at}the request parameter StateMachineArn is mapped from the request ({how}), so a caller can start any "
                   "state machine the integration role may start; map StateMachineArn to the state machine's ARN")
        else:
            content_type = what.split(":")[1]
            yield (f"{at}the request template {content_type} takes stateMachineArn from the request ({how}), so a caller can "
                   "start any state machine the integration role may start; write the state machine's ARN into the template")


def _chosen_machine(resource: Resource) -> Iterator[Verdict]:
    yield from body_notes(resource)
    for integration in possible_sfn_integrations(resource):
        yield from judged(integration, _fixes_machine)


# --- SG-API-009: other actions never run on an ARN the caller names ---------------------------------

_REACH = {
    "states:DescribeExecution": "read the input and output of any execution",
    "states:GetExecutionHistory": "read the history, inputs and outputs of any execution",
    "states:StopExecution": "stop any execution",
    "states:RedriveExecution": "redrive any execution",
    "states:DescribeStateMachine": "read the definition of any state machine",
    "states:DescribeStateMachineForExecution": "read the definition of any execution's state machine",
    "states:ListExecutions": "list the executions of any state machine",
    "states:DescribeMapRun": "read any Map Run",
}


def _fixes_arn(integration: SfnIntegration) -> Iterator[Verdict]:
    if integration.action in (START, START_SYNC) or integration.action in CALLBACKS:
        return
    action, at = integration.action, where(integration)
    reach = _REACH.get(action, f"call {action} on any resource")
    templates, never = _names(integration)
    if integration.api == "HTTP":
        fix = ("map no ARN from the request: run the action from a REST route whose template writes the state machine's ARN "
               "literally, or from a backend that checks the caller")
    else:
        fix = ("build the ARN from the state machine's ARN written literally (arn:...:execution:MACHINE:$input.params('id')) so "
               "callers name only executions of that machine")
    for choice in _caller_choices(integration, None):
        if isinstance(choice, Unevaluated):
            yield choice
            continue
        what, how = choice
        if what == "passthrough":
            yield (f"{at}the integration has no request template and passthrough behavior {how}, so the caller's body is the "
                   f"whole {action} request and names any ARN: a caller can {reach} the integration role may reach; add "
                   f"{templates} that {fix}, and set {never}")
        elif what.startswith("whole:"):
            yield (f"{at}the request template {what[6:]} passes the caller's body through as the whole {action} request, so a "
                   f"caller can {reach} the integration role may reach; {fix}")
        elif what == "nomatch":
            yield (f"{at}passthrough behavior WHEN_NO_MATCH sends a request whose Content-Type has no template (only {how} has "
                   f"one) to {action} unmapped, so a caller can {reach} the integration role may reach; set {never}")
        elif integration.api == "HTTP":
            key = what.split(":")[2]
            yield (f"{at}the request parameter {key} is mapped from the request ({how}), so a caller can {reach} the integration "
                   f"role may reach; {fix}")
        else:
            _, content_type, key = what.split(":")
            yield (f"{at}the request template {content_type} takes {key} from the request ({how}), so a caller can {reach} the "
                   f"integration role may reach; {fix}")


def _caller_arn(resource: Resource) -> Iterator[Verdict]:
    yield from body_notes(resource)
    for integration in possible_sfn_integrations(resource):
        yield from judged(integration, _fixes_arn)


# --- SG-API-010: every Step Functions integration has a role of its own -----------------------------


def _own_role(integration: SfnIntegration) -> Iterator[Verdict]:
    # Credentials only known after apply are set, to a computed ARN (a role's, which SG-IAM-007 follows): the
    # caller's credentials are a literal, known at plan time.
    action, at = integration.action, where(integration)
    attribute = "credentials" if integration.api == "REST" or integration.in_body else "credentials_arn"
    if integration.credentials is None:
        yield (f"{at}the Step Functions integration ({action}) sets no {attribute}, so API Gateway has no role of its own for "
               f"this route that could be limited to it; set {attribute} to a role API Gateway assumes that may call only "
               f"{action}, on only the state machines this route uses")
    elif integration.credentials == CALLER_CREDENTIALS:
        yield (f"{at}credentials {CALLER_CREDENTIALS} calls {action} with each caller's own IAM identity, so every caller needs "
               "Step Functions permissions of their own and can use them around this API; set credentials to a role API "
               f"Gateway assumes that may call only {action}, on only the state machines this route uses")


def _credentials(resource: Resource) -> Iterator[Verdict]:
    yield from body_notes(resource)
    for integration in possible_sfn_integrations(resource):
        yield from judged(integration, _own_role)


# --- SG-API-011: callback routes are authorized -----------------------------------------------------


def _callback_message(route: str, action: str) -> str:
    return (f"{route} answers task tokens ({action}) but lets anyone call it (authorization NONE), so anyone who obtains a "
            "task token can answer it in the reviewer's place; require the authorization of the start routes (AWS_IAM, a JWT/Cognito or a custom "
            "authorizer) and keep reviewers apart with scopes or a resource policy")


def _methods_of(plan: Plan, integration: Resource) -> list[Resource]:
    """The aws_api_gateway_method(s) an integration belongs to: by reference, else by literal API, resource and method."""
    linked = {r.address: r for attribute in ("http_method", "resource_id") for r in plan.resolve(integration, attribute)
              if r.type == "aws_api_gateway_method"}
    if linked:
        return list(linked.values())
    key = tuple(integration.get(a) for a in ("rest_api_id", "resource_id", "http_method"))
    if not all(isinstance(k, str) and k for k in key):
        return []
    return [m for m in plan.of_type("aws_api_gateway_method") if tuple(m.get(a) for a in ("rest_api_id", "resource_id", "http_method")) == key]


def _authorized(authorization: str | None) -> bool:
    """Known to require authorization (None: only known after apply)."""
    return authorization is not None and authorization.upper() != "NONE"


def _callback_methods(rule: Rule, plan: Plan, resource: Resource, action: str) -> Iterator[Finding]:
    linked = _methods_of(plan, resource)
    if not linked:
        yield rule.unevaluated(resource.address, "the method of this callback integration is not in the plan")
    for method_resource in linked:
        for method in methods(method_resource):
            if method.authorization is None:
                yield rule.unevaluated(method_resource.address, "the authorization type is only known after apply")
            elif method.authorization.upper() == "NONE":
                yield rule.finding(method_resource.address, _callback_message(f"the {method.route or 'callback'} method", action))


def _callback_routes(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    for resource in plan.of_type("aws_api_gateway_integration"):
        for integration in possible_sfn_integrations(resource):
            if integration.action in CALLBACKS:
                yield from _callback_methods(rule, plan, resource, integration.action)
            elif not integration.action:
                # a callback or not, an integration behind authorized methods only passes
                linked = _methods_of(plan, resource)
                if not linked or not all(_authorized(m.authorization) for r in linked for m in methods(r)):
                    yield rule.not_evaluated(plan, resource, target_unknown(integration))
    for resource in plan.of_type("aws_api_gateway_rest_api"):
        for note in body_notes(resource):
            if isinstance(note, Unevaluated):
                yield rule.unevaluated(resource.address, note.why)
        body = api_body(resource)
        for op in body.document.operations if body and body.document else ():
            for integration in (i for i in possible_sfn_integrations(resource) if i.route == op.route):
                if integration.action in CALLBACKS:
                    if op.authorization is None:
                        yield rule.unevaluated(resource.address, f"the authorization of {op.route} is only known after apply")
                    elif op.authorization.upper() == "NONE":
                        yield rule.finding(resource.address, _callback_message(op.route, integration.action))
                elif not integration.action and not _authorized(op.authorization):
                    yield rule.not_evaluated(plan, resource, target_unknown(integration))


# --- SG-API-012: logs hold no credentials or request data -------------------------------------------

# Claims that identify a caller or a token without saying anything about the person.
_ID_CLAIMS = {"sub", "client_id", "iss", "aud", "azp", "scope", "scp", "token_use", "auth_time", "iat", "exp", "nbf", "jti",
              "origin_jti", "event_id", "cognito:groups", "groups", "roles", "tid", "oid", "appid"}
_CLAIM = re.compile(r"\$context\.authorizer\.(?:jwt\.)?claims(?:\.([\w:-]+)|\[\s*\\?['\"]([^'\"\\]+)\\?['\"]\s*\])")
_SECRET_HEADERS = r"(?:authorization|proxy-authorization|cookie|x-api-key|x-amz-security-token)"
_LOGGED: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\$context\.identity\.apiKey\b(?!Id)"), "the caller's API key"),
    (re.compile(r"\$(?:request|method\.request)\.header\." + _SECRET_HEADERS + r"\b", re.IGNORECASE), "the caller's credentials"),
    (re.compile(r"\$input\.params\(\s*\\?['\"]" + _SECRET_HEADERS + r"\\?['\"]\s*\)", re.IGNORECASE), "the caller's credentials"),
    (re.compile(r"\$input\.(?:body\b|json\(|path\()|\$request\.body\b"), "the request body"),
)


def _logged_secrets(text: str) -> list[str]:
    found = [f"{match.group(0)} ({what})" for pattern, what in _LOGGED for match in pattern.finditer(text)]
    for match in _CLAIM.finditer(text):
        claim = match.group(1) or match.group(2)
        if claim not in _ID_CLAIMS:
            found.append(f"{match.group(0)} (personal data from the token)")
    return list(dict.fromkeys(found))


def _access_log(resource: Resource) -> Iterator[Verdict]:
    settings = resource.block("access_log_settings")
    text: Any = settings.get("format")
    if isinstance(text, Mapping) and text:  # checkov's HCL scan evaluates jsonencode() to the object itself
        text = json.dumps(text)
    if not isinstance(text, str) or not text:
        markers = resource.unknown.get("access_log_settings")
        if markers and (not settings or "format" not in settings):
            yield Unevaluated("the access log format is only known after apply")
        return
    logged = _logged_secrets(text)
    if logged:
        yield (f"the access log format logs {', '.join(logged)}; log ids only ($context.requestId, $context.identity.caller, "
               "$context.authorizer.claims.sub), never credentials, bodies or personal claims")


def _data_trace(settings: Any) -> bool:
    return isinstance(settings, Mapping) and settings.get("data_trace_enabled") is True


def _trace_unknown(markers: Any) -> bool:
    if markers is True:
        return True
    if isinstance(markers, list):
        return any(_trace_unknown(m) for m in markers)
    return isinstance(markers, Mapping) and markers.get("data_trace_enabled") is True


def _logging(resource: Resource) -> Iterator[Verdict]:
    if resource.type == "aws_api_gateway_method_settings":
        path = resource.get("method_path") or "its methods"
        if _data_trace(resource.block("settings")):
            yield (f"data_trace_enabled writes full requests and responses of {path} to the execution log: execution input, "
                   "tokens in bodies and personal data; set data_trace_enabled = false and keep an access log of ids instead")
        elif _trace_unknown(resource.unknown.get("settings")):
            yield Unevaluated("data_trace_enabled is only known after apply")
        return
    yield from _access_log(resource)
    if resource.type == "aws_apigatewayv2_stage":
        traced = []
        if _data_trace(resource.block("default_route_settings")):
            traced.append("default_route_settings")
        routes = resource.get("route_settings")
        for item in routes if isinstance(routes, list) else [routes] if isinstance(routes, Mapping) else []:
            if _data_trace(item):
                traced.append(f"route_settings {item.get('route_key') or ''}".strip())
        if traced:
            yield (f"{' and '.join(traced)} set data_trace_enabled, which writes full messages to the execution log: tokens in "
                   "bodies and personal data; set data_trace_enabled = false")


RULES: tuple[Rule, ...] = (
    Rule("SG-API-007", Severity.MEDIUM, "OpenAPI bodies parse into routes",
         "A REST or HTTP API defined by an OpenAPI/Swagger body is only checked as far as the body can be read: a body that "
         "is not JSON or YAML, not an object, or has no paths, and names (security schemes, request validators, $refs) "
         "that resolve to nothing, leave every route of it unchecked by the other API rules.",
         "Give `body` a JSON or YAML OpenAPI 3 / Swagger 2 object with paths whose security schemes, validators and "
         "integration references are defined in the document.",
         "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html",
         resource_types=API_TYPES, evaluate=_body_parses,
         overlaps="checkov has no check on API bodies; its HCL scan sees a jsonencode() body, its plan scan only a string"),
    Rule("SG-API-008", Severity.HIGH, "Start routes fix the state machine they start",
         "API Gateway calls StartExecution with the integration role, which may start every state machine it is granted. "
         "When the request template takes stateMachineArn from the request, passes the caller's body through as the whole "
         "request (no template with a passthrough behavior other than NEVER, a template that is $input.json('$') or "
         "$input.body, or WHEN_NO_MATCH for content types without a template), or an HTTP API maps StateMachineArn from "
         "$request.*, the caller picks the workflow.",
         "Write the state machine's ARN literally into the request template (REST) or the StateMachineArn parameter (HTTP), "
         "and set passthrough_behavior = \"NEVER\" (passthroughBehavior: never in an OpenAPI body).",
         "https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html",
         resource_types=INTEGRATION_TYPES + API_TYPES, evaluate=_chosen_machine),
    Rule("SG-API-009", Severity.HIGH, "Routes never run Step Functions actions on an ARN the caller names",
         "A route that calls DescribeExecution, GetExecutionHistory, StopExecution or any other action besides the start "
         "actions and the task-token callbacks (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat) on an ARN taken from "
         "the request lets every caller read or stop executions that are not theirs, as far as the integration role reaches.",
         "Build the ARN in the template from the state machine's literal ARN plus a validated execution name, scope the "
         "integration role to that machine's executions, or answer status queries from a store that checks the caller.",
         "https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html",
         resource_types=INTEGRATION_TYPES + API_TYPES, evaluate=_caller_arn),
    Rule("SG-API-010", Severity.MEDIUM, "Step Functions integrations assume a role of their own",
         "Without credentials (REST) or credentials_arn (HTTP) API Gateway has no role to limit to the route's actions and "
         "state machines; credentials arn:aws:iam::*:user/* calls Step Functions as each caller, who then needs (and can "
         "use) Step Functions permissions directly, around the API's validation and mapping.",
         "Set credentials / credentials_arn (credentials in x-amazon-apigateway-integration) to a role that API Gateway "
         "assumes and that may call only the route's action on its state machines.",
         "https://docs.aws.amazon.com/apigateway/latest/developerguide/integrating-api-with-aws-services-executions-intro.html",
         resource_types=INTEGRATION_TYPES + API_TYPES, evaluate=_credentials),
    Rule("SG-API-011", Severity.HIGH, "Task-token callback routes require authorization",
         "Callback routes (integrations calling SendTaskSuccess, SendTaskFailure or SendTaskHeartbeat, such as the module's "
         "POST <approvals>/approve and /reject) decide what a waiting execution does; open to anyone, they are less protected "
         "than the start routes and whoever obtains a task token can approve or reject for the reviewer.",
         "Give callback methods the authorization of the start routes (AWS_IAM, a JWT/Cognito or a custom authorizer), and "
         "restrict them to reviewers with scopes or a resource policy.",
         "https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token",
         _callback_routes,
         overlaps="SG-API-001 (and, for method resources, checkov CKV_AWS_59) also flag these routes as open; this rule follows "
                  "the Step Functions integration to its method (resources or OpenAPI body), names the callback action, and "
                  "stays when SG-API-001 is suppressed for a deliberately public start route"),
    Rule("SG-API-012", Severity.HIGH, "API logs hold no credentials, bodies or personal claims",
         "REST execution logs with data_trace_enabled hold full requests and responses (execution input, any token or "
         "personal data in a body); access log formats that name $context.identity.apiKey, the Authorization (or Cookie, "
         "X-Api-Key) header, the request body or token claims beyond ids (email, name, phone_number, username...) copy "
         "credentials and personal data to CloudWatch, readable by everyone with logs:GetLogEvents. Request ids, caller "
         "ids, source IP and user agent are what an audit needs and are not reported.",
         "Set data_trace_enabled = false (method settings; route settings of WebSocket stages) and log ids only: "
         "$context.requestId, $context.identity.caller / userArn, $context.authorizer.principalId or claims.sub.",
         "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
         resource_types=("aws_api_gateway_method_settings", "aws_api_gateway_stage", "aws_apigatewayv2_stage"), evaluate=_logging,
         overlaps="checkov CKV_AWS_276 flags data_trace_enabled on aws_api_gateway_method_settings; stepgate also reads REST "
                  "and HTTP access log formats (API keys, credential headers, bodies, personal claims) and the data tracing "
                  "of WebSocket stage route settings. The state machine's own include_execution_data is SG-AUD-005's concern"),
)
