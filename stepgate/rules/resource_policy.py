"""Resource policies of the stack, checked for principals and conditions as trust policies are.

REST API policies (aws_api_gateway_rest_api_policy, aws_api_gateway_rest_api.policy), Lambda permissions
(aws_lambda_permission: principal, source_arn, source_account), CloudWatch Logs resource policies and KMS
key policies decide who may call into the stack: every principal without a condition, a service principal
not scoped to the calling resource (confused deputy), and principals of other accounts are each one rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from stepgate.findings import Finding, Severity
from stepgate.plan.iam import (
    SOURCE_CONDITION_KEYS,
    ResourcePolicy,
    Statement,
    Symbol,
    arn_account,
    describe,
    is_unresolved,
    plan_accounts,
    resource_policies,
)
from stepgate.plan.model import Plan
from stepgate.rules.base import Rule, RuleConfig

DOCS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_identity-vs-resource.html"
# condition keys that limit who the caller is or where the call comes from
_CALLER_KEYS = ("aws:principal", "aws:source", "aws:userid", "aws:username", "aws:vpcsourceip", "kms:calleraccount",
                "kms:viaservice", "lambda:eventsourcetoken")


def _join(items: Iterable[str]) -> str:
    return ", ".join(dict.fromkeys(items))


def _actions(statement: Statement) -> str:
    return _join(statement.actions) or f"everything but {_join(statement.not_actions)}"


def _readable(rule: Rule, policy: ResourcePolicy) -> Finding | None:
    """A note when the policy cannot be read (unknown at plan time, or not parsing: SG-INP-001's)."""
    reason = policy.document.unreadable_reason
    return rule.unevaluated(policy.resource.address, f"the {policy.label}: {reason}") if reason else None


def _allows(policy: ResourcePolicy) -> list[Statement]:
    return [s for s in policy.document.statements if s.allows]


def _everyone(statement: Statement) -> bool:
    return bool(statement.not_principals) or any(i == "*" for identifiers in statement.principals.values() for i in identifiers)


def _open_to_everyone(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    for policy in resource_policies(plan):
        note = _readable(rule, policy)
        if note:
            yield note
            continue
        bad = [s for s in _allows(policy) if _everyone(s) and not any(k.startswith(_CALLER_KEYS) for k in s.condition_keys())]
        if bad:
            listed = "; ".join(f"{s.label} allows {_actions(s)}" for s in bad)
            yield rule.finding(policy.resource.address, f"the {policy.label} lets every principal (\"*\") in with no condition on the caller: {listed}; "
                               "name the principals that call (this account's roles) or add a condition such as aws:PrincipalAccount, "
                               "aws:PrincipalOrgID or aws:SourceVpce")


def _source_scoped(statement: Statement, label: str) -> bool:
    keys = statement.condition_keys()
    if any(k in SOURCE_CONDITION_KEYS for k in keys):
        return True
    # a key policy scopes a service to the resource whose data it encrypts by the encryption context
    return label == "key policy" and any(k.startswith("kms:encryptioncontext:aws:") for k in keys)


def _service_without_source(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    for policy in resource_policies(plan):
        note = _readable(rule, policy)
        if note:
            yield note
            continue
        bad = []
        for statement in _allows(policy):
            services = [s for s in statement.principals.get("Service", ()) if not is_unresolved(s)]
            if services and not _source_scoped(statement, policy.label):
                bad.append(f"{statement.label} lets {_join(services)} call {_actions(statement)}")
        if bad:
            fix = ("set source_arn to the calling resource's ARN (for API Gateway the API's execution ARN with /*) and source_account"
                   if policy.label == "Lambda permission" else
                   "add ArnLike aws:SourceArn naming the resource that calls, or StringEquals aws:SourceAccount"
                   + (" (or the service's encryption context, e.g. kms:EncryptionContext:aws:logs:arn)" if policy.label == "key policy" else ""))
            yield rule.finding(policy.resource.address, f"the {policy.label} does not scope service principals to a source resource or account "
                               f"(confused deputy): {'; '.join(bad)}; {fix}")


def _foreign(rule: Rule, plan: Plan, config: RuleConfig) -> Iterator[Finding]:
    own = plan_accounts(plan)
    for policy in resource_policies(plan):
        note = _readable(rule, policy)
        if note:
            yield note
            continue
        foreign: list[str] = []
        undecided: list[str] = []
        for statement in _allows(policy):
            for identifier in statement.principals.get("AWS", ()):
                if isinstance(identifier, Symbol) or identifier == "*":
                    continue  # a principal of this plan; "*" is SG-RES-001's
                if is_unresolved(identifier):
                    undecided.append(describe(identifier))
                    continue
                account = arn_account(identifier)
                if account and own and account not in own:
                    foreign.append(f"{identifier} ({statement.label})")
                elif account and not own:
                    undecided.append(f"whether account {account} ({identifier}) is this plan's (the plan names no account of its own: "
                                     "no data.aws_caller_identity, allowed_account_ids or known ARN)")
            for condition in statement.conditions:
                if condition.variable.lower() == "aws:sourceaccount" and not condition.negated and own:
                    foreign += [f"source account {v} ({statement.label})" for v in condition.values
                                if not is_unresolved(v) and arn_account(v) and v not in own]
        if foreign:
            yield rule.finding(policy.resource.address, f"the {policy.label} grants principals of another account than this stack's "
                               f"({_join(sorted(own))}): {_join(foreign)}; grant only this account's principals, or suppress with the reason "
                               "that account is trusted")
        elif undecided:
            yield rule.unevaluated(policy.resource.address, f"the {policy.label}: {_join(undecided)}")


RULES: tuple[Rule, ...] = (
    Rule("SG-RES-001", Severity.HIGH, "Resource policies let every principal in only under a condition",
         "A resource policy statement with Principal \"*\" (or NotPrincipal) and no condition on the caller opens the API, "
         "function, log group or key to every AWS account: for an AWS_IAM API any signed caller anywhere may start workflows.",
         "Name the principals (this account's roles), or keep \"*\" with a condition such as aws:PrincipalAccount, "
         "aws:PrincipalOrgID, aws:SourceVpce or aws:SourceArn.",
         DOCS, _open_to_everyone),
    Rule("SG-RES-002", Severity.MEDIUM, "Service principals in resource policies are scoped to a source",
         "A service principal (apigateway.amazonaws.com in a Lambda permission, events.amazonaws.com in a log resource "
         "policy, logs.REGION.amazonaws.com in a key policy) without aws:SourceArn or aws:SourceAccount lets that service act "
         "for any customer's resource (the confused deputy problem), as in a trust policy. In key policies the service's "
         "encryption context (kms:EncryptionContext:aws:logs:arn) scopes it too.",
         "Add ArnLike aws:SourceArn naming the calling resource (Lambda permissions: source_arn, source_account).",
         "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html", _service_without_source),
    Rule("SG-RES-003", Severity.HIGH, "Resource policies grant only this account's principals",
         "A principal of another account in a resource policy can call into the stack with whatever that account "
         "gives it, outside this account's IAM control; it is rarely intended for an API -> Step Functions stack. "
         "This account is what the plan names (data.aws_caller_identity, the provider's allowed_account_ids, known ARNs).",
         "Grant this account's roles, or suppress with the reason the other account is trusted.",
         DOCS, _foreign),
)
