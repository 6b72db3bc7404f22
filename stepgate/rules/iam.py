"""Least-privilege rules: wildcards, PassRole, managed admin policies, trust policies, and roles vs their use."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from stepgate.plan import asl
from stepgate.plan.api import machine_arn, routes
from stepgate.findings import Finding, Severity
from stepgate.plan.iam import (
    UNKNOWN,
    RoleView,
    Statement,
    action_matches,
    arn_overlaps,
    expand_action,
    is_wildcard_action,
    role_views,
    roles_for,
    standalone_policy_documents,
)
from stepgate.plan.model import Plan, Resource
from stepgate.rules.base import Rule, RuleConfig
from stepgate.sfn import LOG_DELIVERY_ACTIONS, XRAY_ACTIONS

IAM_DOCS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"
UNKNOWN_TRUST = "the trust policy is only known after apply"
UNKNOWN_POLICY = "a permission policy attached to the role is only known after apply"
_ADMIN_POLICY = re.compile(r"^arn:[^:]+:iam::aws:policy/(.*/)?(AdministratorAccess|PowerUserAccess|[A-Za-z0-9]*FullAccess)$")


def _join(items: Iterable[str], limit: int = 12) -> str:
    """Sorted, unique, and cut after `limit` items so a wildcard's expansion stays readable."""
    unique = sorted(set(items))
    shown = ", ".join(unique[:limit])
    return shown + (f" and {len(unique) - limit} more" if len(unique) > limit else "")


