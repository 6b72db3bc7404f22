"""Roles linked to the policies that grant them rights, the roles of the API -> Step Functions path, and the
resource policies of the stack."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from stepgate.plan.iam.arns import Symbol, Unresolved, ACCOUNT_ID, arn_account, arn_overlaps, is_unresolved
from stepgate.plan.iam.documents import (
    Condition,
    PolicyDocument,
    Statement,
    Slot,
    policy_elements,
    policy_document,
    read_policy,
    read_policy_object,
)
from stepgate.plan.model import Plan, Resource


# Step Functions task-token callbacks: they support no resource-level permissions (iamref: star_only), so a
# role that answers task tokens (an approval route's integration role) can only be granted them on "*".
CALLBACK_ACTIONS: tuple[str, ...] = ("states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat")

# Service principals whose AssumeRole does not carry aws:SourceArn/aws:SourceAccount for the role's use
# (the function, task or instance assumes it itself): a trust policy for them cannot be scoped that way.
NO_SOURCE_CONDITION_SERVICES: tuple[str, ...] = (
    "lambda.amazonaws.com", "edgelambda.amazonaws.com", "ecs-tasks.amazonaws.com", "ec2.amazonaws.com",
    "eks.amazonaws.com", "pods.eks.amazonaws.com", "batch.amazonaws.com",
)

# Services of the API -> Step Functions path: a role they can assume belongs to the path even when this plan
# does not show what uses it.
PATH_SERVICES: tuple[str, ...] = ("states.amazonaws.com", "apigateway.amazonaws.com")

# Condition keys that scope a service principal to the caller's own resource (confused deputy).
SOURCE_CONDITION_KEYS: tuple[str, ...] = ("aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths", "aws:sourceowner")

# --- roles -----------------------------------------------------------------------------------------


@dataclass
class RoleView:
    """A role with its trust policy and every permission policy attached to it in this plan."""

    role: Resource
    trust: PolicyDocument
    policies: list[PolicyDocument] = field(default_factory=list)
    managed_policy_arns: list[str] = field(default_factory=list)
    managed: list[tuple[str, str]] = field(default_factory=list)  # (policy ARN, address of what attaches it)

    @property
    def address(self) -> str:
        return self.role.address

    def allow_statements(self) -> Iterable[tuple[PolicyDocument, Statement]]:
        for document in self.policies:
            for statement in document.statements:
                if statement.allows:
                    yield document, statement

    def statements(self) -> list[Statement]:
        return [statement for document in self.policies for statement in document.statements]

    def unreadable(self) -> list[str]:
        """Why permission policies of the role cannot be read (unknown or not parsing)."""
        return [d.unreadable_reason for d in self.policies if d.unreadable_reason]

    def trust_services(self) -> set[str]:
        return {i for s in self.trust.statements if s.allows for i in s.principals.get("Service", ()) if not is_unresolved(i)}


def _role_index(plan: Plan) -> dict[str, list[Resource]]:
    """Known name, id and ARN of every role -> the roles (names repeat across accounts only in theory)."""
    index: dict[str, list[Resource]] = {}
    for role in plan.of_type("aws_iam_role"):
        keys = [key for key in (role.get("name"), role.get("id"), role.get("arn")) if isinstance(key, str) and key]
        for key in dict.fromkeys(keys):
            index.setdefault(key, []).append(role)
    return index


def roles_named(plan: Plan, value: Any) -> list[Resource]:
    """The plan's roles a role name, id or ARN (or a list of them) names."""
    index = plan.derived("role-index", lambda: _role_index(plan))
    found: dict[str, Resource] = {}
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, str) or not item:
            continue
        symbol = plan.get(item.address) if isinstance(item, Symbol) else None
        if symbol is not None and symbol.type == "aws_iam_role":  # a role's ARN only known after apply
            found[symbol.address] = symbol
            continue
        name = item.split("/")[-1] if ":role/" in item else item
        for role in index.get(item, []) + index.get(name, []):
            found[role.address] = role
    return list(found.values())


