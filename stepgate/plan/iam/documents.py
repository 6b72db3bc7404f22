"""Policy documents as statements: JSON policies, and the blocks of data.aws_iam_policy_document resolved
per element where the configuration allows it."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

from stepgate.plan import iamref
from stepgate.plan.iam.arns import (
    Symbol,
    Unresolved,
    split_arn,
    describe,
    expand_action,
    is_unresolved,
    symbol_of,
)
from stepgate.plan.model import Plan, Resource


# --- statements and documents -------------------------------------------------------------------------


class Condition(NamedTuple):
    test: str
    variable: str
    values: tuple[str, ...]

    @property
    def negated(self) -> bool:
        return "not" in self.test.lower()


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
    number: int = 0  # 1-based position in its document, for messages

    @property
    def allows(self) -> bool:
        return self.effect.lower() == "allow"

    @property
    def label(self) -> str:
        return f"statement {self.sid}" if self.sid else f"statement {self.number}"

    def condition_keys(self) -> set[str]:
        return {c.variable.lower() for c in self.conditions}

    def grants(self, action: str) -> bool:
        """Whether the statement's Action/NotAction covers the (concrete) action."""
        if self.actions:
            return self._action_matcher(action)
        return bool(self.not_actions) and not self._not_action_matcher(action)

    # built on first use: rules ask one statement about every action a workflow needs
    @cached_property
    def _action_matcher(self) -> Callable[[str], bool]:
        return iamref.actions_matcher(p for p in self.actions if not is_unresolved(p))

    @cached_property
    def _not_action_matcher(self) -> Callable[[str], bool]:
        return iamref.actions_matcher(self.not_actions)

    @property
    def resource_patterns(self) -> tuple[str, ...]:
        """What the statement applies to; NotResource reads as "*" (everything but a few)."""
        return ("*",) if self.not_resources else self.resources

    def unresolved(self) -> list[str]:
        values = [*self.actions, *self.not_actions, *self.resources, *self.not_resources]
        return [v.why for v in values if isinstance(v, Unresolved)]


class PolicyDocument(NamedTuple):
    statements: tuple[Statement, ...]
    origin: str  # address (and attribute) the document came from, for messages
    unknown: bool = False  # the whole document is only known after apply, or does not parse
    why: str = ""  # for an unknown document: what it is and what it is built from
    error: str = ""  # the document is set but is no policy stepgate can read (SG-INP-001)
    carrier: str = ""  # address of the resource that carries it (a role policy, a role, a key)

    @property
    def unreadable_reason(self) -> str:
        """Why a rule cannot read this document ("" when it can)."""
        if self.error:
            return f"{self.origin} does not parse (SG-INP-001)"
        if self.unknown:
            return self.why or f"{self.origin} is only known after apply"
        return ""


def _strings(value: Any) -> tuple[str, ...]:
    # a Symbol or Unresolved (a str subclass standing for a value only known after apply) stays itself
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(v if isinstance(v, str) else str(v) for v in value)
    return (value if isinstance(value, str) else str(value),)


def _principals(value: Any) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if value == "*":
        return {"AWS": ("*",)}
    if isinstance(value, Mapping):
        return {str(k): _strings(v) for k, v in value.items()}
    return {}


def _statement_error(item: Any, number: int) -> str:
    """What makes one statement of a JSON policy unreadable, "" when nothing does."""
    if not isinstance(item, Mapping):
        return f"statement {number} is not a JSON object"
    problem = _statement_problem(item)
    if not problem:
        return ""
    sid = item.get("Sid")
    return f"statement {number}" + (f" (Sid {sid})" if isinstance(sid, str) and sid else "") + problem


def _statement_problem(item: Mapping[str, Any]) -> str:
    """`_statement_error` without the statement's label, which only an unreadable statement needs."""
    effect = item.get("Effect")
    if not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
        return f" has Effect {json.dumps(effect)}, not Allow or Deny" if effect is not None else " has no Effect"
    if "Action" not in item and "NotAction" not in item:
        return " has neither Action nor NotAction"
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        value = item.get(key)
        if key in item and not (isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))):
            return f": {key} is not a string or a list of strings"
    condition = item.get("Condition")
    if condition is not None and not (isinstance(condition, Mapping) and all(isinstance(block, Mapping) for block in condition.values())):
        return ": Condition is not an object of operator blocks"
    return ""