def _wildcard_actions(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    for resource, document in standalone_policy_documents(plan):
        bad: list[str] = []
        for statement in document.statements:
            if not statement.allows:
                continue
            bad += [a for a in statement.actions if is_wildcard_action(a)]
            bad += [f"NotAction {a}" for a in statement.not_actions]
        if bad:
            yield rule.finding(resource.address, f"allows wildcard actions {_join(bad)}; list the exact actions needed")


def _star_resource(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    allowed = config.star_actions
    for resource, document in standalone_policy_documents(plan):
        bad: list[str] = []
        for statement in document.statements:
            if not statement.allows:
                continue
            if "*" in statement.resources or statement.not_resources:
                actions = list(statement.actions) or [f"NotAction {a}" for a in statement.not_actions]
                bad += [a for a in actions if a.startswith("NotAction") or not any(a.lower() == ok.lower() for ok in allowed)]
        if bad:
            yield rule.finding(resource.address, f"allows {_join(bad)} on Resource \"*\"; scope them to the ARNs they act on")


def _pass_role_star(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    for resource, document in standalone_policy_documents(plan):
        for statement in document.statements:
            grants = any(action_matches(a, "iam:PassRole") for a in statement.actions) or (
                bool(statement.not_actions) and not any(action_matches(a, "iam:PassRole") for a in statement.not_actions)
            )
            if statement.allows and grants and ("*" in statement.resources or statement.not_resources):
                yield rule.finding(resource.address, "allows iam:PassRole on every role; name the role ARNs that may be passed")
                break


def _managed_admin(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    for attachment in plan.of_type("aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_user_policy_attachment",
                                   "aws_iam_group_policy_attachment", "aws_iam_role_policy_attachments_exclusive"):
        arns = attachment.get("policy_arns") or [attachment.get("policy_arn")]
        bad = [a for a in arns if isinstance(a, str) and _ADMIN_POLICY.match(a)]
        if bad:
            yield rule.finding(attachment.address, f"attaches the AWS managed policy {_join(bad)}; write a policy with the exact actions")
    for role in plan.of_type("aws_iam_role"):
        bad = [a for a in role.get("managed_policy_arns") or [] if isinstance(a, str) and _ADMIN_POLICY.match(a)]
        if bad:
            yield rule.finding(role.address, f"attaches the AWS managed policy {_join(bad)}; write a policy with the exact actions")


def _assume_statements(view: RoleView) -> list[Statement]:
    return [s for s in view.trust.statements if s.allows and any(action_matches(a, "sts:AssumeRole") or a.lower().startswith("sts:assumerole") for a in s.actions)]


def _trust_principal(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    for view in role_views(plan).values():
        if view.trust.unknown:
            yield rule.unevaluated(view.address, UNKNOWN_TRUST)
            continue
        statements = _assume_statements(view)
        if not statements:
            continue
        services: set[str] = set()
        others: list[str] = []
        for statement in statements:
            for kind, identifiers in statement.principals.items():
                if UNKNOWN in identifiers:
                    continue
                if kind == "Service":
                    services.update(identifiers)
                else:
                    others += [f"{kind} {i}" for i in identifiers]
        if others:
            yield rule.finding(view.address, f"trust policy lets non-service principals assume the role: {_join(others)}; "
                               "trust only the service that uses the role")
        elif len(services) > 1:
            yield rule.finding(view.address, f"trust policy names {len(services)} service principals ({_join(services)}); give each service its own role")


def _trust_conditions(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    for view in role_views(plan).values():
        if view.trust.unknown:
            yield rule.unevaluated(view.address, UNKNOWN_TRUST)
            continue
        missing: set[str] = set()
        for statement in _assume_statements(view):
            if "Service" not in statement.principals:
                continue
            keys = statement.condition_keys()
            missing.update(k for k in ("aws:SourceAccount", "aws:SourceArn") if k.lower() not in keys)
        if missing:
            yield rule.finding(view.address, f"trust policy for a service principal lacks {_join(missing)} conditions (confused deputy); "
                               "add StringEquals aws:SourceAccount and ArnLike aws:SourceArn naming the resource that uses the role")


# --- roles vs what uses them -----------------------------------------------------------------------


def _statement_grants(statement: Statement, action: str) -> bool:
    if statement.actions:
        return any(action_matches(pattern, action) for pattern in statement.actions)
    return bool(statement.not_actions) and not any(action_matches(p, action) for p in statement.not_actions)


def _statement_resources(statement: Statement) -> tuple[str, ...]:
    return ("*",) if statement.not_resources else statement.resources


def _granted(view: RoleView, action: str, resource: str) -> bool:
    return any(
        _statement_grants(statement, action) and any(arn_overlaps(r, resource) for r in _statement_resources(statement))
        for _, statement in view.allow_statements()
    )


def _qualified_only(granted: str, target: str) -> bool:
    """A literal grant on the target, or on the target with any version/alias qualifier."""
    if UNKNOWN == granted:
        return True
    if "*" not in granted and "?" not in granted:
        return arn_overlaps(granted, target)
    return granted.endswith(":*") and "*" not in granted[:-2] and arn_overlaps(granted[:-2], target)


def _integration_role(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    views = role_views(plan)
    needs: dict[str, set[tuple[str, str]]] = {}
    for route in routes(plan):
        if not route.roles:
            yield rule.unevaluated(route.integration.address, "the role API Gateway assumes for it is not in this plan or only known after apply")
        for role in route.roles:
            needs.setdefault(role.address, set()).update((route.action, m) for m in route.machines or ("*",))
    for address, needed in needs.items():
        view = views[address]
        problems: list[str] = []
        needed_actions = {action for action, _ in needed}
        for _, statement in view.allow_statements():
            if statement.not_actions:
                problems.append("uses NotAction, which grants almost everything")
                continue
            for pattern in statement.actions:
                extra = [a for a in expand_action(pattern) if not any(a.lower() == n.lower() for n in needed_actions)]
                if is_wildcard_action(pattern) or extra:
                    problems.append(f"grants {pattern}" + (f" (includes {_join(extra, limit=4)})" if is_wildcard_action(pattern) else "") + ", which no route needs")
                    continue
                targets = [m for action, m in needed if action.lower() == pattern.lower()]
                for resource in _statement_resources(statement):
                    if not any(_qualified_only(resource, t) for t in targets) or (resource == "*" and "*" not in targets):
                        problems.append(f"grants {pattern} on {resource}, beyond the state machines routed with that action")
        if not any(d.unknown for d in view.policies):
            for action, machine in sorted(needed):
                if machine != "*" and not _granted(view, action, machine):
                    problems.append(f"lacks {action} on {machine}, which a route needs (the call would be denied)")
        if problems:
            yield rule.finding(address, "integration role " + "; ".join(dict.fromkeys(problems)))
        elif any(d.unknown for d in view.policies):
            yield rule.unevaluated(address, UNKNOWN_POLICY)
        elif any(machine == "*" for _, machine in needed):
            yield rule.unevaluated(address, "a state machine one of its routes starts is only known after apply")


def _machine_requirements(plan: Plan, machine: Resource) -> list[asl.Requirement] | None:
    definition, error = asl.parse_definition(machine.get("definition"))
    if definition is None:
        return None
    required = asl.requirements(definition)
    logging = machine.block("logging_configuration")
    if logging and str(logging.get("level", "OFF")).upper() != "OFF":
        required += [asl.Requirement(a, "*", "logging") for a in LOG_DELIVERY_ACTIONS]
    if machine.block("tracing_configuration").get("enabled"):
        required += [asl.Requirement(a, "*", "tracing") for a in XRAY_ACTIONS]
    encryption = machine.block("encryption_configuration")
    if encryption.get("type") == "CUSTOMER_MANAGED_KMS_KEY":
        key = encryption.get("kms_key_id") or UNKNOWN
        required += [asl.Requirement(a, str(key), "encryption") for a in ("kms:Decrypt", "kms:GenerateDataKey")]
    for state in asl.map_states(definition):
        processor = state.body.get("ItemProcessor")
        config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
        if isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED":
            own = machine_arn(machine)
            execution = own.replace(":stateMachine:", ":execution:") + ":*" if ":stateMachine:" in own else "*"
            required += [asl.Requirement("states:StartExecution", own, state.path),
                         asl.Requirement("states:DescribeExecution", execution, state.path),
                         asl.Requirement("states:StopExecution", execution, state.path)]
    return required


def _execution_roles(plan: Plan) -> dict[str, tuple[list[Resource], list[asl.Requirement] | None]]:
    """role address -> (state machines using it, their combined requirements or None if one is unknown)."""
    grouped: dict[str, tuple[list[Resource], list[asl.Requirement] | None]] = {}
    for machine in plan.of_type("aws_sfn_state_machine"):
        required = _machine_requirements(plan, machine)
        for role in roles_for(plan, machine, "role_arn"):
            machines, so_far = grouped.get(role.address, ([], []))
            combined = None if so_far is None or required is None else so_far + required
            grouped[role.address] = (machines + [machine], combined)
    return grouped


def _unevaluated_roles(rule: Rule, plan: Plan) -> Iterator[Finding]:
    """Notes for what neither role rule can judge: machines whose role is not in the plan, and roles whose
    state machines' definitions cannot be read."""
    for machine in plan.of_type("aws_sfn_state_machine"):
        if not roles_for(plan, machine, "role_arn"):
            yield rule.unevaluated(machine.address, "its execution role is not in this plan or only known after apply")
    for address, (machines, required) in _execution_roles(plan).items():
        if required is None:
            names = _join(m.address for m in machines)
            yield rule.unevaluated(address, f"what {names} needs cannot be derived: a definition is only known after apply or not valid ASL")


def _excess(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    views = role_views(plan)
    yield from _unevaluated_roles(rule, plan)
    for address, (machines, required) in _execution_roles(plan).items():
        if required is None:
            continue
        excess: list[str] = []
        for _, statement in views[address].allow_statements():
            if statement.not_actions:
                excess.append(f"NotAction {_join(statement.not_actions)} (grants almost everything)")
                continue
            for pattern in statement.actions:
                for action in expand_action(pattern):
                    for resource in _statement_resources(statement):
                        if resource == UNKNOWN:
                            continue
                        used = any(action_matches(action, r.action) and arn_overlaps(resource, r.resource) for r in required)
                        if not used:
                            excess.append(f"{action} on {resource}")
        if excess:
            names = _join(m.address for m in machines)
            yield rule.finding(address, f"execution role of {names} grants what no state uses: {_join(excess)}")
        elif any(d.unknown for d in views[address].policies):
            yield rule.unevaluated(address, UNKNOWN_POLICY)


def _missing(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    views = role_views(plan)
    yield from _unevaluated_roles(rule, plan)
    for address, (machines, required) in _execution_roles(plan).items():
        view = views[address]
        if required is None:
            continue
        if any(d.unknown for d in view.policies):
            yield rule.unevaluated(address, UNKNOWN_POLICY)
            continue
        missing = [f"{r.action} on {r.resource} ({r.state})" for r in required if not _granted(view, r.action, r.resource)]
        if missing:
            names = _join(m.address for m in machines)
            yield rule.finding(address, f"execution role of {names} lacks permissions its states need: {_join(missing)}")


def _rule(id: str, severity: Severity, title: str, rationale: str, fix: str, check: Any, link: str = IAM_DOCS) -> Rule:
    return Rule(id=id, severity=severity, title=title, rationale=rationale, fix=fix, link=link, check=check)


RULES: tuple[Rule, ...] = (
    _rule("SG-IAM-001", Severity.HIGH, "No wildcard actions in IAM policies",
          "A wildcard (`*`, `states:*`, `sqs:*`, NotAction) grants every current and future action of a service, "
          "including destructive and data-reading ones the workload never calls.",
          "List the exact actions each statement needs; for Step Functions roles stepgate derives them from the ASL.",
          _wildcard_actions),
    _rule("SG-IAM-002", Severity.HIGH, "No Resource \"*\" outside the log-delivery/X-Ray allowlist",
          "Resource \"*\" lets a role act on every queue, topic, table or state machine in the account. AWS only "
          "requires \"*\" for CloudWatch Logs log-delivery and X-Ray calls, which stepgate allows.",
          "Scope statements to the ARNs they act on; keep only the documented log-delivery and X-Ray actions on \"*\".",
          _star_resource),
    _rule("SG-IAM-003", Severity.CRITICAL, "No iam:PassRole on every role",
          "iam:PassRole on \"*\" lets the holder hand any role, including admin roles, to a service it controls: "
          "a privilege escalation path.",
          "Restrict iam:PassRole to the specific role ARNs and add an iam:PassedToService condition.",
          _pass_role_star),
    _rule("SG-IAM-004", Severity.CRITICAL, "No admin or full-access AWS managed policies",
          "AdministratorAccess, PowerUserAccess and *FullAccess managed policies grant far more than a workflow "
          "uses, and AWS changes them without notice.",
          "Replace the attachment with an inline or customer-managed policy listing the exact actions and ARNs.",
          _managed_admin, "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html"),
    _rule("SG-IAM-005", Severity.HIGH, "Trust policy names exactly one service principal",
          "A role trusted by several services (or by accounts/users) can be assumed by all of them; a role shared "
          "between API Gateway and Step Functions gives each the other's permissions.",
          "Give each service its own role whose trust policy names only that service.",
          _trust_principal, "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-service.html"),
    _rule("SG-IAM-006", Severity.MEDIUM, "Service trust policies carry aws:SourceAccount and aws:SourceArn",
          "Without these conditions any customer's resource of the same service could make the service assume "
          "your role (the confused deputy problem).",
          "Add Condition StringEquals aws:SourceAccount = <account> and ArnLike aws:SourceArn = <the API or state machine ARN>.",
          _trust_conditions, "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"),
    _rule("SG-IAM-007", Severity.HIGH, "API integration role starts only the routed state machines",
          "The role API Gateway assumes should allow exactly states:StartExecution (async routes) or "
          "states:StartSyncExecution (sync routes) on exactly the state machines its routes target; anything "
          "more lets a caller of one route start other workflows, anything less makes the route fail.",
          "Grant one statement per action listing the routed state machine ARNs (literal at plan time).",
          _integration_role, "https://docs.aws.amazon.com/step-functions/latest/dg/tutorial-api-gateway.html"),
    _rule("SG-IAM-008", Severity.HIGH, "Execution role grants nothing the workflow does not use",
          "Permissions no Task state needs (derived from the ASL definition, logging and tracing) are pure "
          "attack surface if the workflow's input can steer it.",
          "Remove the excess actions/resources, or add the Task state that needs them.",
          _excess, "https://docs.aws.amazon.com/step-functions/latest/dg/service-integration-iam-templates.html"),
    _rule("SG-IAM-009", Severity.HIGH, "Execution role grants everything the workflow uses",
          "A Task state whose action is not granted fails at run time with AccessDenied, usually in production "
          "on the first rare path.",
          "Grant the listed actions on the listed resources (stepgate derives them from Task Resource and Parameters).",
          _missing, "https://docs.aws.amazon.com/step-functions/latest/dg/service-integration-iam-templates.html"),
)