def roles_for(plan: Plan, resource: Resource, attribute: str) -> list[Resource]:
    """The aws_iam_role(s) that `attribute` of `resource` names (name, id or ARN when known), else by reference."""
    found = roles_named(plan, resource.get(attribute))
    if found:
        return found
    return [r for r in plan.resolve(resource, attribute) if r.type == "aws_iam_role"]


def role_views(plan: Plan) -> dict[str, RoleView]:
    """Every role with its trust policy and attached permission policies (computed once per plan)."""
    return plan.derived("role-views", lambda: _build_role_views(plan))


def _inline_documents(plan: Plan, role: Resource) -> list[PolicyDocument]:
    """The role's inline_policy blocks; one only known after apply is evaluated from its HCL, else unknown
    (read once per plan: role views and standalone policies both list them)."""
    return plan.derived(f"inline-policies {role.address}", lambda: _read_inline_documents(plan, role))


def _read_inline_documents(plan: Plan, role: Resource) -> list[PolicyDocument]:
    from stepgate.plan.sourced import evaluate_json  # the HCL evaluator loads only for an unknown policy

    origin = f"{role.address}.inline_policy"
    markers = role.unknown.get("inline_policy")
    if markers is True and "inline_policy" not in role.expressions:
        return []  # computed by the provider when the configuration sets no block: the role has none of its own
    if markers is True:
        return [PolicyDocument((), origin, unknown=True, why=f"{origin} is only known after apply{plan.describe_unknown(role, 'inline_policy')}",
                               carrier=role.address)]
    documents = []
    for position, block in enumerate(role.get("inline_policy") or []):
        if not isinstance(block, Mapping):
            continue
        policy = block.get("policy")
        mark = markers[position] if isinstance(markers, list) and position < len(markers) else {}
        if isinstance(policy, str) and policy:
            documents.append(read_policy(policy, origin, carrier=role.address))
        elif isinstance(mark, Mapping) and mark.get("policy"):
            name = block.get("name") if isinstance(block.get("name"), str) else None
            evaluated = evaluate_json(plan, role, "policy", nested=("inline_policy", name))
            if evaluated.value is not None:
                documents.append(read_policy_object(evaluated.value, origin, carrier=role.address))
            else:
                why = f"{origin} {name}" if name else origin
                why += f" is only known after apply{plan.describe_unknown(role, 'inline_policy')}"
                why += f"; {evaluated.problem}" if evaluated.problem else ""
                documents.append(PolicyDocument((), origin, unknown=True, why=why, carrier=role.address))
    return documents


def _build_role_views(plan: Plan) -> dict[str, RoleView]:
    views = {
        role.address: RoleView(role=role, trust=policy_document(plan, role, "assume_role_policy"))
        for role in plan.of_type("aws_iam_role")
    }
    for view in views.values():
        view.policies.extend(_inline_documents(plan, view.role))
        for arn in view.role.get("managed_policy_arns") or []:
            if isinstance(arn, str):
                view.managed_policy_arns.append(arn)
                view.managed.append((arn, view.address))

    for attachment in plan.of_type("aws_iam_role_policy"):
        for role in roles_for(plan, attachment, "role"):
            views[role.address].policies.append(policy_document(plan, attachment, "policy"))
    for attachment in plan.of_type("aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_role_policy_attachments_exclusive"):
        role_attribute = "role" if attachment.type == "aws_iam_role_policy_attachment" else "roles" if attachment.type == "aws_iam_policy_attachment" else "role_name"
        for role in roles_for(plan, attachment, role_attribute):
            _attach(plan, views[role.address], attachment)
    return views


