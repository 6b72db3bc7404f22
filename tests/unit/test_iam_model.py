from __future__ import annotations

import json

import pytest

from stepgate.plan.iam import UNKNOWN, action_matches, arn_overlaps, expand_action, parse_policy_json

pytestmark = pytest.mark.unit


def test_statement_normalisation() -> None:
    document = parse_policy_json(json.dumps({
        "Statement": {
            "Effect": "Allow", "NotAction": "iam:*", "NotResource": ["arn:aws:s3:::x"], "Principal": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": ["1"], "aws:SourceArn": "arn"}},
        }
    }), "p")
    (statement,) = document.statements
    assert statement.allows and statement.actions == () and statement.not_actions == ("iam:*",)
    assert statement.not_resources == ("arn:aws:s3:::x",)
    assert statement.principals == {"AWS": ("*",)}
    assert statement.condition_keys() == {"aws:sourceaccount", "aws:sourcearn"}


def test_not_a_policy() -> None:
    assert parse_policy_json("not json", "p") is None
    assert parse_policy_json("[]", "p") is None


def test_wildcard_expansion_uses_the_known_action_list() -> None:
    assert "states:StartExecution" in expand_action("states:*")
    assert "sqs:SendMessage" not in expand_action("states:*")
    assert set(expand_action("states:Start*")) == {"states:StartExecution", "states:StartSyncExecution"}
    assert expand_action("sqs:SendMessage") == ["sqs:SendMessage"]
    assert expand_action("madeup:*") == ["madeup:*"]
    assert action_matches("STATES:start*", "states:StartExecution")


@pytest.mark.parametrize(
    ("pattern", "resource", "overlaps"),
    [
        ("*", "arn:aws:sqs:us-east-1:1:q", True),
        ("arn:aws:sqs:us-east-1:1:q", "arn:*:sqs:us-east-1:1:q", True),
        ("arn:aws:sqs:us-east-1:1:q", "arn:aws:sqs:us-east-1:1:other", False),
        ("arn:aws:dynamodb:us-east-1:1:table/*", "arn:*:dynamodb:*:*:table/orders", True),
        ("arn:aws:states:us-east-1:1:stateMachine:a", "arn:aws:states:us-east-1:1:stateMachine:b", False),
        (UNKNOWN, "arn:aws:sns:us-east-1:1:t", True),
    ],
)
def test_arn_overlap(pattern: str, resource: str, overlaps: bool) -> None:
    assert arn_overlaps(pattern, resource) is overlaps


def test_roles_with_odd_attribute_types_are_indexed_by_what_is_usable() -> None:
    from stepgate.plan import load_plan
    from stepgate.plan.iam import role_views

    resources = [{"address": "aws_iam_role.odd", "mode": "managed", "type": "aws_iam_role", "name": "odd",
                  "values": {"name": ["not", "a", "string"], "arn": "arn:aws:iam::1:role/odd", "assume_role_policy": "{}"}},
                 {"address": "aws_iam_role_policy.p", "mode": "managed", "type": "aws_iam_role_policy", "name": "p",
                  "values": {"role": "arn:aws:iam::1:role/odd", "policy": json.dumps({"Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]})}}]
    plan = load_plan({"format_version": "1.2", "planned_values": {"root_module": {"resources": resources}}})
    (view,) = role_views(plan).values()
    assert view.address == "aws_iam_role.odd" and view.policies[0].statements[0].actions == ("sqs:SendMessage",)
