"""IAM policy documents normalised into statements, and roles linked to everything that grants them rights.

Policies arrive as JSON strings (aws_iam_role_policy.policy, aws_iam_policy.policy,
aws_iam_role.assume_role_policy, inline_policy blocks, resource policies) or, when the JSON is only known
after apply, as the `statement` blocks of the data.aws_iam_policy_document the configuration references.

Values only known after apply are resolved symbolically where the configuration allows it: an unknown
element that the configuration builds from another resource's attribute (`aws_sqs_queue.q.arn`, a module
output or variable that leads to one) IS that resource, and becomes a `Symbol`: an ARN pattern built from
what the plan knows of the resource (its type and name), which remembers the reference it stands for.
What cannot be traced becomes `Unresolved` (equal to UNKNOWN) and says which value it is, so rules neither
flag nor clear what they cannot see, and say what they could not see.

Precision (what the plan's configuration section keeps, see stepgate.plan.model):
- data.aws_iam_policy_document: per statement block and per attribute (`resources`, `principals`
  identifiers, `condition` values), matched to the planned blocks by position or Sid. Several uses of the
  same reference in one attribute (`[f.arn, "${f.arn}:*"]`) are told apart only by their count: the first
  is the resource's ARN, the next ones its qualified/child form (`:*` or `/*`, whichever the statement's
  actions take); a reference inside a string template reads as the referenced ARN, adjusted to a child
  form when the actions do not take the bare ARN (`"${aws_s3_bucket.b.arn}/*"` for s3:GetObject).
- `dynamic` statement blocks keep no expressions in the plan: their unknown elements stay Unresolved.
- jsonencode()/templatefile() policies are one unknown string whose statements the plan does not have:
  the whole document is unknown (its `why` names what it is built from).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Any

from stepgate.plan import iamref
from stepgate.plan.model import Plan, Resource, Target

UNKNOWN = "(known after apply)"
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
_AWS_MANAGED = re.compile(r"^arn:[^:]+:iam::aws:policy/")
_ACCOUNT = re.compile(r"^\d{12}$")


# --- actions ------------------------------------------------------------------------------------------


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


def is_aws_managed(policy_arn: str) -> bool:
    return bool(_AWS_MANAGED.match(policy_arn))


# --- values only known after apply --------------------------------------------------------------------


class Unresolved(str):
    """An element only known after apply that stepgate cannot trace; equal to UNKNOWN, says which value it is."""

    why: str

    def __new__(cls, why: str) -> Unresolved:
        value = super().__new__(cls, UNKNOWN)
        value.why = why
        return value


class Symbol(str):
    """An ARN (pattern) standing for the value of another resource's attribute, only known after apply.

    Its partition, region and account are `*` because the plan does not know them, not because the policy
    grants every one: arn_within() reads them as one unknown value. `reference` is the resource address and
    attribute it stands for; `derived` marks a form built from it (qualifiers `:*`, children `/*`, the
    executions of a state machine), which `shown` names for messages.
    """

    reference: str
    address: str
    derived: bool
    shown: str

    def __new__(cls, arn: str, reference: str, address: str, derived: bool = False, shown: str = "") -> Symbol:
        value = super().__new__(cls, arn)
        value.reference, value.address, value.derived, value.shown = reference, address, derived, shown or reference
        return value

    def derive(self, suffix: str) -> Symbol:
        return Symbol(str(self) + suffix, self.reference, self.address, True, f'"${{{self.reference}}}{suffix}"')

    def related(self) -> list[Symbol]:
        """Forms a policy commonly builds from this ARN: qualifiers and children, the executions of a state
        machine (`replace(arn, ":stateMachine:", ":execution:")`), the tasks of a cluster, every revision."""
        forms = [self.derive(":*"), self.derive("/*")]
        arn = str(self)
        if ":stateMachine:" in arn:
            forms.append(Symbol(arn.replace(":stateMachine:", ":execution:") + ":*", self.reference, self.address, True, f"executions of {self.reference}"))
        if ":cluster/" in arn and ":ecs:" in arn:
            forms.append(Symbol(arn.replace(":cluster/", ":task/") + "/*", self.reference, self.address, True, f"tasks of {self.reference}"))
        if ":task-definition/" in arn and ":" in arn.rsplit("/", 1)[-1]:
            forms.append(Symbol(arn.rsplit(":", 1)[0] + ":*", self.reference, self.address, True, f"every revision of {self.reference}"))
        return forms


def is_unresolved(value: str) -> bool:
    return value == UNKNOWN


def describe(value: str) -> str:
    """A value as messages show it: a symbol by the reference it stands for (`"${REF}:*"` for a derived form)."""
    if isinstance(value, Symbol):
        return value.shown
    if isinstance(value, Unresolved):
        return value.why
    return value


def _token(address: str) -> str:
    """A literal stand-in for a name only known after apply: no wildcard, unique to its resource."""
    return "{" + address.replace("[", "(").replace("]", ")").replace('"', "") + "}"


# resource type -> (service, ARN shape, resource part); shapes: regional arn:*:S:*:*:X, global arn:*:S::*:X, bare arn:*:S:::X
_ARN_FORMATS: dict[str, tuple[str, str, str]] = {
    "aws_sqs_queue": ("sqs", "regional", "{name}"),
    "aws_sns_topic": ("sns", "regional", "{name}"),
    "aws_lambda_function": ("lambda", "regional", "function:{function_name}"),
    "aws_lambda_alias": ("lambda", "regional", "function:{function_name}:{name}"),
    "aws_sfn_activity": ("states", "regional", "activity:{name}"),
    "aws_iam_role": ("iam", "global", "role{path}{name}"),
    "aws_iam_user": ("iam", "global", "user{path}{name}"),
    "aws_iam_policy": ("iam", "global", "policy{path}{name}"),
    "aws_dynamodb_table": ("dynamodb", "regional", "table/{name}"),
    "aws_kms_key": ("kms", "regional", "key/{key_id}"),
    "aws_kms_alias": ("kms", "regional", "{name}"),
    "aws_cloudwatch_log_group": ("logs", "regional", "log-group:{name}"),
    "aws_cloudwatch_event_bus": ("events", "regional", "event-bus/{name}"),
    "aws_cloudwatch_event_rule": ("events", "regional", "rule/{name}"),
    "aws_cloudwatch_event_connection": ("events", "regional", "connection/{name}/{~}"),
    "aws_cloudwatch_event_api_destination": ("events", "regional", "api-destination/{name}/{~}"),
    "aws_s3_bucket": ("s3", "bare", "{bucket}"),
    "aws_ecs_cluster": ("ecs", "regional", "cluster/{name}"),
    "aws_ecs_task_definition": ("ecs", "regional", "task-definition/{family}:{revision}"),
    "aws_batch_job_queue": ("batch", "regional", "job-queue/{name}"),
    "aws_batch_job_definition": ("batch", "regional", "job-definition/{name}:{revision}"),
    "aws_glue_job": ("glue", "regional", "job/{name}"),
    "aws_secretsmanager_secret": ("secretsmanager", "regional", "secret:{name}-??????"),
    "aws_ssm_parameter": ("ssm", "regional", "parameter{name}"),
    "aws_ecr_repository": ("ecr", "regional", "repository/{name}"),
    "aws_kinesis_stream": ("kinesis", "regional", "stream/{name}"),
    "aws_kinesis_firehose_delivery_stream": ("firehose", "regional", "deliverystream/{name}"),
    "aws_codebuild_project": ("codebuild", "regional", "project/{name}"),
    "aws_athena_workgroup": ("athena", "regional", "workgroup/{name}"),
    "aws_eks_cluster": ("eks", "regional", "cluster/{name}"),
    "aws_api_gateway_rest_api": ("apigateway", "regional-no-account", "/restapis/{id}"),
    "aws_apigatewayv2_api": ("apigateway", "regional-no-account", "/apis/{id}"),
}
# attributes that name something else than the resource's own ARN: (type, attribute) -> (service, shape, part)
_ATTRIBUTE_FORMATS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("aws_api_gateway_rest_api", "execution_arn"): ("execute-api", "regional", "{id}"),
    ("aws_apigatewayv2_api", "execution_arn"): ("execute-api", "regional", "{id}"),
    ("aws_dynamodb_table", "stream_arn"): ("dynamodb", "regional", "table/{name}/stream/{~}"),
    ("aws_ecs_task_definition", "arn_without_revision"): ("ecs", "regional", "task-definition/{family}"),
    ("aws_lambda_function", "qualified_arn"): ("lambda", "regional", "function:{function_name}:{version}"),
}
# attributes that are no IAM resource at all (a principal id, an invoke URI)
_NOT_ARNS = {"unique_id", "invoke_arn", "qualified_invoke_arn", "tags", "tags_all", "create_date"}


def symbol_of(target: Target) -> Symbol | Unresolved:
    """The ARN (pattern) a reference to `target` stands for."""
    resource, attribute = target.resource, target.attribute
    if resource.type in ("aws_sfn_state_machine", "aws_sfn_alias"):
        from stepgate.plan.api import machine_arn  # the route model builds the same pattern

        arn = machine_arn(resource)
        return Symbol(arn, target.reference, resource.address) if arn != "*" else Unresolved(f"{target.reference} (its name is only known after apply)")
    if attribute in _NOT_ARNS:
        return Unresolved(f"{target.reference} (not an ARN)")
    spec = _ATTRIBUTE_FORMATS.get((resource.type, attribute)) or _ARN_FORMATS.get(resource.type)
    if spec is None:
        return Unresolved(f"{target.reference} (stepgate cannot build the ARN of a {resource.type})")
    service, shape, part = spec
    filled = _fill(part, resource)
    prefix = {"regional": f"arn:*:{service}:*:*:", "global": f"arn:*:{service}::*:", "bare": f"arn:*:{service}:::",
              "regional-no-account": f"arn:*:{service}:*::"}[shape]
    return Symbol(prefix + filled, target.reference, resource.address)


def _fill(part: str, resource: Resource) -> str:
    def value(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "~":
            return _token(resource.address)
        known = resource.values.get(key)
        if key == "path":
            return known if isinstance(known, str) and known else "/"
        if key == "function_name" and isinstance(known, str) and ":function:" in known:
            return known.split(":function:", 1)[1]
        if key == "name" and resource.type == "aws_ssm_parameter" and isinstance(known, str) and not known.startswith("/"):
            return "/" + known
        if key == "name" and resource.type == "aws_cloudwatch_event_rule" and isinstance(known, str):
            bus = resource.values.get("event_bus_name")
            return f"{bus}/{known}" if isinstance(bus, str) and bus and bus != "default" and not bus.startswith("arn:") else known
        return str(known) if isinstance(known, (str, int)) and str(known) and not resource.is_unknown(key) else _token(f"{resource.address}.{key}")

    return re.sub(r"\{([a-z_~]+)\}", value, part)


# --- ARN containment ------------------------------------------------------------------------------------

_STAR, _ONE = "\x00*", "\x00?"
_POLICY_VARIABLE = re.compile(r"\$\{[^}]*\}")


def _glob_tokens(pattern: str) -> tuple[str, ...]:
    tokens: list[str] = []
    for piece in re.split(r"(\$\{[^}]*\})", pattern):
        if _POLICY_VARIABLE.fullmatch(piece):
            tokens.append(_STAR)
        else:
            tokens += [_STAR if c == "*" else _ONE if c == "?" else c for c in piece]
    return tuple(tokens)


@lru_cache(maxsize=65536)
def glob_within(inner: str, outer: str) -> bool:
    """Whether every string the IAM pattern `inner` matches is matched by `outer` (`*`, `?`, `${...}`)."""
    a, b = _glob_tokens(inner), _glob_tokens(outer)

    @lru_cache(maxsize=None)
    def go(i: int, j: int) -> bool:
        if j == len(b):
            return i == len(a)
        if b[j] == _STAR:
            return go(i, j + 1) or (i < len(a) and go(i + 1, j))
        if i == len(a):
            return False
        if b[j] == _ONE:
            return a[i] != _STAR and go(i + 1, j + 1)
        return a[i] == b[j] and go(i + 1, j + 1)

    return go(0, 0)


def _split_arn(value: str) -> list[str] | None:
    if not value.startswith("arn:"):
        return None
    parts = value.split(":", 5)
    return parts if len(parts) == 6 else None


def arn_within(inner: str, outer: str, *, inner_need: bool = False, outer_need: bool = False) -> bool:
    """Whether everything `inner` may stand for is something `outer` names.

    In a need (a requirement derived from a definition or a route) and in a Symbol, a `*` region or account
    is one value the plan does not know, not every value: it is within a literal region/account (assumed the
    same), and a literal one is within it. In a grant it is every region or account. The partition is never
    what makes a grant broad. The resource part is compared as IAM patterns.
    """
    if outer == "*":
        return True
    if inner == "*" or is_unresolved(inner) or is_unresolved(outer):
        return False
    a, b = _split_arn(inner), _split_arn(outer)
    if a is None or b is None:
        return glob_within(inner, outer)
    inner_unknown = inner_need or isinstance(inner, Symbol)
    outer_unknown = outer_need or isinstance(outer, Symbol)
    for position in (2, 3, 4):
        x, y = a[position], b[position]
        if x == y or (position != 2 and x == "*" and inner_unknown):
            continue
        if position != 2 and y == "*" and outer_unknown and not ("*" in x or "?" in x):
            continue
        if not glob_within(x, y):
            return False
    return glob_within(a[5], b[5])


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


def arn_account(value: str) -> str | None:
    """The account an ARN or a bare account id names; None when it names none (a service, `*`, unknown)."""
    if _ACCOUNT.match(value):
        return value
    parts = _split_arn(value)
    if parts and _ACCOUNT.match(parts[4]):
        return parts[4]
    return None


# --- statements and documents -------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
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
            return any(not is_unresolved(p) and action_matches(p, action) for p in self.actions)
        return bool(self.not_actions) and not any(action_matches(p, action) for p in self.not_actions)

    @property
    def resource_patterns(self) -> tuple[str, ...]:
        """What the statement applies to; NotResource reads as "*" (everything but a few)."""
        return ("*",) if self.not_resources else self.resources

    def unresolved(self) -> list[str]:
        values = [*self.actions, *self.not_actions, *self.resources, *self.not_resources]
        return [v.why for v in values if isinstance(v, Unresolved)]


@dataclass(frozen=True)
class PolicyDocument:
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


def _statement_error(item: Any, number: int) -> str:
    """What makes one statement of a JSON policy unreadable, "" when nothing does."""
    if not isinstance(item, Mapping):
        return f"statement {number} is not a JSON object"
    label = f"statement {number}" + (f" (Sid {item['Sid']})" if isinstance(item.get("Sid"), str) and item.get("Sid") else "")
    effect = item.get("Effect")
    if not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
        return f"{label} has Effect {json.dumps(effect)}, not Allow or Deny" if effect is not None else f"{label} has no Effect"
    if "Action" not in item and "NotAction" not in item:
        return f"{label} has neither Action nor NotAction"
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        value = item.get(key)
        if key in item and not (isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))):
            return f"{label}: {key} is not a string or a list of strings"
    condition = item.get("Condition")
    if condition is not None and not (isinstance(condition, Mapping) and all(isinstance(block, Mapping) for block in condition.values())):
        return f"{label}: Condition is not an object of operator blocks"
    return ""


def read_policy(text: str, origin: str, carrier: str = "") -> PolicyDocument:
    """The statements of a JSON policy, or a document whose `error` says why it is none."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return PolicyDocument((), origin, unknown=True, error=f"not valid JSON ({error.msg} at line {error.lineno} column {error.colno})", carrier=carrier)
    if not isinstance(document, Mapping):
        return PolicyDocument((), origin, unknown=True, error=f"a JSON {type(document).__name__.replace('str', 'string').replace('dict', 'object')}, not a policy object", carrier=carrier)
    raw = document.get("Statement")
    if raw is None:
        return PolicyDocument((), origin, unknown=True, error="no Statement", carrier=carrier)
    if not isinstance(raw, (Mapping, list)):
        return PolicyDocument((), origin, unknown=True, error="Statement is neither an object nor a list", carrier=carrier)
    items = [raw] if isinstance(raw, Mapping) else raw
    errors = [e for number, item in enumerate(items, 1) if (e := _statement_error(item, number))]
    if errors:
        return PolicyDocument((), origin, unknown=True, error="; ".join(errors), carrier=carrier)
    parsed = parse_policy_json(text, origin)
    statements = parsed.statements if parsed else ()
    return PolicyDocument(statements, origin, carrier=carrier)


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
    for number, item in enumerate(raw if isinstance(raw, list) else [], 1):
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
                number=number,
            )
        )
    return PolicyDocument(tuple(statements), origin)