def _attach(plan: Plan, view: RoleView, attachment: Resource) -> None:
    arns = attachment.get("policy_arns") or [attachment.get("policy_arn")]
    for arn in arns:
        if isinstance(arn, str) and arn:
            owned = [p for p in plan.of_type("aws_iam_policy") if p.get("arn") == arn]
            if owned:
                view.policies.append(policy_document(plan, owned[0], "policy"))
            else:
                view.managed_policy_arns.append(arn)
                view.managed.append((arn, attachment.address))
    if not any(isinstance(a, str) and a for a in arns):
        attribute = "policy_arns" if attachment.type == "aws_iam_role_policy_attachments_exclusive" else "policy_arn"
        targets = plan.resolve(attachment, attribute)
        for target in targets:
            if target.type == "aws_iam_policy" and target.mode == "managed":
                view.policies.append(policy_document(plan, target, "policy"))
            elif target.type == "aws_iam_policy" and isinstance(target.get("arn"), str):
                view.managed_policy_arns.append(str(target.get("arn")))  # data.aws_iam_policy: an existing policy
                view.managed.append((str(target.get("arn")), attachment.address))
        if not targets:
            why = f"{attachment.address}.{attribute} is only known after apply{plan.describe_unknown(attachment, attribute)}"
            view.policies.append(PolicyDocument((), f"{attachment.address}.{attribute}", unknown=True, why=why, carrier=attachment.address))


def standalone_policy_documents(plan: Plan) -> list[tuple[Resource, PolicyDocument]]:
    """Every permission policy in the plan, attached or not, with the resource that carries it (read once
    per plan: six rules walk them)."""
    return plan.derived("standalone-policy-documents", lambda: _standalone_policy_documents(plan))


def _standalone_policy_documents(plan: Plan) -> list[tuple[Resource, PolicyDocument]]:
    documents = []
    for resource in plan.of_type("aws_iam_role_policy", "aws_iam_policy", "aws_iam_user_policy", "aws_iam_group_policy"):
        documents.append((resource, policy_document(plan, resource, "policy")))
    for role in plan.of_type("aws_iam_role"):
        documents += [(role, document) for document in _inline_documents(plan, role)]
    return documents


def carriers(plan: Plan) -> dict[str, set[str]]:
    """Address of what carries a permission policy -> the roles it grants (role policies, attached policies)."""
    found: dict[str, set[str]] = {}
    for view in role_views(plan).values():
        for document in view.policies:
            found.setdefault(document.carrier, set()).add(view.address)
    return found


# --- the API -> Step Functions path -------------------------------------------------------------------


class PathRole(NamedTuple):
    """A role in the API -> Step Functions path and what puts it there."""

    role: Resource
    kinds: frozenset[str]  # "start", "callback", "integration" (other Step Functions calls), "execution", "passed"
    uses: tuple[str, ...]  # for messages: "integration role of X", "execution role of M", "passed by R"

    @property
    def callback_only(self) -> bool:
        return self.kinds == frozenset({"callback"})

    @property
    def summary(self) -> str:
        return "; ".join(self.uses[:3]) + (f" and {len(self.uses) - 3} more" if len(self.uses) > 3 else "")


def integration_roles(plan: Plan, resource: Resource, integration: Any) -> list[Resource]:
    """The roles API Gateway assumes for one Step Functions integration (a resource or an OpenAPI operation)."""
    if resource.type == "aws_api_gateway_integration":
        return roles_for(plan, resource, "credentials")
    if resource.type == "aws_apigatewayv2_integration":
        return roles_for(plan, resource, "credentials_arn")
    return roles_named(plan, getattr(integration, "credentials", None))


def sfn_integration_roles(plan: Plan) -> list[tuple[Resource, Any, list[Resource]]]:
    """Every API Gateway integration that calls Step Functions, with the roles it is made with."""
    from stepgate.plan import api

    found = []
    for resource in plan.of_type(*api.INTEGRATION_TYPES, *getattr(api, "API_TYPES", ())):
        for integration in api.sfn_integrations(resource):
            found.append((resource, integration, integration_roles(plan, resource, integration)))
    return found


