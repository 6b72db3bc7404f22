"""Least-privilege rules: wildcards, PassRole, managed policies, trust policies, and roles vs their use.

Rules about the API -> Step Functions path (SG-IAM-005/006/007/008/009/011) judge the roles
stepgate.plan.iam.path_roles() puts in it: integration roles of the routes that call Step Functions,
execution roles of the state machines and the roles those may pass; SG-IAM-005/006 add roles that
states.amazonaws.com or apigateway.amazonaws.com may assume, which belong to the path whatever this plan
shows of their use. Policy-shape rules (SG-IAM-001..004, 012) judge every policy of the plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from stepgate.findings import Finding, Severity
from stepgate.plan import asl
from stepgate.plan.api import START, START_SYNC, machine_arn, possible_sfn_integrations, routes
from stepgate.plan.iam import (
    CALLBACK_ACTIONS,
    NO_SOURCE_CONDITION_SERVICES,
    Comparison,
    Need,
    RoleView,
    Statement,
    Symbol,
    Unresolved,
    action_matches,
    carriers,
    compare,
    describe,
    is_aws_managed,
    is_unresolved,
    is_wildcard_action,
    path_roles,
    role_views,
    roles_for,
    sfn_integration_roles,
    standalone_policy_documents,
    symbol_of,
    trusted_by_path_service,
    uncovered,
)
from stepgate.plan.model import Plan, Resource, Target
from stepgate.rules.base import Rule, RuleConfig
from stepgate.sfn import LOG_DELIVERY_ACTIONS, XRAY_ACTIONS

IAM_DOCS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"
_ADMIN_POLICY = re.compile(r"^arn:[^:]+:iam::aws:policy/(.*/)?(AdministratorAccess|PowerUserAccess|[A-Za-z0-9]*FullAccess)$")
PASSED_TO_SERVICE = "iam:PassedToService"


def _join(items: Iterable[str], limit: int = 12) -> str:
    """Sorted, unique, and cut after `limit` items so a wildcard's expansion stays readable."""
    unique = sorted(set(items))
    shown = ", ".join(unique[:limit])
    return shown + (f" and {len(unique) - limit} more" if len(unique) > limit else "")


def _reasons(items: Iterable[str]) -> str:
    return "; ".join(dict.fromkeys(items))


# --- policy shapes (every policy of the plan) ---------------------------------------------------------


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


def _callback_only_carriers(plan: Plan) -> set[str]:
    """Policies (by carrier address) attached only to roles that only answer task tokens for API routes."""
    path = path_roles(plan)
    return {carrier for carrier, roles in carriers(plan).items()
            if roles and all(address in path and path[address].callback_only for address in roles)}


