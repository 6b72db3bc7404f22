"""IAM actions and ARNs: wildcard expansion from the reference, containment of one ARN pattern in another, and
values only known after apply turned into symbols of the resources they reference."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from functools import lru_cache

from stepgate.plan import iamref
from stepgate.plan.model import Resource, Target


UNKNOWN = "(known after apply)"

_AWS_MANAGED = re.compile(r"^arn:[^:]+:iam::aws:policy/")

ACCOUNT_ID = re.compile(r"^\d{12}$")

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


def name_token(address: str) -> str:
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
            return name_token(resource.address)
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
        return str(known) if isinstance(known, (str, int)) and str(known) and not resource.is_unknown(key) else name_token(f"{resource.address}.{key}")

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
    if inner == outer or outer == "*":
        return True
    if "*" not in outer and "?" not in outer and "${" not in outer:
        return False  # a literal matches one string, and `inner` is another one or a wildcard
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


def split_arn(value: str) -> list[str] | None:
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
    a, b = split_arn(inner), split_arn(outer)
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
    if ACCOUNT_ID.match(value):
        return value
    parts = split_arn(value)
    if parts and ACCOUNT_ID.match(parts[4]):
        return parts[4]
    return None