def path_roles(plan: Plan) -> dict[str, PathRole]:
    """The roles in the API -> Step Functions path, defined once: integration roles of the routes that call
    Step Functions (start and callback routes), execution roles of the state machines, and the roles those
    may pass (iam:PassRole grants naming roles of this plan)."""
    return plan.derived("path-roles", lambda: _build_path_roles(plan))


def _build_path_roles(plan: Plan) -> dict[str, PathRole]:
    kinds: dict[str, set[str]] = {}
    uses: dict[str, list[str]] = {}
    roles: dict[str, Resource] = {}

    def add(role: Resource, kind: str, use: str) -> None:
        roles[role.address] = role
        kinds.setdefault(role.address, set()).add(kind)
        uses.setdefault(role.address, [])
        if use not in uses[role.address]:
            uses[role.address].append(use)

    for resource, integration, found in sfn_integration_roles(plan):
        action = str(integration.action)
        kind = "start" if action in ("states:StartExecution", "states:StartSyncExecution") else "callback" if action in CALLBACK_ACTIONS else "integration"
        for role in found:
            add(role, kind, f"integration role of {resource.address} ({action})")
    for machine in plan.of_type("aws_sfn_state_machine"):
        for role in roles_for(plan, machine, "role_arn"):
            add(role, "execution", f"execution role of {machine.address}")
    views = role_views(plan)
    pending = list(roles)
    while pending:
        address = pending.pop()
        view = views.get(address)
        for statement in view.statements() if view else []:
            if not statement.allows or not statement.grants("iam:PassRole"):
                continue
            for passed in _roles_matching(plan, statement.resources):
                if passed.address not in roles:
                    pending.append(passed.address)
                add(passed, "passed", f"passed by {address}")
    return {address: PathRole(roles[address], frozenset(kinds[address]), tuple(uses[address])) for address in roles}


def _roles_matching(plan: Plan, patterns: Iterable[str]) -> list[Resource]:
    """The plan's roles a PassRole grant names (not "*": that is SG-IAM-003's)."""
    found: dict[str, Resource] = {}
    for pattern in patterns:
        if pattern == "*" or is_unresolved(pattern):
            continue
        if isinstance(pattern, Symbol):
            role = plan.get(pattern.address)
            if role is not None and role.type == "aws_iam_role":
                found[role.address] = role
            continue
        for role in plan.of_type("aws_iam_role"):
            arn = role.get("arn")
            name = role.get("name")
            path = role.get("path") if isinstance(role.get("path"), str) else "/"
            candidate = arn if isinstance(arn, str) and arn else (f"arn:*:iam::*:role{path}{name}" if isinstance(name, str) and name else None)
            if candidate and arn_overlaps(pattern, candidate):
                found[role.address] = role
    return list(found.values())


def trusted_by_path_service(view: RoleView) -> bool:
    return bool(view.trust_services() & set(PATH_SERVICES))


# --- resource policies ------------------------------------------------------------------------------


class ResourcePolicy(NamedTuple):
    resource: Resource
    label: str  # "API resource policy", "Lambda permission", "log resource policy", "key policy"
    document: PolicyDocument


def resource_policies(plan: Plan) -> list[ResourcePolicy]:
    """Every resource policy of the stack that stepgate checks like a trust policy (computed once per plan)."""
    return plan.derived("resource-policies", lambda: _build_resource_policies(plan))


def _configured(resource: Resource, attribute: str) -> bool:
    """Set by the configuration: a known value, or an expression (a computed default is not a policy of the stack)."""
    value = resource.get(attribute)
    return (isinstance(value, str) and bool(value)) or attribute in resource.expressions or bool(resource.references.get(attribute))