def _star_resource(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    allowed = {a.lower() for a in config.star_actions}
    callbacks = {a.lower() for a in CALLBACK_ACTIONS}
    callback_carriers = _callback_only_carriers(plan)
    for resource, document in standalone_policy_documents(plan):
        ok = allowed | (callbacks if resource.address in callback_carriers else set())
        bad: list[str] = []
        for statement in document.statements:
            if not statement.allows:
                continue
            if "*" in statement.resources or statement.not_resources:
                actions = list(statement.actions) or [f"NotAction {a}" for a in statement.not_actions]
                bad += [a for a in actions if a.startswith("NotAction") or a.lower() not in ok]
        if bad:
            yield rule.finding(resource.address, f"allows {_join(bad)} on Resource \"*\"; scope them to the ARNs they act on")


def _grants_pass_role(statement: Statement) -> bool:
    return statement.allows and statement.grants("iam:PassRole")


def _pass_role_star(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    for resource, document in standalone_policy_documents(plan):
        for statement in document.statements:
            if _grants_pass_role(statement) and ("*" in statement.resources or statement.not_resources):
                yield rule.finding(resource.address, "allows iam:PassRole on every role; name the role ARNs that may be passed")
                break


def _pass_role_condition(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    for resource, document in standalone_policy_documents(plan):
        bare = [s for s in document.statements if _grants_pass_role(s)
                and not any(c.variable.lower() == PASSED_TO_SERVICE.lower() and not c.negated for c in s.conditions)]
        if bare:
            roles = _join(describe(r) for s in bare for r in (s.resources or ("*",)) if not is_unresolved(r)) or "roles only known after apply"
            yield rule.finding(resource.address, f"allows iam:PassRole on {roles} without an {PASSED_TO_SERVICE} condition; add StringEquals "
                               f"{PASSED_TO_SERVICE} naming the service that receives the role (ecs-tasks.amazonaws.com for ECS tasks)")


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


def _managed_in_path(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    views = role_views(plan)
    for address, path_role in sorted(path_roles(plan).items()):
        attached = [(arn, by) for arn, by in views[address].managed if is_aws_managed(arn) and not _ADMIN_POLICY.match(arn)]
        if attached:
            listed = _join(f"{arn} (attached by {by})" if by != address else arn for arn, by in attached)
            yield rule.finding(address, f"{path_role.summary} carries the AWS managed policy {listed}, whose grants stepgate cannot prove "
                               "least-privilege; replace it with an inline policy listing exactly the actions and ARNs it uses")


# --- trust policies of the path ------------------------------------------------------------------


def _trust_scope(plan: Plan) -> list[RoleView]:
    path = path_roles(plan)
    return [view for view in role_views(plan).values() if view.address in path or (not view.trust.unknown and trusted_by_path_service(view))]


def _assume_statements(view: RoleView) -> list[Statement]:
    return [s for s in view.trust.statements if s.allows and any(action_matches(a, "sts:AssumeRole") or a.lower().startswith("sts:assumerole") for a in s.actions)]


def _trust_unreadable(rule: Rule, view: RoleView) -> Finding:
    return rule.unevaluated(view.address, view.trust.unreadable_reason.replace(f"{view.address}.assume_role_policy", "the trust policy (assume_role_policy)"))


def _trust_principal(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    for view in _trust_scope(plan):
        if view.trust.unknown:
            yield _trust_unreadable(rule, view)
            continue
        statements = _assume_statements(view)
        if not statements:
            continue
        services: set[str] = set()
        others: list[str] = []
        for statement in statements:
            for kind, identifiers in statement.principals.items():
                known = [i for i in identifiers if not is_unresolved(i)]
                if kind == "Service":
                    services.update(known)
                else:
                    others += [f"{kind} {describe(i)}" for i in known]
        if others:
            yield rule.finding(view.address, f"trust policy lets non-service principals assume the role: {_join(others)}; "
                               "trust only the service that uses the role")
        elif len(services) > 1:
            yield rule.finding(view.address, f"trust policy names {len(services)} service principals ({_join(services)}); give each service its own role")


def _trust_conditions(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    exempt = {s.lower() for s in NO_SOURCE_CONDITION_SERVICES}
    for view in _trust_scope(plan):
        if view.trust.unknown:
            yield _trust_unreadable(rule, view)
            continue
        missing: set[str] = set()
        for statement in _assume_statements(view):
            services = [s for s in statement.principals.get("Service", ()) if not is_unresolved(s)]
            if not services or all(s.lower() in exempt for s in services):
                continue
            keys = statement.condition_keys()
            missing.update(k for k in ("aws:SourceAccount", "aws:SourceArn") if k.lower() not in keys)
        if missing:
            yield rule.finding(view.address, f"trust policy for a service principal lacks {_join(missing)} conditions (confused deputy); "
                               "add StringEquals aws:SourceAccount and ArnLike aws:SourceArn naming the resource that uses the role")


# --- integration roles vs their routes ----------------------------------------------------------------


def _integration_needs(rule: Rule, plan: Plan) -> tuple[dict[str, list[Need]], dict[str, list[Need]], list[Finding]]:
    """Role address -> needs that justify a grant, needs that must be granted; notes for roles not in the plan."""
    justify: dict[str, list[Need]] = {}
    required: dict[str, list[Need]] = {}
    notes: list[Finding] = []
    for route in routes(plan):
        if not route.roles:
            notes.append(rule.unevaluated(route.integration.address, "the role API Gateway assumes for it is not in this plan or only known after apply"))
        for role in route.roles:
            for machine in route.machines or ("*",):
                need = Need(route.action, machine, why=route.integration.address)
                justify.setdefault(role.address, []).append(need)
                required.setdefault(role.address, []).append(need)
    for resource in plan.of_type("aws_api_gateway_integration", "aws_apigatewayv2_integration"):
        for attribute in {i.unknown_target for i in possible_sfn_integrations(resource) if i.unknown_target}:
            notes.append(rule.unevaluated(resource.address, f"its {attribute} is only known after apply{plan.describe_unknown(resource, attribute)}, "
                                          "so whether it calls Step Functions, and with which role, is not known"))
    for resource, integration, roles in sfn_integration_roles(plan):
        action = str(integration.action)
        if action in (START, START_SYNC):
            continue  # routes() has them, with the state machines they start
        if not roles:
            notes.append(rule.unevaluated(resource.address, "the role API Gateway assumes for it is not in this plan or only known after apply"))
        for role in roles:
            justify.setdefault(role.address, []).append(Need(action, "*", why=resource.address))
            required.setdefault(role.address, []).append(Need(action, "*", why=resource.address))
    return justify, required, notes


def _integration_problems(comparison: Comparison) -> list[str]:
    problems: list[str] = []
    unneeded: dict[str, list[str]] = {}
    for excess in comparison.excess:
        if excess.kind == "notaction":
            problems.append("uses NotAction, which grants almost everything")
        elif excess.kind == "action":
            unneeded.setdefault(excess.pattern, []).append(excess.action)
        elif excess.kind == "resource":
            problems.append(f"grants {excess.pattern} on {excess.where}, beyond the state machines routed with that action")
        else:
            problems.append(f"grants {excess.text}")
    for pattern, actions in unneeded.items():
        problems.append(f"grants {pattern}" + (f" (includes {_join(actions, limit=4)})" if is_wildcard_action(pattern) else "") + ", which no route needs")
    for need in comparison.missing:
        problems.append(f"lacks {need.action} on {describe(need.resource)}, which a route needs (the call would be denied)")
    return list(dict.fromkeys(problems))


def _integration_role(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    views = role_views(plan)
    justify, required, notes = _integration_needs(rule, plan)
    yield from notes
    for address, needs in justify.items():
        view = views[address]
        unreadable = view.unreadable()
        comparison = compare(view.statements(), needs, required=[] if unreadable else required.get(address, []))
        problems = _integration_problems(comparison)
        if problems:
            yield rule.finding(address, "integration role " + "; ".join(problems) + "; grant exactly the routed actions on the routed state machine ARNs")
        elif unreadable:
            yield rule.unevaluated(address, _reasons(unreadable))
        elif comparison.unresolved_grants or comparison.unresolved_needs:
            yield rule.unevaluated(address, _reasons(comparison.unresolved_grants + comparison.unresolved_needs))
        elif any(n.resource == "*" and n.action in (START, START_SYNC) for n in needs):
            yield rule.unevaluated(address, "a state machine one of its routes starts is only known after apply")
        elif view.managed_policy_arns:
            yield rule.unevaluated(address, f"the grants of {_join(view.managed_policy_arns)} are not in the plan")


# --- execution roles vs their state machines -------------------------------------------------------


def _kms_key(plan: Plan, owner: Resource, key: Any, attribute: str) -> str:
    """The ARN (or symbol) of the KMS key `owner` is encrypted with, set in `attribute`."""
    if isinstance(key, str) and key:
        return key
    for occurrence in plan.occurrences(owner, owner.expressions.get(attribute)):
        for target in occurrence.targets:
            if target.resource.type in ("aws_kms_key", "aws_kms_alias"):
                return symbol_of(target)
    return Unresolved(f"the KMS key of {owner.address} (only known after apply)")


# actions whose target, when encrypted with a customer managed key, needs the caller to use that key
_ENCRYPTED_TARGETS = {"sqs:sendmessage": "aws_sqs_queue", "sns:publish": "aws_sns_topic"}


def _target_key_needs(plan: Plan, needs: list[Need]) -> list[Need]:
    """kms:GenerateDataKey and kms:Decrypt on the customer managed key of each queue or topic in the plan
    that a state sends to (AWS managed keys, alias/aws/..., need no grant in the caller's policy)."""
    extra: list[Need] = []
    for need in needs:
        kind = _ENCRYPTED_TARGETS.get(need.action.lower())
        for target in _plan_targets(plan, kind, need.resource) if kind else ():
            key = target.get("kms_master_key_id")
            if (isinstance(key, str) and key.startswith("alias/aws/")) or not target.has_value("kms_master_key_id"):
                continue
            arn = _kms_key(plan, target, key, "kms_master_key_id")
            extra += [Need(action, arn, why=need.why) for action in ("kms:GenerateDataKey", "kms:Decrypt")]
    return extra


def _plan_targets(plan: Plan, kind: str, arn: str) -> list[Resource]:
    """The queues or topics of the plan an ARN (or the symbol of one) names."""
    if isinstance(arn, Symbol):
        found = plan.get(arn.address)
        return [found] if found is not None and found.type == kind else []
    name = arn.rsplit(":", 1)[-1]
    return [r for r in plan.of_type(kind) if name and "*" not in name and r.get("name") == name]


def _task_definition_roles(plan: Plan, resource: str) -> list[str]:
    """Task role and task execution role ARNs of the plan's ECS task definitions a RunTask resource names
    (the roles Step Functions passes to ECS); empty when the family is not in the plan."""
    family = resource.rsplit("/", 1)[-1].split(":")[0] if ":task-definition/" in resource else None
    found: list[str] = []
    for definition in plan.of_type("aws_ecs_task_definition"):
        if not family or definition.get("family") != family:
            continue
        for attribute in ("task_role_arn", "execution_role_arn"):
            value = definition.get(attribute)
            if isinstance(value, str) and value:
                found.append(value)
            elif definition.is_unknown(attribute):
                roles = roles_for(plan, definition, attribute)
                found += [symbol_of(Target(role, "arn", f"{role.address}.arn")) for role in roles] or [
                    Unresolved(f"{definition.address}.{attribute} (only known after apply)")]
    return list(dict.fromkeys(found))


def _machine_needs(plan: Plan, machine: Resource) -> tuple[list[Need] | None, str]:
    """What a state machine's execution role needs (its states, logging, tracing, encryption), or why not known."""
    from stepgate.plan.sourced import machine_definition  # its HCL evaluator loads only when a check runs

    read = machine_definition(plan, machine)
    definition, error = read.definition, read.error
    if definition is None and error is None:
        return None, f"the definition of {machine.address} is only known after apply{read.unknown}"
    if definition is None:
        return None, f"the definition of {machine.address} is not valid ASL ({error})"
    needs = [Need(r.action, r.resource, r.conditions, r.state) for r in asl.requirements(definition, machine_arn(machine))]
    passed = [n for n in needs if n.action == "iam:PassRole" and n.resource == "*"]
    for run_task in [n for n in needs if n.action == "ecs:RunTask"]:
        roles = _task_definition_roles(plan, run_task.resource)
        if roles:
            for generic in [n for n in passed if n.why == run_task.why]:
                needs.remove(generic)
                needs += [Need(generic.action, role, generic.conditions, generic.why) for role in roles]
    logging = machine.block("logging_configuration")
    if logging and str(logging.get("level", "OFF")).upper() != "OFF":
        needs += [Need(a, "*", why="logging") for a in LOG_DELIVERY_ACTIONS]
    if machine.block("tracing_configuration").get("enabled"):
        needs += [Need(a, "*", why="tracing") for a in XRAY_ACTIONS]
    encryption = machine.block("encryption_configuration")
    if encryption.get("type") == "CUSTOMER_MANAGED_KMS_KEY":
        key = _kms_key(plan, machine, encryption.get("kms_key_id"), "encryption_configuration")
        needs += [Need(a, key, why="encryption") for a in ("kms:Decrypt", "kms:GenerateDataKey")]
    return needs + _target_key_needs(plan, needs), ""


def _execution_roles(plan: Plan) -> dict[str, tuple[list[Resource], list[Need] | None, list[str]]]:
    """role address -> (state machines using it, their combined needs or None, why they are not known)."""
    return plan.derived("execution-role-needs", lambda: _build_execution_roles(plan))


def _build_execution_roles(plan: Plan) -> dict[str, tuple[list[Resource], list[Need] | None, list[str]]]:
    grouped: dict[str, tuple[list[Resource], list[Need] | None, list[str]]] = {}
    for machine in plan.of_type("aws_sfn_state_machine"):
        needs, why = _machine_needs(plan, machine)
        for role in roles_for(plan, machine, "role_arn"):
            machines, so_far, whys = grouped.get(role.address, ([], [], []))
            combined = None if so_far is None or needs is None else so_far + needs
            grouped[role.address] = (machines + [machine], combined, whys + ([why] if why else []))
    return grouped


def _unevaluated_roles(rule: Rule, plan: Plan) -> Iterator[Finding]:
    """Notes for what neither role rule can judge: machines whose role is not in the plan, and roles whose
    state machines' definitions cannot be read."""
    for machine in plan.of_type("aws_sfn_state_machine"):
        if not roles_for(plan, machine, "role_arn"):
            yield rule.unevaluated(machine.address, "its execution role is not in this plan or only known after apply"
                                   + plan.describe_unknown(machine, "role_arn"))
    for address, (machines, needs, whys) in _execution_roles(plan).items():
        if needs is None:
            names = _join(m.address for m in machines)
            yield rule.unevaluated(address, f"what {names} needs cannot be derived: {_reasons(whys)}")


def _excess(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    views = role_views(plan)
    yield from _unevaluated_roles(rule, plan)
    for address, (machines, needs, _) in _execution_roles(plan).items():
        if needs is None:
            continue
        view = views[address]
        # a PassRole grant without iam:PassedToService is SG-IAM-012's (on the policy that grants it)
        comparison = compare(view.statements(), needs, skip_condition_keys=(PASSED_TO_SERVICE,), required=[])
        excess = [e.text for e in comparison.excess]
        names = _join(m.address for m in machines)
        if excess:
            yield rule.finding(address, f"execution role of {names} grants what no state uses: {_join(excess)}; "
                               "remove these grants or narrow them to the ARNs the states name")
        elif view.unreadable():
            yield rule.unevaluated(address, _reasons(view.unreadable()))
        elif comparison.unresolved_grants:
            yield rule.unevaluated(address, _reasons(comparison.unresolved_grants))
        elif view.managed_policy_arns:
            yield rule.unevaluated(address, f"the grants of {_join(view.managed_policy_arns)} are not in the plan")


def _missing(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    views = role_views(plan)
    yield from _unevaluated_roles(rule, plan)
    for address, (machines, needs, _) in _execution_roles(plan).items():
        view = views[address]
        if needs is None:
            continue
        if view.unreadable():
            yield rule.unevaluated(address, _reasons(view.unreadable()))
            continue
        comparison = uncovered(view.statements(), needs)
        missing = [f"{n.action} on {describe(n.resource)} ({n.why})" for n in comparison.missing]
        names = _join(m.address for m in machines)
        if missing and view.managed_policy_arns:
            yield rule.unevaluated(address, f"{names} needs {_join(missing)}, which only {_join(view.managed_policy_arns)} (not in the plan) may grant")
        elif missing:
            yield rule.finding(address, f"execution role of {names} lacks permissions its states need: {_join(missing)}; grant these actions on these resources")
        elif comparison.unresolved_needs:
            yield rule.unevaluated(address, _reasons(comparison.unresolved_needs))


def _rule(id: str, severity: Severity, title: str, rationale: str, fix: str, check: Any, link: str = IAM_DOCS) -> Rule:
    return Rule(id=id, severity=severity, title=title, rationale=rationale, fix=fix, link=link, check=check)


RULES: tuple[Rule, ...] = (
    _rule("SG-IAM-001", Severity.HIGH, "No wildcard actions in IAM policies",
          "A wildcard (`*`, `states:*`, `sqs:*`, NotAction) grants every current and future action of a service, "
          "including destructive and data-reading ones the workload never calls.",
          "List the exact actions each statement needs; for Step Functions roles stepgate derives them from the ASL.",
          _wildcard_actions),
    _rule("SG-IAM-002", Severity.HIGH, "No Resource \"*\" outside the log-delivery/X-Ray/task-token allowlist",
          "Resource \"*\" lets a role act on every queue, topic, table or state machine in the account. AWS only "
          "requires \"*\" for CloudWatch Logs log-delivery and X-Ray calls, which stepgate allows, and for the task-token "
          "callbacks states:SendTaskSuccess/SendTaskFailure/SendTaskHeartbeat (no resource-level permissions), which "
          "stepgate allows only in policies of roles that API Gateway uses for nothing but routes calling those actions.",
          "Scope statements to the ARNs they act on; keep only the documented log-delivery and X-Ray actions on \"*\", "
          "and the task-token callbacks in a role of their own for the approval routes.",
          _star_resource),
    _rule("SG-IAM-003", Severity.CRITICAL, "No iam:PassRole on every role",
          "iam:PassRole on \"*\" lets the holder hand any role, including admin roles, to a service it controls: "
          "a privilege escalation path.",
          "Restrict iam:PassRole to the specific role ARNs and add an iam:PassedToService condition.",
          _pass_role_star),
    _rule("SG-IAM-004", Severity.CRITICAL, "No admin or full-access AWS managed policies",
          "AdministratorAccess, PowerUserAccess and *FullAccess managed policies grant far more than a workflow "
          "uses, and AWS changes them without notice. Checked on every attachment in the plan; other AWS managed "
          "policies on roles of the API -> Step Functions path are SG-IAM-011's.",
          "Replace the attachment with an inline or customer-managed policy listing the exact actions and ARNs.",
          _managed_admin, "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html"),
    _rule("SG-IAM-005", Severity.HIGH, "Trust policy names exactly one service principal",
          "A role trusted by several services (or by accounts/users) can be assumed by all of them; a role shared "
          "between API Gateway and Step Functions gives each the other's permissions. Checked on roles of the "
          "API -> Step Functions path and roles those services may assume.",
          "Give each service its own role whose trust policy names only that service.",
          _trust_principal, "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-service.html"),
    _rule("SG-IAM-006", Severity.MEDIUM, "Service trust policies carry aws:SourceAccount and aws:SourceArn",
          "Without these conditions any customer's resource of the same service could make the service assume "
          "your role (the confused deputy problem). Checked on roles of the API -> Step Functions path and roles "
          "states/apigateway may assume; services that assume a role for themselves (Lambda, ECS tasks, EC2) set no "
          "source for it and are not asked to.",
          "Add Condition StringEquals aws:SourceAccount = <account> and ArnLike aws:SourceArn = <the API or state machine ARN>.",
          _trust_conditions, "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html"),
    _rule("SG-IAM-007", Severity.HIGH, "API integration role starts only the routed state machines",
          "The role API Gateway assumes should allow exactly states:StartExecution (async routes) or "
          "states:StartSyncExecution (sync routes) on exactly the state machines its routes target (a grant must lie "
          "within them: `stateMachine:*` is as broad as \"*\"; their versions and aliases `NAME:*` are fine), and a "
          "callback role exactly the task-token actions; anything more lets a caller of one route start other "
          "workflows, anything less makes the route fail. NotAction/NotResource count as broad; Deny statements are honoured.",
          "Grant one statement per action listing the routed state machine ARNs (literal at plan time or by reference).",
          _integration_role, "https://docs.aws.amazon.com/step-functions/latest/dg/tutorial-api-gateway.html"),
    _rule("SG-IAM-008", Severity.HIGH, "Execution role grants nothing the workflow does not use",
          "Permissions no Task state needs (derived from the ASL definition, logging, tracing and encryption) are pure "
          "attack surface if the workflow's input can steer it. A grant counts as used only when it lies within what "
          "a state needs (a prefix wildcard such as `function:*` or `task-definition/*` does not; a function's "
          "qualifiers `NAME:*` and the executions of a nested machine do) and carries the conditions the state's call "
          "is scoped by (ecs:cluster); unconditional Deny statements are honoured.",
          "Remove the excess actions/resources, or add the Task state that needs them.",
          _excess, "https://docs.aws.amazon.com/step-functions/latest/dg/service-integration-iam-templates.html"),
    _rule("SG-IAM-009", Severity.HIGH, "Execution role grants everything the workflow uses",
          "A Task state whose action is not granted (or is denied) fails at run time with AccessDenied, usually in "
          "production on the first rare path.",
          "Grant the listed actions on the listed resources (stepgate derives them from Task Resource and Parameters).",
          _missing, "https://docs.aws.amazon.com/step-functions/latest/dg/service-integration-iam-templates.html"),
    _rule("SG-IAM-011", Severity.HIGH, "Roles of the API -> Step Functions path carry no AWS managed policy",
          "An AWS managed policy (e.g. AmazonAPIGatewayPushToCloudWatchLogs, AWSXrayWriteOnlyAccess) grants what AWS "
          "decides for every customer, on every resource, and changes without notice: on an integration role, an "
          "execution role or a role they pass, stepgate cannot prove it least-privilege. Admin and *FullAccess ones are "
          "SG-IAM-004's (anywhere in the plan); this rule reports the others on the path's roles.",
          "Replace the attachment with an inline policy listing the exact actions and ARNs (stepgate derives an "
          "execution role's from the ASL).",
          _managed_in_path, "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html"),
    _rule("SG-IAM-012", Severity.HIGH, "iam:PassRole grants carry an iam:PassedToService condition",
          "Without iam:PassedToService the holder may hand the role to any service it can call (a Lambda function, "
          "an EC2 instance), not only to the one that is meant to use it; Step Functions passes ECS task roles to "
          "ecs-tasks.amazonaws.com only.",
          "Add Condition StringEquals iam:PassedToService = <the service that receives the role>.",
          _pass_role_condition, "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"),
)
