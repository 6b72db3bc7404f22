"""Audit rules: every execution leaves a durable trace, logs live long enough and are encrypted when they hold data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from fnmatch import fnmatchcase
from collections.abc import Iterator, Mapping
from typing import Any

from stepgate.plan.api import machine_arn
from stepgate.findings import Finding, Severity
from stepgate.plan.iam import arn_overlaps
from stepgate.plan.model import Plan, Resource
from stepgate.rules.base import Rule, RuleConfig, Unevaluated, Verdict
from stepgate.sfn import STATUS_CHANGE_EVENT, TERMINAL_STATUSES

UNKNOWN_PATTERN = "pattern unknown at plan time"
# targets that keep what they receive (a log group, a stream, a queue, another bus with its own rules)
_DURABLE_TARGETS = (":logs:", ":firehose:", ":kinesis:", ":sqs:", ":events:")
_DURABLE_TYPES = {"aws_cloudwatch_log_group", "aws_kinesis_firehose_delivery_stream", "aws_kinesis_stream", "aws_sqs_queue", "aws_cloudwatch_event_bus"}


def _pattern_matches(pattern: Any, value: str) -> bool:
    """EventBridge matching for one field: a list of literals or of prefix/anything-but/wildcard filters."""
    if pattern is None:
        return True
    for item in pattern if isinstance(pattern, list) else [pattern]:
        if isinstance(item, str) and item == value:
            return True
        if isinstance(item, Mapping):
            if "prefix" in item and isinstance(item["prefix"], str) and value.startswith(item["prefix"]):
                return True
            if "anything-but" in item:
                excluded = item["anything-but"]
                excluded = excluded if isinstance(excluded, list) else [excluded]
                if value not in excluded:
                    return True
            if "wildcard" in item and isinstance(item["wildcard"], str) and fnmatchcase(value, item["wildcard"]):
                return True
    return False


def _arn_pattern_matches(pattern: Any, arn: str) -> bool:
    if pattern is None:
        return True
    for item in pattern if isinstance(pattern, list) else [pattern]:
        if isinstance(item, str) and arn_overlaps(item, arn):
            return True
        if isinstance(item, Mapping) and _pattern_matches([item], arn):
            return True
    return False


@dataclass(frozen=True)
class _AuditRule:
    """An EventBridge rule prepared once: its parsed pattern and whether it delivers somewhere durable."""

    resource: Resource
    pattern: dict[str, Any] | None  # None: unknown at plan time or invalid (see problem)
    problem: str
    referenced: frozenset[str]  # resources its pattern expression references (when unknown)
    durable: bool


def _prepare(plan: Plan) -> list[_AuditRule]:
    targets_by_rule: dict[str, list[Resource]] = {}
    for target in plan.of_type("aws_cloudwatch_event_target"):
        keys = {r.address for r in plan.resolve(target, "rule")}
        if isinstance(target.get("rule"), str):
            keys.add(f"name:{target.get('rule')}")
        for key in keys:
            targets_by_rule.setdefault(key, []).append(target)
    prepared = []
    for event_rule in plan.of_type("aws_cloudwatch_event_rule"):
        targets = targets_by_rule.get(event_rule.address, []) + targets_by_rule.get(f"name:{event_rule.get('name')}", [])
        raw = event_rule.get("event_pattern")
        pattern, problem = None, UNKNOWN_PATTERN
        if isinstance(raw, str):
            try:
                loaded = json.loads(raw)
                pattern, problem = (loaded, "") if isinstance(loaded, dict) else (None, "has an invalid event pattern")
            except json.JSONDecodeError:
                problem = "has an invalid event pattern"
        referenced = frozenset(r.address for r in plan.resolve(event_rule, "event_pattern")) if not isinstance(raw, str) else frozenset()
        prepared.append(_AuditRule(event_rule, pattern, problem, referenced, any(_is_durable(plan, t) for t in targets)))
    return prepared


def _is_durable(plan: Plan, target: Resource) -> bool:
    arn = target.get("arn")
    if isinstance(arn, str):
        return any(kind in arn for kind in _DURABLE_TARGETS)
    return any(r.type in _DURABLE_TYPES for r in plan.resolve(target, "arn"))


def _covers(audit: _AuditRule, machine: Resource) -> tuple[bool, str]:
    """(covers, why not): the EventBridge rule matches all terminal status changes of this machine."""
    bus = audit.resource.get("event_bus_name")
    if isinstance(bus, str) and bus not in ("", "default") and not bus.endswith("event-bus/default"):
        return False, "is on a custom bus; Step Functions emits status changes to the default bus"
    if audit.pattern is None:
        return (machine.address in audit.referenced and not audit.resource.get("event_pattern"), audit.problem)
    pattern = audit.pattern
    if not _pattern_matches(pattern.get("source"), "aws.states") or not _pattern_matches(pattern.get("detail-type"), STATUS_CHANGE_EVENT):
        return False, "does not match Step Functions execution status changes"
    detail = pattern.get("detail") or {}
    if not _arn_pattern_matches(detail.get("stateMachineArn"), machine_arn(machine)):
        return False, "does not name this state machine"
    unmatched = [s for s in TERMINAL_STATUSES if not _pattern_matches(detail.get("status"), s)]
    if unmatched:
        return False, f"misses the terminal statuses {', '.join(unmatched)}"
    return True, ""


@dataclass(frozen=True)
class _AuditIndex:
    """EventBridge rules by the state machines they can possibly match, so that each machine is compared
    with its few candidates rather than with every rule in the plan (plans with hundreds of workflows)."""

    general: tuple[_AuditRule, ...]  # no literal state machine name in the pattern: may match any machine
    by_name: Mapping[str, tuple[_AuditRule, ...]]  # literal state machine names in detail.stateMachineArn
    by_reference: Mapping[str, tuple[_AuditRule, ...]]  # unknown patterns, by the resources they reference
    unresolved: tuple[_AuditRule, ...]  # unknown patterns whose references lead to no resource: may name any machine
    size: int

    def candidates(self, machine: Resource) -> list[_AuditRule]:
        name = machine_arn(machine).rsplit(":stateMachine:", 1)[-1].split(":")[0]
        named = self.by_name.get(name, ()) if "*" not in name else tuple(a for rules in self.by_name.values() for a in rules)
        found = [*self.general, *named, *self.by_reference.get(machine.address, ()), *self.unresolved]
        return list({id(audit): audit for audit in found}.values())  # once each, in order (patterns are dicts: unhashable)


def _literal_names(audit: _AuditRule) -> list[str] | None:
    """The state machine names a pattern's detail.stateMachineArn lists literally; None if it may match others."""
    arns = ((audit.pattern or {}).get("detail") or {}).get("stateMachineArn") if isinstance(audit.pattern, dict) else None
    if not isinstance(arns, list) or not arns or not all(isinstance(a, str) and ":stateMachine:" in a for a in arns):
        return None
    names = [a.rsplit(":stateMachine:", 1)[1].split(":")[0] for a in arns]
    return None if any("*" in n or "?" in n for n in names) else names


