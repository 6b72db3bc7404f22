"""IAM policy documents normalised into statements, and roles linked to everything that grants them rights.

Policies arrive as JSON strings (aws_iam_role_policy.policy, aws_iam_policy.policy,
aws_iam_role.assume_role_policy, inline_policy blocks) or, when the JSON is only known after apply, as the
`statement` blocks of the data.aws_iam_policy_document the configuration references. Values unknown at
plan time become UNKNOWN so rules neither flag nor clear what they cannot see.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from stepgate.plan import iamref
from stepgate.plan.model import Plan, Resource

UNKNOWN = "(known after apply)"

def expand_action(pattern: str) -> list[str]:
    """The actions a (possibly wildcard) action pattern grants, from the IAM reference; the pattern itself
    when it names none (an unknown service, a typo)."""
    if not is_wildcard_action(pattern):
        return [pattern]
    return iamref.expand(pattern) or [pattern]


def action_matches(pattern: str, action: str) -> bool:
    return iamref.action_matches(pattern, action)


def is_wildcard_action(action: str) -> bool:
    return "*" in action or "?" in action


def arn_overlaps(pattern: str, resource: str) -> bool:
    """Whether an ARN pattern from a policy and a (possibly partially known) resource ARN can match.

    Compared segment by segment (partition, service, region, account, resource) so that a requirement
    with an unknown account (`*`) still meets a grant on a literal ARN, and vice versa.
    """
    if pattern == "*" or resource == "*":
        return True
    if UNKNOWN in (pattern, resource):
        return True
    left, right = pattern.split(":", 5), resource.split(":", 5)
    if len(left) != len(right):
        return fnmatchcase(resource, pattern) or fnmatchcase(pattern, resource)
    return all(a == b or fnmatchcase(b, a) or fnmatchcase(a, b) for a, b in zip(left, right))


@dataclass(frozen=True)
class Condition:
    test: str
    variable: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    effect: str = "Allow"
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    principals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    not_principals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    conditions: tuple[Condition, ...] = ()
    sid: str = ""

    @property
    def allows(self) -> bool:
        return self.effect.lower() == "allow"

    def condition_keys(self) -> set[str]:
        return {c.variable.lower() for c in self.conditions}


@dataclass(frozen=True)
class PolicyDocument:
    statements: tuple[Statement, ...]
    origin: str  # address (and attribute) the document came from, for messages
    unknown: bool = False  # the whole document is only known after apply


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return (str(value),)


def _principals(value: Any) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if value == "*":
        return {"AWS": ("*",)}
    if isinstance(value, Mapping):
        return {str(k): _strings(v) for k, v in value.items()}
    return {}


def parse_policy_json(text: str, origin: str) -> PolicyDocument | None:
    """Statements of a JSON policy; None when the text is not a policy document at all."""
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return None
    if not isinstance(document, Mapping):
        return None
    raw = document.get("Statement", [])
    raw = [raw] if isinstance(raw, Mapping) else raw
    statements = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, Mapping):
            continue
        conditions = tuple(
            Condition(test=str(test), variable=str(variable), values=_strings(values))
            for test, block in (item.get("Condition") or {}).items()
            if isinstance(block, Mapping)
            for variable, values in block.items()
        )
        statements.append(
            Statement(
                effect=str(item.get("Effect", "Allow")),
                actions=_strings(item.get("Action")),
                not_actions=_strings(item.get("NotAction")),
                resources=_strings(item.get("Resource")),
                not_resources=_strings(item.get("NotResource")),
                principals=_principals(item.get("Principal")),
                not_principals=_principals(item.get("NotPrincipal")),
                conditions=conditions,
                sid=str(item.get("Sid", "")),
            )
        )
    return PolicyDocument(tuple(statements), origin)


def _marked(values: Any, markers: Any, key: str) -> tuple[str, ...]:
    """A list attribute of a policy-document block with UNKNOWN where after_unknown marks it."""
    marker = markers.get(key) if isinstance(markers, Mapping) else None
    known = list(_strings(values.get(key))) if isinstance(values, Mapping) else []
    if marker is True:
        return (UNKNOWN,)
    if isinstance(marker, list) and any(m is True for m in marker):
        return tuple(known) + (UNKNOWN,)
    return tuple(known)


def _document_from_data(resource: Resource) -> PolicyDocument:
    """A data.aws_iam_policy_document: its JSON when known, else its statement blocks with unknown markers."""
    text = resource.get("json")
    if isinstance(text, str) and text:
        parsed = parse_policy_json(text, resource.address)
        if parsed is not None:
            return parsed
    blocks = resource.get("statement") or []
    unknown_statements = resource.unknown.get("statement")
    markers: list[Any] = unknown_statements if isinstance(unknown_statements, list) else []
    statements = []
    for position, block in enumerate(blocks):
        mark = markers[position] if position < len(markers) and isinstance(markers[position], Mapping) else {}
        principals = {p.get("type", ""): tuple(p.get("identifiers") or ()) for p in block.get("principals") or []}
        not_principals = {p.get("type", ""): tuple(p.get("identifiers") or ()) for p in block.get("not_principals") or []}
        if mark.get("principals"):
            principals = {kind: ids or (UNKNOWN,) for kind, ids in principals.items()} or {"AWS": (UNKNOWN,)}
        conditions = tuple(
            Condition(str(c.get("test", "")), str(c.get("variable", "")), tuple(c.get("values") or ()) or (UNKNOWN,))
            for c in block.get("condition") or []
        )
        statements.append(
            Statement(
                effect=str(block.get("effect") or "Allow"),
                actions=_marked(block, mark, "actions"),
                not_actions=_marked(block, mark, "not_actions"),
                resources=_marked(block, mark, "resources"),
                not_resources=_marked(block, mark, "not_resources"),
                principals=principals,
                not_principals=not_principals,
                conditions=conditions,
                sid=str(block.get("sid") or ""),
            )
        )
    return PolicyDocument(tuple(statements), resource.address, unknown=not blocks)


def policy_document(plan: Plan, resource: Resource, attribute: str, depth: int = 0) -> PolicyDocument:
    """The policy in `attribute` of `resource`, following configuration references when it is unknown."""
    origin = f"{resource.address}.{attribute}"
    value = resource.get(attribute)
    if isinstance(value, str) and value:
        return parse_policy_json(value, origin) or PolicyDocument((), origin, unknown=True)
    if depth < 4:
        for target in plan.resolve(resource, attribute):
            if target.type == "aws_iam_policy_document" and target.mode == "data":
                return _document_from_data(target)
            if target.type == "aws_iam_policy":
                return policy_document(plan, target, "policy", depth + 1)
    return PolicyDocument((), origin, unknown=True)


# --- roles -----------------------------------------------------------------------------------------


@dataclass
class RoleView:
    """A role with its trust policy and every permission policy attached to it in this plan."""

    role: Resource
    trust: PolicyDocument
    policies: list[PolicyDocument] = field(default_factory=list)
    managed_policy_arns: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        return self.role.address

    def allow_statements(self) -> Iterable[tuple[PolicyDocument, Statement]]:
        for document in self.policies:
            for statement in document.statements:
                if statement.allows:
                    yield document, statement


def _role_index(plan: Plan) -> dict[str, list[Resource]]:
    """Known name, id and ARN of every role -> the roles (names repeat across accounts only in theory)."""
    index: dict[str, list[Resource]] = {}
    for role in plan.of_type("aws_iam_role"):
        keys = [key for key in (role.get("name"), role.get("id"), role.get("arn")) if isinstance(key, str) and key]
        for key in dict.fromkeys(keys):
            index.setdefault(key, []).append(role)
    return index


def roles_for(plan: Plan, resource: Resource, attribute: str) -> list[Resource]:
    """The aws_iam_role(s) that `attribute` of `resource` names (name, id or ARN when known), else by reference."""
    index = plan.derived("role-index", lambda: _role_index(plan))
    value = resource.get(attribute)
    found: dict[str, Resource] = {}
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, str) or not item:
            continue
        name = item.split("/")[-1] if ":role/" in item else item
        for role in index.get(item, []) + index.get(name, []):
            found[role.address] = role
    if found:
        return list(found.values())
    return [r for r in plan.resolve(resource, attribute) if r.type == "aws_iam_role"]


def role_views(plan: Plan) -> dict[str, RoleView]:
    """Every role with its trust policy and attached permission policies (computed once per plan)."""
    return plan.derived("role-views", lambda: _build_role_views(plan))


def _build_role_views(plan: Plan) -> dict[str, RoleView]:
    views = {
        role.address: RoleView(role=role, trust=policy_document(plan, role, "assume_role_policy"))
        for role in plan.of_type("aws_iam_role")
    }
    for view in views.values():
        for block in view.role.get("inline_policy") or []:
            policy = block.get("policy") if isinstance(block, Mapping) else None
            if isinstance(policy, str) and policy:
                parsed = parse_policy_json(policy, f"{view.address}.inline_policy")
                if parsed:
                    view.policies.append(parsed)
        view.managed_policy_arns.extend(a for a in view.role.get("managed_policy_arns") or [] if isinstance(a, str))

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
    if not any(isinstance(a, str) and a for a in arns):
        for target in plan.resolve(attachment, "policy_arn"):
            if target.type == "aws_iam_policy":
                view.policies.append(policy_document(plan, target, "policy"))


def standalone_policy_documents(plan: Plan) -> list[tuple[Resource, PolicyDocument]]:
    """Every permission policy in the plan, attached or not, with the resource that carries it."""
    documents = []
    for resource in plan.of_type("aws_iam_role_policy", "aws_iam_policy", "aws_iam_user_policy", "aws_iam_group_policy"):
        documents.append((resource, policy_document(plan, resource, "policy")))
    for role in plan.of_type("aws_iam_role"):
        for block in role.get("inline_policy") or []:
            policy = block.get("policy") if isinstance(block, Mapping) else None
            if isinstance(policy, str) and policy:
                parsed = parse_policy_json(policy, f"{role.address}.inline_policy")
                if parsed:
                    documents.append((role, parsed))
    return documents
