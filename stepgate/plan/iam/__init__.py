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

The package: arns (actions, containment, symbols), documents (statements), grants (grants against
needs), roles (roles, the API -> Step Functions path, resource policies).
"""

from stepgate.plan.iam.arns import (
    Symbol,
    UNKNOWN,
    Unresolved,
    action_matches,
    arn_account,
    arn_overlaps,
    arn_within,
    describe,
    expand_action,
    glob_within,
    is_aws_managed,
    is_unresolved,
    is_wildcard_action,
    symbol_of,
)
from stepgate.plan.iam.documents import (
    Condition,
    PolicyDocument,
    Statement,
    parse_policy_json,
    policy_document,
    read_policy,
)
from stepgate.plan.iam.grants import Comparison, Excess, Need, compare, uncovered
from stepgate.plan.iam.roles import (
    CALLBACK_ACTIONS,
    NO_SOURCE_CONDITION_SERVICES,
    PATH_SERVICES,
    PathRole,
    ResourcePolicy,
    RoleView,
    SOURCE_CONDITION_KEYS,
    carriers,
    every_policy,
    integration_roles,
    path_roles,
    plan_accounts,
    resource_policies,
    role_views,
    roles_for,
    roles_named,
    sfn_integration_roles,
    standalone_policy_documents,
    trusted_by_path_service,
)

__all__ = [
    "CALLBACK_ACTIONS",
    "Comparison",
    "Condition",
    "Excess",
    "NO_SOURCE_CONDITION_SERVICES",
    "Need",
    "PATH_SERVICES",
    "PathRole",
    "PolicyDocument",
    "ResourcePolicy",
    "RoleView",
    "SOURCE_CONDITION_KEYS",
    "Statement",
    "Symbol",
    "UNKNOWN",
    "Unresolved",
    "action_matches",
    "arn_account",
    "arn_overlaps",
    "arn_within",
    "carriers",
    "compare",
    "describe",
    "every_policy",
    "expand_action",
    "glob_within",
    "integration_roles",
    "is_aws_managed",
    "is_unresolved",
    "is_wildcard_action",
    "parse_policy_json",
    "path_roles",
    "plan_accounts",
    "policy_document",
    "read_policy",
    "resource_policies",
    "role_views",
    "roles_for",
    "roles_named",
    "sfn_integration_roles",
    "standalone_policy_documents",
    "symbol_of",
    "trusted_by_path_service",
    "uncovered",
]
