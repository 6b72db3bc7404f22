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


# --- containment, symbols, parse errors, grants against needs ---------------------------------------------

from stepgate.plan import iamref  # noqa: E402
from stepgate.plan.iam import (  # noqa: E402
    CALLBACK_ACTIONS,
    Condition,
    Need,
    Statement,
    Symbol,
    arn_within,
    compare,
    glob_within,
    read_policy,
)


@pytest.mark.parametrize(
    ("inner", "outer", "within"),
    [
        ("arn:aws:states:us-east-1:1:stateMachine:a", "arn:aws:states:us-east-1:1:stateMachine:*", True),
        ("arn:aws:states:us-east-1:1:stateMachine:*", "arn:aws:states:us-east-1:1:stateMachine:a", False),  # a prefix wildcard is broader
        ("arn:aws:ecs:us-east-1:1:task-definition/*", "arn:*:ecs:*:*:task-definition/report:*", False),
        ("arn:aws:ecs:us-east-1:1:task-definition/report:3", "arn:*:ecs:*:*:task-definition/report:*", True),
        ("arn:aws:states:us-east-1:1:execution:child:live:*", "arn:*:states:*:*:execution:child:*", True),
        ("arn:aws:s3:::b/k", "arn:aws:s3:::b/*", True),
        ("a?c", "a*", True),
        ("a*", "a?c", False),
        ("x/${aws:username}/y", "x/*", True),
    ],
)
def test_glob_and_arn_containment(inner: str, outer: str, within: bool) -> None:
    assert arn_within(inner, outer, outer_need=True) is within


def test_unknown_segments_of_needs_and_symbols_are_one_value_not_every_value() -> None:
    need = "arn:*:sqs:us-east-1:1:q"  # partition unknown
    assert arn_within("arn:aws:sqs:us-east-1:1:q", need, outer_need=True)
    assert not arn_within("arn:aws:sqs:*:*:q", "arn:*:sqs:us-east-1:1:q", outer_need=True)  # every region and account
    symbol = Symbol("arn:*:sqs:*:*:q", "aws_sqs_queue.q.arn", "aws_sqs_queue.q")
    assert arn_within(symbol, "arn:aws:sqs:us-east-1:1:q", outer_need=True)
    assert arn_within("arn:aws:sqs:us-east-1:1:q", symbol, inner_need=True)
    assert not arn_within(symbol, "arn:aws:sqs:us-east-1:1:other", outer_need=True)
    assert glob_within("abc", "a*c") and not glob_within("a*c", "abc")


def test_callback_actions_support_no_resource_level_permissions() -> None:
    assert all(iamref.action(name) is not None and iamref.action(name).star_only for name in CALLBACK_ACTIONS)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('{"Statement": [}', "not valid JSON (Expecting value at line 1 column 16)"),
        ("[]", "a JSON list, not a policy object"),
        ('{"Version": "2012-10-17"}', "no Statement"),
        ('{"Statement": "x"}', "Statement is neither an object nor a list"),
        ('{"Statement": [{"Sid": "A", "Action": "s3:GetObject"}]}', "statement 1 (Sid A) has no Effect"),
        ('{"Statement": {"Effect": "Permit", "Action": "s3:GetObject"}}', 'statement 1 has Effect "Permit", not Allow or Deny'),
        ('{"Statement": [{"Effect": "Allow", "Resource": "*"}]}', "statement 1 has neither Action nor NotAction"),
        ('{"Statement": [{"Effect": "Allow", "Action": {"a": 1}}]}', "statement 1: Action is not a string or a list of strings"),
    ],
)
def test_policies_that_do_not_parse_say_why(text: str, error: str) -> None:
    document = read_policy(text, "p")
    assert document.error == error and document.unknown and not document.statements


def _allow(action: str, *resources: str, conditions: tuple[Condition, ...] = (), not_resources: tuple[str, ...] = ()) -> Statement:
    return Statement("Allow", (action,), (), resources, not_resources, conditions=conditions)


def _deny(action: str, *resources: str, not_resources: tuple[str, ...] = ()) -> Statement:
    return Statement("Deny", (action,), (), resources, not_resources)


QUEUE = "arn:aws:sqs:us-east-1:1:q"
CLUSTER = Condition("ArnEquals", "ecs:cluster", ("arn:aws:ecs:us-east-1:1:cluster/c",))