def _build_resource_policies(plan: Plan) -> list[ResourcePolicy]:
    found = []
    for resource in plan.of_type("aws_api_gateway_rest_api_policy"):
        found.append(ResourcePolicy(resource, "API resource policy", policy_document(plan, resource, "policy")))
    for resource in plan.of_type("aws_api_gateway_rest_api"):
        if _configured(resource, "policy"):
            found.append(ResourcePolicy(resource, "API resource policy", policy_document(plan, resource, "policy")))
    for resource in plan.of_type("aws_cloudwatch_log_resource_policy"):
        found.append(ResourcePolicy(resource, "log resource policy", policy_document(plan, resource, "policy_document")))
    for resource in plan.of_type("aws_kms_key"):
        if _configured(resource, "policy"):
            found.append(ResourcePolicy(resource, "key policy", policy_document(plan, resource, "policy")))
    for resource in plan.of_type("aws_lambda_permission"):
        found.append(ResourcePolicy(resource, "Lambda permission", _lambda_permission(plan, resource)))
    return found


def _scalar(plan: Plan, resource: Resource, attribute: str) -> str | None:
    """A string attribute: its value, a symbol for an unknown one built from another resource, None when unset."""
    value = resource.get(attribute)
    if isinstance(value, str) and value:
        return value
    if not resource.is_unknown(attribute):
        return None
    resolved = policy_elements(plan, resource, Slot(None, True, resource.expressions.get(attribute), False), f"{resource.address}.{attribute}")
    return resolved[0] if resolved else Unresolved(f"{resource.address}.{attribute} is only known after apply")


def _lambda_permission(plan: Plan, resource: Resource) -> PolicyDocument:
    """An aws_lambda_permission as the statement Lambda adds to the function's resource policy."""
    principal = _scalar(plan, resource, "principal") or ""
    kind = "Service" if principal.endswith(".amazonaws.com") or principal.endswith(".amazonaws.com.cn") else "AWS"
    conditions = []
    for attribute, test, key in (("source_arn", "ArnLike", "aws:SourceArn"), ("source_account", "StringEquals", "aws:SourceAccount"),
                                 ("principal_org_id", "StringEquals", "aws:PrincipalOrgID"), ("event_source_token", "StringEquals", "lambda:EventSourceToken")):
        value = _scalar(plan, resource, attribute)
        if value:
            conditions.append(Condition(test, key, (value,)))
    statement = Statement(effect="Allow", actions=(str(resource.get("action") or "lambda:InvokeFunction"),), resources=("*",),
                          principals={kind: (principal,)} if principal else {}, conditions=tuple(conditions), number=1)
    return PolicyDocument((statement,), resource.address, carrier=resource.address)


def plan_accounts(plan: Plan) -> set[str]:
    """The accounts this plan deploys to: the caller identity, the provider's allowed_account_ids and the
    accounts of the ARNs the plan knows for its own resources."""
    return plan.derived("accounts", lambda: _accounts(plan))


def _accounts(plan: Plan) -> set[str]:
    accounts: set[str] = set()
    for identity in plan.of_type("aws_caller_identity", mode="data"):
        value = identity.get("account_id")
        if isinstance(value, str) and ACCOUNT_ID.match(value):
            accounts.add(value)
    for provider in ((plan.configuration or {}).get("provider_config") or {}).values():
        allowed = (((provider or {}).get("expressions") or {}).get("allowed_account_ids") or {}).get("constant_value")
        accounts.update(a for a in allowed or [] if isinstance(a, str) and ACCOUNT_ID.match(a))
    for resource in plan:
        arn = resource.get("arn")
        account = arn_account(arn) if isinstance(arn, str) and arn.startswith("arn:") else None
        if account and resource.type != "aws_iam_policy" and resource.mode == "managed":
            accounts.add(account)
    return accounts


# --- every policy, for the rule that they can be read --------------------------------------------------


def every_policy(plan: Plan) -> Iterator[tuple[Resource, str, PolicyDocument]]:
    """Every policy document of the plan with the resource that carries it and what it is: trust policies,
    permission policies (inline, role policies, managed policies of the plan) and resource policies."""
    for view in role_views(plan).values():
        yield view.role, "trust policy", view.trust
    for resource, document in standalone_policy_documents(plan):
        yield resource, "inline policy" if resource.type == "aws_iam_role" else "policy", document
    for policy in resource_policies(plan):
        yield policy.resource, policy.label, policy.document