def _index(audits: list[_AuditRule]) -> _AuditIndex:
    general: list[_AuditRule] = []
    by_name: dict[str, list[_AuditRule]] = {}
    by_reference: dict[str, list[_AuditRule]] = {}
    unresolved: list[_AuditRule] = []
    for audit in audits:
        if audit.pattern is None:
            if audit.problem == UNKNOWN_PATTERN and not audit.referenced:
                unresolved.append(audit)
            for address in audit.referenced:
                by_reference.setdefault(address, []).append(audit)
            continue
        names = _literal_names(audit)
        if names is None:
            general.append(audit)
        for name in names or ():
            by_name.setdefault(name, []).append(audit)
    return _AuditIndex(tuple(general), {k: tuple(v) for k, v in by_name.items()}, {k: tuple(v) for k, v in by_reference.items()},
                       tuple(unresolved), len(audits))


def _standard_audited(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    index = _index(_prepare(plan))
    for machine in plan.of_type("aws_sfn_state_machine"):
        if str(machine.get("type") or "STANDARD").upper() != "STANDARD":
            continue
        reasons = []
        for audit in index.candidates(machine):
            covers, why = _covers(audit, machine)
            if not covers:
                reasons.append(f"{audit.resource.address} {why}")
            elif not audit.durable:
                reasons.append(f"{audit.resource.address} has no durable target (log group, Firehose, Kinesis, SQS or event bus)")
            else:
                break
        else:
            unknown = [a for a in index.candidates(machine) if a.pattern is None and a.problem == UNKNOWN_PATTERN and a.durable]
            if unknown:  # one of them may be this machine's audit rule: not evaluated, never a pass nor a finding
                patterns = ", ".join(a.resource.address + plan.describe_unknown(a.resource, "event_pattern") for a in unknown)
                yield rule.unevaluated(machine.address, f"the event pattern of {patterns} is only known after apply, so whether it "
                                       "records this state machine's terminal status changes is not known")
                continue
            if reasons:
                detail = "; ".join(reasons[:3]) + (f" (and {len(reasons) - 3} more rules)" if len(reasons) > 3 else "")
            elif index.size:
                detail = f"none of the {index.size} EventBridge rules in the plan names this state machine"
            else:
                detail = "no EventBridge rule in the plan"
            yield rule.finding(machine.address, f"no audit rule records its terminal execution status changes: {detail}; add an "
                               "EventBridge rule on its terminal statuses with a log group, Firehose, Kinesis or SQS target")


def _retention(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    for group in plan.of_type("aws_cloudwatch_log_group"):
        days = group.get("retention_in_days")
        if isinstance(days, int) and 0 < days < config.min_retention_days:
            yield rule.finding(group.address, f"keeps logs {days} days, less than the required {config.min_retention_days}; "
                               f"set retention_in_days to {config.min_retention_days} or more")


def _log_group_name(destination: Any) -> str | None:
    """arn:aws:logs:r:a:log-group:NAME:* -> NAME."""
    if not isinstance(destination, str) or ":log-group:" not in destination:
        return None
    name = destination.split(":log-group:", 1)[1]
    return name[:-2] if name.endswith(":*") else name


def _kms_on_data_logs(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    groups_by_name: dict[str, list[Resource]] = {}
    for group in plan.of_type("aws_cloudwatch_log_group"):
        groups_by_name.setdefault(str(group.get("name")), []).append(group)
    for machine in plan.of_type("aws_sfn_state_machine"):
        logging = machine.block("logging_configuration")
        if not logging.get("include_execution_data") or str(logging.get("level", "OFF")).upper() == "OFF":
            continue
        name = _log_group_name(logging.get("log_destination"))
        targets = groups_by_name.get(name, []) if name is not None else []
        targets = targets or [r for r in plan.resolve(machine, "logging_configuration") if r.type == "aws_cloudwatch_log_group"]
        for group in targets:
            if not group.has_value("kms_key_id"):
                yield rule.finding(group.address, f"holds execution input/output of {machine.address} without a KMS key; set "
                                   "kms_key_id to a customer managed key that logs.<region>.amazonaws.com may use")


def _express_logging(machine: Resource) -> Iterator[Verdict]:
    if machine.is_unknown("type"):
        yield Unevaluated("the state machine type is only known after apply")
        return
    if str(machine.get("type") or "STANDARD").upper() != "EXPRESS":
        return
    logging = machine.block("logging_configuration")
    if not logging and machine.unknown.get("logging_configuration"):
        yield Unevaluated("the logging configuration is only known after apply")
    elif str(logging.get("level") or "OFF").upper() != "ALL":
        yield (f"this EXPRESS state machine logs at level {logging.get('level') or 'OFF'}; its log group is its only audit "
               "trail: set logging_configuration level = \"ALL\" with include_execution_data = true")


REQUEST_ID = ("$context.requestId", "$context.extendedRequestId")
CALLER = (
    "$context.identity.caller", "$context.identity.userArn", "$context.identity.user",
    "$context.identity.accountId", "$context.authorizer.principalId", "$context.authorizer.claims.sub",
    "$context.authorizer.jwt.claims.sub", "$context.authorizer.iam.userArn", "$context.authorizer.iam.callerId",
)
STATUS = ("$context.status",)


def _access_logging(stage: Resource) -> Iterator[Verdict]:
    settings = stage.block("access_log_settings")
    if not settings:
        if stage.unknown.get("access_log_settings"):
            yield Unevaluated("the access log settings are only known after apply")
        else:
            yield "the stage writes no access logs; set access_log_settings with a JSON format (request id, caller, status)"
        return
    text = settings.get("format")
    if isinstance(text, Mapping) and text:  # checkov's HCL scan evaluates jsonencode() to the object itself
        text = json.dumps(text)
    if not isinstance(text, str) or not text:
        if stage.unknown.get("access_log_settings"):
            yield Unevaluated("the access log format is only known after apply")
        else:
            yield "access_log_settings has no format; give a jsonencode() format with $context.requestId, a caller field and $context.status"
        return
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict):
        yield "the access log format is not a JSON object (CLF/XML cannot be queried field by field); use jsonencode({...})"
        return
    values = " ".join(str(v) for v in parsed.values())
    missing = [label for label, group in (("a request id ($context.requestId)", REQUEST_ID),
                                           ("the caller identity (e.g. $context.identity.caller)", CALLER),
                                           ("the status ($context.status)", STATUS))
               if not any(v in values for v in group)]
    if missing:
        yield f"the access log format lacks {', '.join(missing)}; add them so requests can be joined with executions"


RULES: tuple[Rule, ...] = (
    Rule("SG-AUD-001", Severity.HIGH, "STANDARD state machines have a durable audit rule",
         "Execution history of STANDARD workflows expires after 90 days; an EventBridge rule on "
         "\"Step Functions Execution Status Change\" for the terminal statuses (SUCCEEDED, FAILED, TIMED_OUT, "
         "ABORTED) delivering to a durable target keeps who-ran-what beyond that.",
         "Add an aws_cloudwatch_event_rule on source aws.states for this state machine's terminal statuses with a "
         "log group (or Firehose/SQS/Kinesis) target.",
         "https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html", _standard_audited),
    Rule("SG-AUD-002", Severity.HIGH, "EXPRESS state machines log at level ALL",
         "EXPRESS executions keep no history in Step Functions and emit no status-change events; their log group "
         "at level ALL is the only audit trail.",
         "Set logging_configuration { level = \"ALL\", include_execution_data = true, log_destination = ... }.",
         "https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html",
         resource_types=("aws_sfn_state_machine",), evaluate=_express_logging),
    Rule("SG-AUD-003", Severity.MEDIUM, "API access logs are JSON with request id, caller and status",
         "Access logs are how a reviewer answers who called which route and what happened; without the request id, "
         "the caller identity and the status they cannot be joined with executions.",
         "Set access_log_settings with a jsonencode() format containing $context.requestId, a caller field "
         "($context.identity.caller, $context.identity.userArn or an authorizer claim) and $context.status.",
         "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
         resource_types=("aws_api_gateway_stage", "aws_apigatewayv2_stage"), evaluate=_access_logging,
         overlaps="checkov CKV_AWS_76 / CKV_AWS_95 only require access logging to be on; stepgate also requires the fields "
                  "that join a request with its execution (request id, caller, status) in a JSON format"),
    Rule("SG-AUD-004", Severity.MEDIUM, "Log groups keep logs for at least the retention minimum",
         "Audit and execution logs must outlive the incidents and reviews that need them (365 days by default, "
         "configurable with min_retention_days).",
         "Set retention_in_days to at least the minimum (in the stepgate module: logging.retention_in_days, 365 or more). "
         "A group that never expires (retention unset) also passes.",
         "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html", _retention,
         overlaps="checkov CKV_AWS_338 asks for one year on every log group; stepgate's minimum is configurable "
                  "(min_retention_days) and names the group's days in the finding"),
    Rule("SG-AUD-005", Severity.MEDIUM, "Log groups holding execution data are KMS-encrypted",
         "With include_execution_data the state machine's log group holds every input and output, often personal "
         "or business data; a customer-managed KMS key controls who can read it.",
         "Set kms_key_id on the log group (and grant logs.<region>.amazonaws.com use of the key).",
         "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html", _kms_on_data_logs,
         overlaps="checkov CKV_AWS_158 asks for KMS on every log group; stepgate asks it exactly of the groups a state "
                  "machine writes execution input and output to, and names that state machine"),
)