def test_compare_excess_kinds_qualifiers_and_conditions() -> None:
    needs = [Need("sqs:SendMessage", QUEUE), Need("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:1:function:f"),
             Need("ecs:RunTask", "arn:*:ecs:*:*:task-definition/t:*", (CLUSTER,))]
    statements = [
        _allow("sqs:SendMessage", QUEUE, "arn:aws:sqs:us-east-1:1:other"),
        _allow("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:1:function:f", "arn:aws:lambda:us-east-1:1:function:f:*"),
        _allow("ecs:RunTask", "arn:aws:ecs:us-east-1:1:task-definition/t:*"),
        _allow("sns:Publish", "*"),
    ]
    result = compare(statements, needs)
    assert [(e.kind, e.action, e.resource) for e in result.excess] == [
        ("resource", "sqs:SendMessage", "arn:aws:sqs:us-east-1:1:other"),
        ("condition", "ecs:RunTask", "arn:aws:ecs:us-east-1:1:task-definition/t:*"),
        ("action", "sns:Publish", "*"),
    ]
    assert result.missing == []


def test_compare_honours_deny_both_ways() -> None:
    needs = [Need("sqs:SendMessage", QUEUE)]
    # a Deny on the excess makes it not excess; a NotResource guard narrows a broad grant to what it spares
    assert compare([_allow("sqs:SendMessage", QUEUE, "arn:aws:sqs:us-east-1:1:other"), _deny("sqs:*", "arn:aws:sqs:us-east-1:1:other")], needs).excess == []
    guarded = [_allow("sqs:SendMessage", "arn:aws:sqs:us-east-1:1:*"), _deny("sqs:SendMessage", not_resources=(QUEUE,))]
    assert compare(guarded, needs).excess == [] and compare(guarded, needs).missing == []
    # a Deny on the need makes it missing
    denied = compare([_allow("sqs:SendMessage", QUEUE), _deny("sqs:Send*", "arn:aws:sqs:*:*:*")], needs)
    assert denied.missing == needs


def test_compare_reads_not_resource_as_broad_and_a_conditioned_grant_must_let_the_call_through() -> None:
    broad = compare([_allow("sqs:SendMessage", not_resources=("arn:aws:sqs:us-east-1:1:other",))], [Need("sqs:SendMessage", QUEUE)])
    assert [e.text for e in broad.excess] == ["sqs:SendMessage on every resource but arn:aws:sqs:us-east-1:1:other"]
    other_service = Condition("StringEquals", "iam:PassedToService", ("lambda.amazonaws.com",))
    to_ecs = Condition("StringEquals", "iam:PassedToService", ("ecs-tasks.amazonaws.com",))
    role = "arn:aws:iam::1:role/task"
    assert compare([_allow("iam:PassRole", role, conditions=(other_service,))], [Need("iam:PassRole", role, (to_ecs,))]).missing != []
    assert compare([_allow("iam:PassRole", role, conditions=(to_ecs,))], [Need("iam:PassRole", "*", (to_ecs,))]).excess == []


def _plan(resources: list[dict], expressions: dict[str, dict]) -> dict:
    """Root-module resources (values, after_unknown markers) with the configuration's expressions per address."""
    def entry(item: dict) -> dict:
        mode = "data" if item["address"].startswith("data.") else "managed"
        rtype, name = item["address"].removeprefix("data.").split(".")
        return {"address": item["address"], "mode": mode, "type": rtype, "name": name, "values": item.get("values", {})}

    config = [{**{k: v for k, v in entry(r).items() if k != "values"}, "address": r["address"], "expressions": expressions.get(r["address"], {})}
              for r in resources]
    changes = [{"address": r["address"], "change": {"actions": ["create"], "after": r.get("values", {}), "after_unknown": r.get("unknown", {})}}
               for r in resources]
    return {"format_version": "1.2", "planned_values": {"root_module": {"resources": [entry(r) for r in resources]}},
            "resource_changes": changes, "configuration": {"root_module": {"resources": config}}}


