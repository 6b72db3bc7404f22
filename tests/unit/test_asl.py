from __future__ import annotations

import json

import pytest

from stepgate.plan.asl import parse_definition, queue_arn, requirements, retry_has_backoff, structure_problems

pytestmark = pytest.mark.unit


def task(resource: str, parameters: dict | None = None) -> dict:
    return {"Type": "Task", "Resource": resource, "Parameters": parameters or {}, "End": True}


def needs(state: dict) -> set[tuple[str, str]]:
    return {(r.action, r.resource) for r in requirements({"StartAt": "T", "States": {"T": state}})}


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (task("arn:aws:states:::sqs:sendMessage", {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123/q"}),
         {("sqs:SendMessage", "arn:*:sqs:eu-west-1:123:q")}),
        (task("arn:aws:states:::sqs:sendMessage.waitForTaskToken", {"QueueUrl.$": "$.queue"}), {("sqs:SendMessage", "*")}),
        (task("arn:aws:states:::sns:publish", {"TopicArn": "arn:aws:sns:us-east-1:1:t"}), {("sns:Publish", "arn:aws:sns:us-east-1:1:t")}),
        (task("arn:aws:states:::dynamodb:putItem", {"TableName": "orders"}), {("dynamodb:PutItem", "arn:*:dynamodb:*:*:table/orders")}),
        (task("arn:aws:states:::lambda:invoke", {"FunctionName": "arn:aws:lambda:us-east-1:1:function:f"}),
         {("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:1:function:f")}),
        (task("arn:aws:lambda:us-east-1:1:function:g"), {("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:1:function:g")}),
        (task("arn:aws:states:::events:putEvents", {"Entries": [{"Detail": {}}, {"EventBusName": "audit"}]}),
         {("events:PutEvents", "arn:*:events:*:*:event-bus/default"), ("events:PutEvents", "arn:*:events:*:*:event-bus/audit")}),
        (task("arn:aws:states:::aws-sdk:s3:getObject"), {("s3:GetObject", "*")}),
        (task("arn:aws:states:::aws-sdk:sfn:describeExecution"), {("states:DescribeExecution", "*")}),
        (task("arn:aws:states:us-east-1:1:activity:a"), set()),
    ],
)
def test_task_requirements(state: dict, expected: set) -> None:
    assert needs(state) == expected


def test_nested_start_execution_sync_needs_polling_permissions() -> None:
    required = needs(task("arn:aws:states:::states:startExecution.sync:2", {"StateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:child"}))
    assert ("states:StartExecution", "arn:aws:states:us-east-1:1:stateMachine:child") in required
    assert ("states:DescribeExecution", "arn:*:states:*:*:execution:child:*") in required
    assert ("events:PutRule", "arn:*:events:*:*:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule") in required


def test_requirements_inside_parallel_and_map() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Parallel", "Next": "M", "Branches": [
                {"StartAt": "A", "States": {"A": task("arn:aws:states:::sns:publish", {"TopicArn": "arn:aws:sns:us-east-1:1:t"})}}]},
            "M": {"Type": "Map", "End": True, "Iterator": {"StartAt": "B", "States": {
                "B": task("arn:aws:states:::sqs:sendMessage", {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/1/q"})}}},
        },
    }
    assert {(r.action, r.state) for r in requirements(definition)} == {("sns:Publish", "P/branch 1/A"), ("sqs:SendMessage", "M/items/B")}


def test_structure_problems() -> None:
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Nowhere"}], "Default": "B"},
        "B": {"Type": "Pass"},
        "C": {"Type": "Succeed"},
    }}
    kinds = {(p.kind, p.message) for p in structure_problems(definition)}
    assert ("invalid", "state A goes to 'Nowhere', which does not exist at the top level") in kinds
    assert ("invalid", "state B has neither Next nor End") in kinds
    assert ("unreachable", "state C can never be entered") in kinds


def test_definition_parsing_errors() -> None:
    assert parse_definition("{") == (None, "definition is not valid JSON (Expecting property name enclosed in double quotes)")
    assert parse_definition("") == (None, "definition is empty")
    assert parse_definition(json.dumps([1]))[1] == "definition is not a JSON object"


def test_queue_url_forms() -> None:
    assert queue_arn("http://localhost:4566/000000000000/q") == "arn:*:sqs:*:000000000000:q"
    assert queue_arn("arn:aws:sqs:us-east-1:1:q") == "arn:aws:sqs:us-east-1:1:q"


def test_backoff() -> None:
    assert retry_has_backoff({"Retry": [{"ErrorEquals": ["States.ALL"]}]})
    assert not retry_has_backoff({"Retry": [{"ErrorEquals": ["States.ALL"], "BackoffRate": 1.0}]})
    assert not retry_has_backoff({"Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]})
    assert not retry_has_backoff({})


def test_backoff_must_cover_transient_errors() -> None:
    assert retry_has_backoff({"Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException", "Lambda.ServiceException"]}]})
    assert retry_has_backoff({"Retry": [{"ErrorEquals": ["Order.Invalid"]}, {"ErrorEquals": ["States.TaskFailed"], "BackoffRate": 1.5}]})
    assert not retry_has_backoff({"Retry": [{"ErrorEquals": ["Order.Invalid"], "MaxAttempts": 5}]})
    assert not retry_has_backoff({"Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": "3"}]})


def test_wrong_types_in_a_definition_are_problems_not_crashes() -> None:
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Choice", "Choices": 5, "Default": "B"},
        "B": {"Type": ["Task"], "Resource": "arn:aws:states:::sqs:sendMessage", "End": True},
        "C": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Parameters": "x", "Retry": "x", "Catch": 5, "Next": 5},
    }}
    messages = {p.message for p in structure_problems(definition)}
    assert "Choice state A has no Choices" in messages and "state B has no valid Type" in messages
    assert needs(definition["States"]["C"]) == {("sns:Publish", "*")}
    assert not retry_has_backoff(definition["States"]["C"])
    assert structure_problems({"StartAt": ["A"], "States": {"A": {"Type": "Succeed"}}})[0].message.startswith("StartAt ['A'] names no state")