# --- data.aws_iam_policy_document: statement blocks with per-element resolution ---------------------------


@dataclass(frozen=True)
class _Slot:
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


def _elements(plan: Plan, owner: Resource, slot: _Slot, what: str, accept: Callable[[str], bool] | None = None,
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
        parts = _split_arn(arn)
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

        def slot(key: str, values: Any, marker: Any, expr: Any) -> _Slot:
            sub = (expr if pooled else expr.get(key)) if isinstance(expr, Mapping) else None
            return _Slot(values, marker, sub, pooled or expr is None)

        actions = _elements(plan, resource, slot("actions", block.get("actions"), _marker(mark, "actions"), expression), f"{label} actions")
        not_actions = _elements(plan, resource, slot("not_actions", block.get("not_actions"), _marker(mark, "not_actions"), expression), f"{label} not_actions")
        accept = _accepting(actions)
        resources = _elements(plan, resource, slot("resources", block.get("resources"), _marker(mark, "resources"), expression),
                              f"{label} resources", accept, lambda s: accept is None or accept(s) or any(accept(f) for f in s.related()))
        not_resources = _elements(plan, resource, slot("not_resources", block.get("not_resources"), _marker(mark, "not_resources"), expression),
                                  f"{label} not_resources", accept)
        principals = _principal_blocks(plan, resource, block, mark, expression, pooled, "principals", label)
        not_principals = _principal_blocks(plan, resource, block, mark, expression, pooled, "not_principals", label)
        conditions = []
        for number, condition in enumerate(c for c in block.get("condition") or [] if isinstance(c, Mapping)):
            condition_mark = _nested_marker(mark, "condition", number)
            expr = expression if pooled else _nested(expression, "condition", condition, ("test", "variable"))
            values = _elements(plan, resource, _Slot(condition.get("values"), _marker(condition_mark, "values"),
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
        identifiers = _elements(plan, resource, _Slot(principal.get("identifiers"), _marker(_nested_marker(mark, key, number), "identifiers"), sub, pooled or expr is None),
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


def policy_document(plan: Plan, resource: Resource, attribute: str, depth: int = 0) -> PolicyDocument:
    """The policy in `attribute` of `resource`, following configuration references when it is unknown."""
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
                document = policy_document(plan, target, "policy", depth + 1)
                return PolicyDocument(document.statements, document.origin, document.unknown, document.why, document.error, resource.address)
    why = f"{origin} is only known after apply{plan.describe_unknown(resource, attribute)}"
    return PolicyDocument((), origin, unknown=True, why=why, carrier=resource.address)


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


def _inline_documents(role: Resource) -> list[PolicyDocument]:
    documents = []
    for block in role.get("inline_policy") or []:
        policy = block.get("policy") if isinstance(block, Mapping) else None
        if isinstance(policy, str) and policy:
            documents.append(read_policy(policy, f"{role.address}.inline_policy", carrier=role.address))
    return documents


def _build_role_views(plan: Plan) -> dict[str, RoleView]:
    views = {
        role.address: RoleView(role=role, trust=policy_document(plan, role, "assume_role_policy"))
        for role in plan.of_type("aws_iam_role")
    }
    for view in views.values():
        view.policies.extend(_inline_documents(view.role))
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
        documents += [(role, document) for document in _inline_documents(role)]
    return documents


def carriers(plan: Plan) -> dict[str, set[str]]:
    """Address of what carries a permission policy -> the roles it grants (role policies, attached policies)."""
    found: dict[str, set[str]] = {}
    for view in role_views(plan).values():
        for document in view.policies:
            found.setdefault(document.carrier, set()).add(view.address)
    return found


# --- grants against needs --------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """What a workflow or a route needs: an action on a resource ARN (pattern, `*`: decided at run time),
    with the conditions a least-privilege grant carries (the call works without them)."""

    action: str
    resource: str
    conditions: tuple[Condition, ...] = ()
    why: str = ""  # the state, route or feature that needs it


@dataclass(frozen=True)
class Excess:
    """A grant no need accounts for."""

    statement: Statement
    pattern: str  # the action as the statement writes it
    action: str  # the action granted ("" for a NotAction statement)
    resource: str  # the resource as granted
    kind: str  # "notaction", "action" (no need has the action), "resource" (none on this resource), "condition"
    missing: tuple[Condition, ...] = ()  # for "condition": what the needs carry that the grant lacks

    @property
    def where(self) -> str:
        if self.statement.not_resources and self.resource == "*":
            return "every resource but " + ", ".join(describe(r) for r in self.statement.not_resources)
        return describe(self.resource)

    @property
    def text(self) -> str:
        where = self.where
        if self.kind == "notaction":
            return f"NotAction {', '.join(self.statement.not_actions)} (grants almost everything)"
        if self.kind == "condition":
            keys = ", ".join(f"{c.variable} = {', '.join(describe(v) for v in c.values)}" for c in self.missing)
            return f"{self.action} on {where} without the condition {keys}"
        return f"{self.action} on {where}"


@dataclass
class Comparison:
    excess: list[Excess] = field(default_factory=list)
    missing: list[Need] = field(default_factory=list)
    unresolved_grants: list[str] = field(default_factory=list)  # grants stepgate cannot judge, and why
    unresolved_needs: list[str] = field(default_factory=list)  # needs stepgate cannot tell granted or not


def _qualified(resource: str) -> str | None:
    """A Lambda function's or a state machine's versions and aliases: `function:NAME:*`, `stateMachine:NAME:*`."""
    parts = _split_arn(resource)
    if parts is None:
        return None
    kind, _, rest = parts[5].partition(":")
    if kind in ("function", "stateMachine") and rest and ":" not in rest:
        return resource + ":*"
    return None


def _within_need(granted: str, need: Need) -> bool:
    if need.resource == "*" or is_unresolved(need.resource):
        return True
    qualified = _qualified(need.resource)
    return arn_within(granted, need.resource, outer_need=True) or (qualified is not None and arn_within(granted, qualified, outer_need=True))


def _carries(statement: Statement, condition: Condition) -> bool:
    """The grant is limited by the condition: same key, not negated, values within the need's."""
    return any(
        c.variable.lower() == condition.variable.lower() and not c.negated and c.values
        and all(is_unresolved(v) or any(is_unresolved(n) or glob_within(v, n) for n in condition.values) for v in c.values)
        for c in statement.conditions
    )


def _compatible(statement: Statement, need: Need) -> bool:
    """The grant's conditions let the need's call through (keys the need does not set are assumed met)."""
    for condition in statement.conditions:
        for wanted in (c for c in need.conditions if c.variable.lower() == condition.variable.lower()):
            if any(is_unresolved(v) for v in (*condition.values, *wanted.values)):
                continue
            if condition.negated:
                if any(arn_overlaps(v, w) for v in condition.values for w in wanted.values):
                    return False
            elif not all(any(glob_within(w, v) for v in condition.values) for w in wanted.values):
                return False
    return True


def _denies(deny: Statement, action: str, resource: str, need: bool) -> bool:
    """An unconditional Deny that covers the action on all of `resource`."""
    if deny.allows or deny.conditions or not deny.grants(action):
        return False
    if deny.not_resources:
        return resource != "*" and not any(arn_overlaps(excluded, resource) for excluded in deny.not_resources)
    return any(r == "*" or (resource != "*" and arn_within(resource, r, inner_need=need)) for r in deny.resources)


def _effective(resources: tuple[str, ...], action: str, denies: list[Statement]) -> list[str]:
    """What a grant leaves allowed under unconditional `Deny ... NotResource [X]` guards: only the X that
    overlap it (each X read as within the grant)."""
    guards = [d for d in denies if d.not_resources and not d.conditions and d.grants(action)]
    if not guards:
        return list(resources)
    kept: list[str] = []
    for resource in resources:
        allowed = [x for guard in guards for x in guard.not_resources if not is_unresolved(x) and arn_overlaps(x, resource)]
        kept += [resource if arn_within(resource, x) else x for x in allowed]
    return list(dict.fromkeys(kept))


def compare(statements: Iterable[Statement], needs: list[Need], skip_condition_keys: tuple[str, ...] = (),
            required: list[Need] | None = None) -> Comparison:
    """What the statements grant beyond the needs (each grant must lie within a need, carry its conditions
    and not be denied anyway) and which of the `required` needs (default: all) they do not grant or deny."""
    listed = list(statements)
    allows = [s for s in listed if s.allows]
    denies = [s for s in listed if not s.allows]
    result = Comparison()
    skip = {key.lower() for key in skip_condition_keys}
    for statement in allows:
        result.unresolved_grants += statement.unresolved()
        if statement.not_actions:
            result.excess.append(Excess(statement, "", "", "", "notaction"))
            continue
        for pattern in statement.actions:
            if is_unresolved(pattern):
                continue
            for action in expand_action(pattern):
                candidates = [n for n in needs if n.action.lower() == action.lower()]
                for resource in _effective(statement.resource_patterns, action, denies):
                    if is_unresolved(resource) or any(_denies(d, action, resource, need=False) for d in denies):
                        continue
                    if not candidates:
                        result.excess.append(Excess(statement, pattern, action, resource, "action"))
                        continue
                    justifying = [n for n in candidates if _within_need(resource, n)]
                    if not justifying:
                        result.excess.append(Excess(statement, pattern, action, resource, "resource"))
                        continue
                    if all(is_unresolved(n.resource) for n in justifying):
                        result.unresolved_grants += [f"whether {action} on {describe(resource)} is what {n.why or 'the workflow'} needs "
                                                     f"({describe(n.resource)})" for n in justifying]
                    unmet = [tuple(c for c in n.conditions if c.variable.lower() not in skip and not _carries(statement, c)) for n in justifying]
                    if all(unmet):
                        result.excess.append(Excess(statement, pattern, action, resource, "condition", unmet[0]))
    for need in needs if required is None else required:
        coverage, why = _coverage(allows, denies, need)
        if coverage == "no":
            result.missing.append(need)
        elif coverage == "maybe":
            result.unresolved_needs.append(f"whether {need.action} on {describe(need.resource)} is granted ({why})")
    result.unresolved_grants = list(dict.fromkeys(result.unresolved_grants))
    result.unresolved_needs = list(dict.fromkeys(result.unresolved_needs))
    return result


def _coverage(allows: list[Statement], denies: list[Statement], need: Need) -> tuple[str, str]:
    """("yes" | "no" | "maybe", what leaves it open for "maybe")."""
    if is_unresolved(need.resource):
        return ("maybe", describe(need.resource)) if any(s.grants(need.action) for s in allows) else ("no", "")
    if any(_denies(d, need.action, need.resource, need=True) for d in denies):
        return "no", ""
    open_: list[str] = []
    for statement in allows:
        if not statement.grants(need.action) or not _compatible(statement, need):
            continue
        if statement.not_resources:
            if need.resource == "*" or not any(arn_within(need.resource, r, inner_need=True) for r in statement.not_resources):
                return "yes", ""
            continue
        for resource in statement.resources:
            if is_unresolved(resource):
                open_.append(describe(resource))
            elif need.resource == "*" or resource == "*" or arn_within(need.resource, resource, inner_need=True):
                return "yes", ""
    return ("maybe", "; ".join(dict.fromkeys(open_))) if open_ else ("no", "")


# --- the API -> Step Functions path -------------------------------------------------------------------


@dataclass(frozen=True)
class PathRole:
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


@dataclass(frozen=True)
class ResourcePolicy:
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
    resolved = _elements(plan, resource, _Slot(None, True, resource.expressions.get(attribute), False), f"{resource.address}.{attribute}")
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
        if isinstance(value, str) and _ACCOUNT.match(value):
            accounts.add(value)
    for provider in ((plan.configuration or {}).get("provider_config") or {}).values():
        allowed = (((provider or {}).get("expressions") or {}).get("allowed_account_ids") or {}).get("constant_value")
        accounts.update(a for a in allowed or [] if isinstance(a, str) and _ACCOUNT.match(a))
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
