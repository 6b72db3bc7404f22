from __future__ import annotations

import pytest

from stepgate.plan import iamref
from stepgate.plan.iam import expand_action

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("action", "resource_types"),
    [
        ("states:StartSyncExecution", ["statemachine"]),
        ("states:DescribeExecution", ["execution", "express"]),
        ("states:SendTaskSuccess", []),
        ("logs:CreateLogDelivery", []),
        ("lambda:InvokeFunction", ["function"]),
        ("ecs:RunTask", ["task-definition"]),
        ("s3:ListBucket", ["bucket"]),
        ("iam:PassRole", ["role"]),
        # the reference snapshot lacks the HTTP Task's resource type; stepgate adds what AWS documents
        ("states:InvokeHTTPEndpoint", ["statemachine", "statemachineversion", "statemachinealias"]),
    ],
)
def test_resource_types(action: str, resource_types: list[str]) -> None:
    known = iamref.action(action)
    assert known is not None
    assert [kind.name for kind in known.resource_types] == resource_types
    assert known.star_only == (not resource_types)


def test_arn_formats_and_names() -> None:
    known = iamref.action("STATES:describeexecution")
    assert known is not None and known.iam_name == "states:DescribeExecution" and known.access_level == "Read"
    assert known.resource_types[0].arn == "arn:${Partition}:states:${Region}:${Account}:execution:${StateMachineName}:${ExecutionId}"
    assert iamref.action("states:StartExecutions") is None and iamref.action("madeup:Thing") is None
    assert iamref.action("states") is None
    service = iamref.service("states")
    assert service is not None and service.name == "AWS Step Functions"
    assert "s3" in iamref.prefixes() and "states" in iamref.prefixes()


@pytest.mark.parametrize(
    ("action", "arn", "accepted"),
    [
        ("states:DescribeExecution", "arn:aws:states:us-east-1:1:execution:orders:*", True),
        ("states:DescribeExecution", "arn:aws:states:us-east-1:1:execution:orders/Map:*", True),  # a Map Run's children
        ("states:DescribeExecution", "arn:aws:states:us-east-1:1:stateMachine:orders", False),
        ("states:StartSyncExecution", "arn:aws:states:us-east-1:1:stateMachine:orders", True),
        ("states:StartSyncExecution", "arn:aws:states:*:*:*", True),
        ("states:SendTaskSuccess", "arn:aws:states:us-east-1:1:stateMachine:orders", False),
        ("states:SendTaskSuccess", "*", True),
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:1:function:f:*", True),  # qualified: versions, aliases
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:1:layer:f", False),
        ("s3:ListBucket", "arn:aws:s3:::bucket", True),
        ("s3:ListBucket", "arn:aws:s3:::bucket/*", False),  # bucket names hold no "/"
        ("s3:GetObject", "arn:aws:s3:::bucket", False),
        ("s3:GetObject", "arn:aws:s3:::bucket/a/b:c", True),
        ("logs:CreateLogStream", "arn:aws:logs:us-east-1:1:log-group:/aws/vendedlogs/states/x:*", True),
        ("iam:PassRole", "arn:aws:iam::1:role/service/task-role", True),
        ("iam:PassRole", "arn:aws:iam::1:role/${aws:username}", True),  # a policy variable stands for any value
        ("ecs:RunTask", "arn:aws:ecs:us-east-1:1:task-definition/family:?", True),
        ("ecs:RunTask", "arn:aws:ecs:us-east-1:1:task-definition/family", False),  # a family needs :REVISION or :*
    ],
)
def test_arn_matches_the_action_resource_types(action: str, arn: str, accepted: bool) -> None:
    known = iamref.action(action)
    assert known is not None and known.accepts(arn) is accepted


@pytest.mark.parametrize(
    ("action", "key", "valid"),
    [
        ("iam:PassRole", "iam:PassedToService", True),
        ("iam:PassRole", "IAM:passedtoservice", True),  # condition keys are case-insensitive
        ("iam:PassRole", "ecs:cluster", False),
        ("iam:PassRole", "aws:SourceArn", True),  # global keys apply to every action
        ("ecs:RunTask", "ecs:cluster", True),
        ("ecs:RunTask", "aws:ResourceTag/team", True),
        ("s3:GetObject", "s3:ExistingObjectTag/team", True),
        ("secretsmanager:GetSecretValue", "secretsmanager:ResourceTag/team", True),
        ("states:InvokeHTTPEndpoint", "states:HTTPEndpoint", True),
        ("states:StartExecution", "states:HTTPMethod", False),
        ("s3:ListBucket", "s3:prefix", True),
    ],
)
def test_condition_keys(action: str, key: str, valid: bool) -> None:
    known = iamref.action(action)
    assert known is not None and known.takes_condition_key(key) is valid


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("states:Describe*", {"states:DescribeActivity", "states:DescribeExecution", "states:DescribeMapRun",
                              "states:DescribeStateMachine", "states:DescribeStateMachineAlias",
                              "states:DescribeStateMachineForExecution"}),
        ("states:Start*", {"states:StartExecution", "states:StartSyncExecution"}),
        ("STATES:send?ask*", {"states:SendTaskFailure", "states:SendTaskHeartbeat", "states:SendTaskSuccess"}),
    ],
)
def test_wildcards_expand_to_the_reference_actions(pattern: str, expected: set[str]) -> None:
    assert set(iamref.expand(pattern)) == expected == set(expand_action(pattern))


def test_whole_services_and_everything() -> None:
    service = iamref.service("s3")
    assert service is not None and len(iamref.expand("s3:*")) == len(service.actions)
    assert len(iamref.expand("*")) == sum(len(s.actions) for s in map(iamref.service, iamref.prefixes()) if s)
    assert expand_action("madeup:*") == ["madeup:*"] and expand_action("sqs:SendMessage") == ["sqs:SendMessage"]
    assert iamref.action_matches("states:Start*", "states:StartExecution")
    assert not iamref.action_matches("states:[S]tart*", "states:StartExecution")  # brackets are literal in IAM