def read_policy(text: str, origin: str, carrier: str = "") -> PolicyDocument:
    """The statements of a JSON policy, or a document whose `error` says why it is none."""
    statements, error = _read_text(text)
    return _document(statements, error, origin, carrier)


@lru_cache(maxsize=1024)
def _read_text(text: str) -> tuple[tuple[Statement, ...], str]:
    """(statements, "") of a JSON policy, or ((), why it is none). Read once per text: many roles of a
    plan carry the same trust policy."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return (), f"not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
    return _read_object(document)


def read_policy_object(document: Any, origin: str, carrier: str = "") -> PolicyDocument:
    """The statements of a policy already read as JSON data (from the plan, or evaluated from its HCL
    with symbols for the values only known after apply)."""
    statements, error = _read_object(document)
    return _document(statements, error, origin, carrier)


def _document(statements: tuple[Statement, ...], error: str, origin: str, carrier: str) -> PolicyDocument:
    if error:
        return PolicyDocument((), origin, unknown=True, error=error, carrier=carrier)
    return PolicyDocument(statements, origin, carrier=carrier)


def _read_object(document: Any) -> tuple[tuple[Statement, ...], str]:
    if not isinstance(document, Mapping):
        return (), f"a JSON {type(document).__name__.replace('str', 'string').replace('dict', 'object')}, not a policy object"
    raw = document.get("Statement")
    if raw is None:
        return (), "no Statement"
    if not isinstance(raw, (Mapping, list)):
        return (), "Statement is neither an object nor a list"
    items = [raw] if isinstance(raw, Mapping) else raw
    errors = [e for number, item in enumerate(items, 1) if (e := _statement_error(item, number))]
    if errors:
        return (), "; ".join(errors)
    return tuple(_statement(item, number) for number, item in enumerate(items, 1)), ""


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
    statements = [_statement(item, number) for number, item in enumerate(raw if isinstance(raw, list) else [], 1) if isinstance(item, Mapping)]
    return PolicyDocument(tuple(statements), origin)


def _statement(item: Mapping[str, Any], number: int) -> Statement:
    condition = item.get("Condition")
    conditions = tuple(
        Condition(str(test), str(variable), _strings(values))
        for test, block in condition.items()
        if isinstance(block, Mapping)
        for variable, values in block.items()
    ) if condition else ()
    return Statement(
        effect=str(item.get("Effect", "Allow")),
        actions=_strings(item.get("Action")),
        not_actions=_strings(item.get("NotAction")),
        resources=_strings(item.get("Resource")),
        not_resources=_strings(item.get("NotResource")),
        principals=_principals(item.get("Principal")),
        not_principals=_principals(item.get("NotPrincipal")),
        conditions=conditions,
        sid=str(item.get("Sid", "")),
        number=number,
    )


# --- data.aws_iam_policy_document: statement blocks with per-element resolution ---------------------------


class Slot(NamedTuple):
    """One list attribute of a statement block: its planned values, unknown markers and expression."""

    values: Any
    marker: Any
    expression: Any  # the attribute's expression object, or None
    pooled: bool  # the expression is shared by every block (no per-block expressions): filter what fits


def _unknown_count(values: Any, marker: Any) -> tuple[list[str], int | None]:
    """(known elements, number of unknown ones; None when the list as a whole is unknown)."""
    if marker is True:
        return [], None
    listed = list(values) if isinstance(values, (list, tuple)) else ([values] if isinstance(values, str) else [])
    if isinstance(marker, list):
        unknown = sum(1 for m in marker if m is True)
        known = [str(v) for position, v in enumerate(listed) if v is not None and not (position < len(marker) and marker[position] is True)]
        return known, unknown
    known = [str(v) for v in listed if v is not None]
    return known, sum(1 for v in listed if v is None)


def _fit(symbol: Symbol, accept: Callable[[str], bool] | None, derived: bool) -> Symbol | None:
    """The form of a symbol the statement's actions take: the ARN, or a form built from it (a second use of
    the same reference, or a string template or function around it such as `${bucket.arn}/*`)."""
    forms = symbol.related()
    if accept is None:
        if not derived:
            return symbol
        return forms[0] if any(k in symbol for k in (":function:", ":stateMachine:", ":log-group:")) else forms[1]
    if not derived and accept(symbol):
        return symbol
    return next((form for form in forms if accept(form)), None)


def policy_elements(plan: Plan, owner: Resource, slot: Slot, what: str, accept: Callable[[str], bool] | None = None,
              fits: Callable[[Symbol], bool] | None = None) -> tuple[str, ...]:
    known, unknown = _unknown_count(slot.values, slot.marker)
    if unknown == 0:
        return tuple(known)
    if slot.expression is None:
        reason = "built in a dynamic block, whose references the plan does not keep" if slot.pooled else "the plan names no reference for it"
        return tuple(known) + (Unresolved(f"{what} is only known after apply ({reason})"),)
    symbols: list[Symbol] = []
    unresolved: list[str] = []
    uses: dict[str, int] = {}
    for occurrence in plan.occurrences(owner, slot.expression):
        if occurrence.unresolved:
            unresolved.append(occurrence.unresolved)
            continue
        for target in occurrence.targets:
            resolved = symbol_of(target)
            derived = uses.get(target.reference, 0) > 0
            uses[target.reference] = uses.get(target.reference, 0) + 1
            if isinstance(resolved, Unresolved):
                unresolved.append(resolved.why)
                continue
            if slot.pooled and fits is not None and not fits(resolved):
                continue
            form = _fit(resolved, accept, derived)
            if form is None and slot.pooled:
                continue
            symbols.append(form or resolved)
    symbols = list(dict.fromkeys(symbols)) if slot.pooled else symbols
    if unknown is not None and len(symbols) > unknown and not unresolved:
        names = ", ".join(dict.fromkeys(describe(s) for s in symbols))
        return tuple(known) + (Unresolved(f"{what}: {unknown} value(s) built from {names}, which stepgate cannot tell apart"),)
    if unresolved:
        return tuple(known) + tuple(symbols) + (Unresolved(f"{what} is only known after apply (built from {', '.join(dict.fromkeys(unresolved))})"),)
    if unknown is not None and len(symbols) < unknown:
        return tuple(known) + tuple(symbols) + (Unresolved(f"{what}: {unknown - len(symbols)} value(s) only known after apply that stepgate cannot trace"),)
    if not symbols:
        return tuple(known) + (Unresolved(f"{what} is only known after apply"),)
    return tuple(known) + tuple(symbols)


def _nested(expression: Any, key: str, block: Mapping[str, Any], match: tuple[str, ...]) -> Any:
    """The expression of the nested block (`condition`, `principals`) that planned `block` came from: the one
    whose constant `match` attributes equal the block's. These blocks are sets: the plan orders them by value,
    the configuration in source order, so position says nothing. None when no single block fits."""
    blocks = expression.get(key) if isinstance(expression, Mapping) else None
    if not isinstance(blocks, list):
        return None

    def constant(item: Mapping[str, Any], name: str) -> Any:
        value = item.get(name)
        return value.get("constant_value") if isinstance(value, Mapping) else None

    fitting = [item for item in blocks if isinstance(item, Mapping)
               and all(constant(item, name) in (None, block.get(name)) for name in match)]
    return fitting[0] if len(fitting) == 1 else None


def _marker(markers: Any, key: str) -> Any:
    return markers.get(key) if isinstance(markers, Mapping) else None


def _block_expressions(resource: Resource, blocks: list[Any]) -> tuple[list[Any], bool]:
    """Expression object per planned statement block (None: none kept), and whether it is one shared pool."""
    expression = resource.expressions.get("statement")
    if isinstance(expression, Mapping):  # references listed for the attribute as a whole
        return [expression] * len(blocks), True
    listed = [e for e in expression if isinstance(e, Mapping)] if isinstance(expression, list) else []
    if len(listed) == len(blocks):
        return list(listed), False
    by_sid = {}
    for item in listed:
        sid = item.get("sid", {}).get("constant_value") if isinstance(item.get("sid"), Mapping) else None
        if isinstance(sid, str) and sid:
            by_sid[sid] = item
    return [by_sid.get(str(b.get("sid") or "")) if isinstance(b, Mapping) else None for b in blocks], False


def _accepting(actions: tuple[str, ...]) -> Callable[[str], bool] | None:
    """Whether some action of the statement takes an ARN; None when the actions cannot be listed."""
    known = [iamref.action(name) for pattern in actions if not is_unresolved(pattern) for name in expand_action(pattern)]
    listed = [action for action in known if action is not None]
    if not listed:
        return None

    def accepts(arn: str) -> bool:
        # a pattern's `*` may span segments for IAM (iamref.accepts is IAM-exact); a symbol's unknown
        # partition, region and account are one segment each, so they are filled in before asking
        parts = split_arn(arn)
        if parts is None:
            return any(action.accepts(arn) for action in listed)
        filled = ":".join([parts[0], "aws" if parts[1] == "*" else parts[1], parts[2], "us-east-1" if parts[3] == "*" else parts[3],
                           "123456789012" if parts[4] == "*" else parts[4], parts[5]])
        return any(parts[2] == action.service and action.accepts(filled) for action in listed)

    return accepts


def _is_principal(symbol: Symbol) -> bool:
    return ":iam::" in symbol or ":sts::" in symbol


def _document_from_data(plan: Plan, resource: Resource) -> PolicyDocument:
    """A data.aws_iam_policy_document: its JSON when known, else its statement blocks with unknown elements
    resolved symbolically where the configuration allows it."""
    text = resource.get("json")
    if isinstance(text, str) and text:
        return read_policy(text, resource.address, carrier=resource.address)
    unknown_statements = resource.unknown.get("statement")
    if unknown_statements is True:
        return PolicyDocument((), resource.address, unknown=True, why=f"the statements of {resource.address} are only known after apply", carrier=resource.address)
    blocks = [b for b in resource.get("statement") or [] if isinstance(b, Mapping)]
    markers: list[Any] = unknown_statements if isinstance(unknown_statements, list) else []
    expressions, pooled = _block_expressions(resource, blocks)
    statements = []
    for position, block in enumerate(blocks):
        mark = markers[position] if position < len(markers) and isinstance(markers[position], Mapping) else {}
        expression = expressions[position]
        label = f"{resource.address} statement {block.get('sid') or position + 1}"

        def slot(key: str, values: Any, marker: Any, expr: Any) -> Slot:
            sub = (expr if pooled else expr.get(key)) if isinstance(expr, Mapping) else None
            return Slot(values, marker, sub, pooled or expr is None)

        actions = policy_elements(plan, resource, slot("actions", block.get("actions"), _marker(mark, "actions"), expression), f"{label} actions")
        not_actions = policy_elements(plan, resource, slot("not_actions", block.get("not_actions"), _marker(mark, "not_actions"), expression), f"{label} not_actions")
        accept = _accepting(actions)
        resources = policy_elements(plan, resource, slot("resources", block.get("resources"), _marker(mark, "resources"), expression),
                              f"{label} resources", accept, lambda s: accept is None or accept(s) or any(accept(f) for f in s.related()))
        not_resources = policy_elements(plan, resource, slot("not_resources", block.get("not_resources"), _marker(mark, "not_resources"), expression),
                                  f"{label} not_resources", accept)
        principals = _principal_blocks(plan, resource, block, mark, expression, pooled, "principals", label)
        not_principals = _principal_blocks(plan, resource, block, mark, expression, pooled, "not_principals", label)
        conditions = []
        for number, condition in enumerate(c for c in block.get("condition") or [] if isinstance(c, Mapping)):
            condition_mark = _nested_marker(mark, "condition", number)
            expr = expression if pooled else _nested(expression, "condition", condition, ("test", "variable"))
            values = policy_elements(plan, resource, Slot(condition.get("values"), _marker(condition_mark, "values"),
                                                     (expr if pooled else expr.get("values")) if isinstance(expr, Mapping) else None, pooled or expr is None),
                               f"{label} condition {condition.get('variable')}")
            conditions.append(Condition(str(condition.get("test", "")), str(condition.get("variable", "")), values or (Unresolved(f"{label} condition values"),)))
        statements.append(
            Statement(
                effect=str(block.get("effect") or "Allow"),
                actions=actions,
                not_actions=not_actions,
                resources=resources,
                not_resources=not_resources,
                principals=principals,
                not_principals=not_principals,
                conditions=tuple(conditions),
                sid=str(block.get("sid") or ""),
                number=position + 1,
            )
        )
    extra, why = _source_documents(plan, resource)
    if why:
        return PolicyDocument((), resource.address, unknown=True, why=why, carrier=resource.address)
    return PolicyDocument(tuple(extra) + tuple(statements), resource.address, unknown=not blocks and not extra,
                          why="" if blocks or extra else f"{resource.address} has no statements known at plan time", carrier=resource.address)


def _nested_marker(mark: Any, key: str, position: int) -> Any:
    items = _marker(mark, key)
    if items is True:
        return {"identifiers": True, "values": True}
    return items[position] if isinstance(items, list) and position < len(items) else {}


def _principal_blocks(plan: Plan, resource: Resource, block: Mapping[str, Any], mark: Any, expression: Any, pooled: bool,
                      key: str, label: str) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for number, principal in enumerate(p for p in block.get(key) or [] if isinstance(p, Mapping)):
        kind = str(principal.get("type", ""))
        expr = expression if pooled else _nested(expression, key, principal, ("type",))
        sub = (expr if pooled else expr.get("identifiers")) if isinstance(expr, Mapping) else None
        identifiers = policy_elements(plan, resource, Slot(principal.get("identifiers"), _marker(_nested_marker(mark, key, number), "identifiers"), sub, pooled or expr is None),
                                f"{label} {kind} principals", fits=_is_principal if kind == "AWS" else (lambda _s: False))
        found[kind] = found.get(kind, ()) + identifiers
    return found


def _source_documents(plan: Plan, resource: Resource) -> tuple[list[Statement], str]:
    """Statements of source_policy_documents/override_policy_documents (known JSON), or why they are unknown."""
    statements: list[Statement] = []
    for key in ("source_policy_documents", "override_policy_documents"):
        if resource.is_unknown(key) or (isinstance(resource.unknown.get(key), list) and any(resource.unknown.get(key) or [])):
            return [], f"{key} of {resource.address} is only known after apply{plan.describe_unknown(resource, key)}"
        for text in resource.get(key) or []:
            if isinstance(text, str) and text:
                statements += list(read_policy(text, f"{resource.address}.{key}").statements)
    return statements, ""


def policy_document(plan: Plan, resource: Resource, attribute: str) -> PolicyDocument:
    """The policy in `attribute` of `resource`, following configuration references when it is unknown (read
    once per plan: a role policy is both a policy of its role and a standalone policy)."""
    return plan.derived(f"policy {resource.address}.{attribute}", lambda: _policy_document(plan, resource, attribute, 0))


def _policy_document(plan: Plan, resource: Resource, attribute: str, depth: int) -> PolicyDocument:
    origin = f"{resource.address}.{attribute}"
    value = resource.get(attribute)
    if isinstance(value, str) and value:
        return read_policy(value, origin, carrier=resource.address)
    if value not in (None, "") and not isinstance(value, str):
        return PolicyDocument((), origin, unknown=True, error=f"a {type(value).__name__}, not a JSON policy string", carrier=resource.address)
    if depth < 4:
        for target in plan.resolve(resource, attribute):
            if target.type == "aws_iam_policy_document" and target.mode == "data":
                document = _document_from_data(plan, target)
                return PolicyDocument(document.statements, document.origin, document.unknown, document.why, document.error, resource.address)
            if target.type == "aws_iam_policy":
                document = _policy_document(plan, target, "policy", depth + 1)
                return PolicyDocument(document.statements, document.origin, document.unknown, document.why, document.error, resource.address)
    from stepgate.plan.sourced import evaluate_json  # it builds on this package's symbols

    evaluated = evaluate_json(plan, resource, attribute)
    if evaluated.value is not None:
        return read_policy_object(evaluated.value, origin, carrier=resource.address)
    why = f"{origin} is only known after apply{plan.describe_unknown(resource, attribute)}"
    if evaluated.problem:
        why += f"; {evaluated.problem}"
    return PolicyDocument((), origin, unknown=True, why=why, carrier=resource.address)