def test_statement_blocks_resolve_each_unknown_element_to_the_resource_it_references() -> None:
    from stepgate.plan import load_plan
    from stepgate.plan.iam import describe, policy_document

    resources = [
        {"address": "aws_sfn_state_machine.child", "values": {"name": "child"}, "unknown": {"arn": True}},
        {"address": "aws_s3_bucket.out", "values": {"bucket": "out"}, "unknown": {"arn": True}},
        {"address": "aws_api_gateway_rest_api.api", "values": {"name": "api"}, "unknown": {"id": True, "execution_arn": True}},
        {"address": "aws_iam_role_policy.p", "values": {}, "unknown": {"policy": True}},
        {"address": "data.aws_iam_policy_document.p", "unknown": {"json": True, "statement": [
            {"resources": [True, True]}, {"resources": [True]}, {"resources": [True]},
            {"condition": [{"values": [True]}, {"values": [False]}]}]},
         "values": {"statement": [
             {"sid": "Start", "effect": "Allow", "actions": ["states:StartExecution"], "resources": [None, None]},
             {"sid": "Track", "effect": "Allow", "actions": ["states:DescribeExecution"], "resources": [None]},
             {"sid": "Write", "effect": "Allow", "actions": ["s3:PutObject"], "resources": [None]},
             # the plan orders a set of condition blocks by value, not as the configuration writes them
             {"sid": "Api", "effect": "Allow", "actions": ["execute-api:Invoke"], "resources": ["*"], "condition": [
                 {"test": "ArnLike", "variable": "aws:SourceArn", "values": [None]},
                 {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["1"]}]},
         ]}},
    ]
    child = {"references": ["aws_sfn_state_machine.child.arn", "aws_sfn_state_machine.child"]}
    expressions = {
        "aws_iam_role_policy.p": {"policy": {"references": ["data.aws_iam_policy_document.p.json", "data.aws_iam_policy_document.p"]}},
        "data.aws_iam_policy_document.p": {"statement": [
            {"sid": {"constant_value": "Start"}, "resources": {"references": child["references"] * 2}},  # [arn, "${arn}:*"]
            {"sid": {"constant_value": "Track"}, "resources": child},  # "${replace(arn, ":stateMachine:", ":execution:")}:*"
            {"sid": {"constant_value": "Write"}, "resources": {"references": ["aws_s3_bucket.out.arn", "aws_s3_bucket.out"]}},  # "${arn}/*"
            {"sid": {"constant_value": "Api"}, "condition": [
                {"test": {"constant_value": "StringEquals"}, "variable": {"constant_value": "aws:SourceAccount"}, "values": {"constant_value": ["1"]}},
                {"test": {"constant_value": "ArnLike"}, "variable": {"constant_value": "aws:SourceArn"},
                 "values": {"references": ["aws_api_gateway_rest_api.api.execution_arn", "aws_api_gateway_rest_api.api"]}}]},
        ]},
    }
    plan = load_plan(_plan(resources, expressions))
    document = policy_document(plan, plan.get("aws_iam_role_policy.p"), "policy")
    start, track, write, api = document.statements
    assert list(start.resources) == ["arn:*:states:*:*:stateMachine:child", "arn:*:states:*:*:stateMachine:child:*"]
    assert list(track.resources) == ["arn:*:states:*:*:execution:child:*"] and describe(track.resources[0]) == "executions of aws_sfn_state_machine.child.arn"
    assert list(write.resources) == ["arn:*:s3:::out/*"]
    source_arn = next(c for c in api.conditions if c.variable == "aws:SourceArn")
    assert [describe(v) for v in source_arn.values] == ["aws_api_gateway_rest_api.api.execution_arn"]


def test_path_roles_are_integration_execution_and_passed_roles() -> None:
    from stepgate.plan import load_plan
    from stepgate.plan.iam import path_roles

    trust = json.dumps({"Statement": [{"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    resources = [
        {"address": "aws_sfn_state_machine.m", "values": {"name": "m", "definition": "{}"}, "unknown": {"role_arn": True}},
        {"address": "aws_iam_role.exec", "values": {"name": "exec", "assume_role_policy": trust}},
        {"address": "aws_iam_role.task", "values": {"name": "task", "assume_role_policy": trust}},
        {"address": "aws_iam_role.other", "values": {"name": "other", "assume_role_policy": trust}},
        {"address": "aws_iam_role_policy.exec", "values": {"role": "exec", "policy": json.dumps({"Statement": [
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::1:role/task"}]})}},
        {"address": "aws_api_gateway_integration.approve", "values": {"uri": "arn:aws:apigateway:us-east-1:states:action/SendTaskSuccess",
                                                                       "credentials": "arn:aws:iam::1:role/other"}},
    ]
    expressions = {"aws_sfn_state_machine.m": {"role_arn": {"references": ["aws_iam_role.exec.arn", "aws_iam_role.exec"]}}}
    found = path_roles(load_plan(_plan(resources, expressions)))
    assert {address: sorted(role.kinds) for address, role in found.items()} == {
        "aws_iam_role.exec": ["execution"], "aws_iam_role.task": ["passed"], "aws_iam_role.other": ["callback"]}
    assert found["aws_iam_role.other"].callback_only and not found["aws_iam_role.exec"].callback_only
