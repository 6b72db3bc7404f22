from __future__ import annotations

import json

import pytest

from stepgate.plan import iamref
from stepgate.plan.asl import parse_definition, requirements, retry_has_backoff, structure_problems
from stepgate.plan.asl_integrations import SDK_ACTIONS, SDK_PREFIXES, queue_arn
from stepgate.plan.iam import arn_overlaps

pytestmark = pytest.mark.unit

ME = "arn:aws:states:us-east-1:111122223333:stateMachine:orders"
Q = "https://sqs.us-east-1.amazonaws.com/111122223333/jobs"
PASS_ROLE = ("iam:PassRole", "*")
WRITES = ("s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload")


def task(resource: str, parameters: dict | None = None) -> dict:
    return {"Type": "Task", "Resource": resource, "Parameters": parameters or {}, "End": True}


def jsonata_task(resource: str, arguments: dict | str, **fields: object) -> dict:
    return {"Type": "Task", "QueryLanguage": "JSONata", "Resource": resource, "Arguments": arguments, "End": True, **fields}


def distributed(**fields: object) -> dict:
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    return {"Type": "Map", "End": True, "ItemProcessor": processor, **fields}


def needs(state: dict) -> set[tuple[str, str]]:
    return {(r.action, r.resource) for r in requirements({"StartAt": "T", "States": {"T": state}})}


def required(state: dict, **top: object) -> list[tuple[str, str]]:
    """(action, resource) in order, for a one-state definition of the state machine ME."""
    return [(r.action, r.resource) for r in requirements({**top, "StartAt": "T", "States": {"T": state}}, ME)]


def sync_rule(name: str) -> list[tuple[str, str]]:
    return [(f"events:{verb}", f"arn:*:events:*:*:rule/{name}") for verb in ("PutTargets", "PutRule", "DescribeRule")]


def on(resource: str, *actions: str) -> list[tuple[str, str]]:
    return [(action, resource) for action in actions]


CHILD = "arn:aws:states:us-east-1:1:stateMachine:child"
CHILD_POLLING = [*on("arn:aws:states:us-east-1:1:execution:child:*", "states:DescribeExecution", "states:StopExecution"),
                 *sync_rule("StepFunctionsGetEventsForStepFunctionsExecutionRule")]
MAP_RUNS = [("states:StartExecution", ME),
            *on("arn:aws:states:us-east-1:111122223333:execution:orders/*", "states:DescribeExecution", "states:StopExecution")]
ECS_SYNC = sync_rule("StepFunctionsGetEventsForECSTaskRule")

INTEGRATIONS = [
    # SQS, SNS, DynamoDB, EventBridge (.waitForTaskToken asks for the same action as request-response)
    (task("arn:aws:states:::sqs:sendMessage", {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123/q"}), [("sqs:SendMessage", "arn:*:sqs:eu-west-1:123:q")]),
    (task("arn:aws:states:::sqs:sendMessage.waitForTaskToken", {"QueueUrl.$": "$.queue"}), [("sqs:SendMessage", "*")]),
    (task("arn:aws:states:::sns:publish", {"TopicArn": "arn:aws:sns:us-east-1:1:t"}), [("sns:Publish", "arn:aws:sns:us-east-1:1:t")]),
    (task("arn:aws:states:::sns:publish.waitForTaskToken", {"PhoneNumber": "+15550100"}), [("sns:Publish", "*")]),
    (task("arn:aws:states:::dynamodb:putItem", {"TableName": "orders"}), [("dynamodb:PutItem", "arn:*:dynamodb:*:*:table/orders")]),
    (task("arn:aws:states:::events:putEvents", {"Entries": [{"Detail": {}}, {"EventBusName": "audit"}]}),
     on("arn:*:events:*:*:event-bus/audit", "events:PutEvents") + on("arn:*:events:*:*:event-bus/default", "events:PutEvents")),
    (task("arn:aws:states:::events:putEvents.waitForTaskToken", {"Entries": [{"EventBusName": "arn:aws:events:us-east-1:1:event-bus/b"}]}),
     [("events:PutEvents", "arn:aws:events:us-east-1:1:event-bus/b")]),
    # Lambda: name, name:qualifier, partial ARN, ARN, run-time name; a function ARN as the Resource
    (task("arn:aws:states:::lambda:invoke", {"FunctionName": "enrich"}), [("lambda:InvokeFunction", "arn:*:lambda:*:*:function:enrich")]),
    (task("arn:aws:states:::lambda:invoke.waitForTaskToken", {"FunctionName": "enrich:live"}), [("lambda:InvokeFunction", "arn:*:lambda:*:*:function:enrich:live")]),
    (task("arn:aws:states:::lambda:invoke", {"FunctionName": "123:function:enrich:7"}), [("lambda:InvokeFunction", "arn:*:lambda:*:123:function:enrich:7")]),
    (task("arn:aws:states:::lambda:invoke", {"FunctionName": "arn:aws:lambda:us-east-1:1:function:f"}), [("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:1:function:f")]),
    (task("arn:aws:states:::lambda:invoke", {"FunctionName.$": "$.fn"}), [("lambda:InvokeFunction", "*")]),
    (task("arn:aws:lambda:us-east-1:1:function:g:live"), [("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:1:function:g:live")]),
    # ECS: a family runs any revision; .sync polls the cluster's tasks (default cluster without Cluster)
    (task("arn:aws:states:::ecs:runTask.sync", {"TaskDefinition": "report", "Cluster": "arn:aws:ecs:us-east-1:1:cluster/demo"}),
     [("ecs:RunTask", "arn:*:ecs:*:*:task-definition/report:*"), PASS_ROLE,
      *on("arn:*:ecs:*:*:task/demo/*", "ecs:StopTask", "ecs:DescribeTasks"), *ECS_SYNC]),
    (task("arn:aws:states:::ecs:runTask.sync", {"TaskDefinition": "report"}),
     [("ecs:RunTask", "arn:*:ecs:*:*:task-definition/report:*"), PASS_ROLE,
      *on("arn:*:ecs:*:*:task/default/*", "ecs:StopTask", "ecs:DescribeTasks"), *ECS_SYNC]),
    (task("arn:aws:states:::ecs:runTask", {"TaskDefinition": "report:3"}), [("ecs:RunTask", "arn:*:ecs:*:*:task-definition/report:3"), PASS_ROLE]),
    (task("arn:aws:states:::ecs:runTask.waitForTaskToken", {"TaskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/report:4", "Cluster.$": "$.c"}),
     [("ecs:RunTask", "arn:aws:ecs:us-east-1:1:task-definition/report:4"), PASS_ROLE]),
    # Batch (SubmitJob authorizes the definition, the queue and the new job), Glue
    (task("arn:aws:states:::batch:submitJob.sync", {"JobName": "x", "JobDefinition": "render", "JobQueue": "arn:aws:batch:us-east-1:1:job-queue/q"}),
     [("batch:SubmitJob", "arn:*:batch:*:*:job-definition/render"), ("batch:SubmitJob", "arn:aws:batch:us-east-1:1:job-queue/q"),
      ("batch:SubmitJob", "arn:*:batch:*:*:job/*"), ("batch:DescribeJobs", "*"), ("batch:TerminateJob", "arn:*:batch:*:*:job/*"),
      *sync_rule("StepFunctionsGetEventsForBatchJobsRule")]),
    (task("arn:aws:states:::glue:startJobRun", {"JobName": "etl"}), [("glue:StartJobRun", "arn:*:glue:*:*:job/etl")]),
    (task("arn:aws:states:::glue:startJobRun.sync", {"JobName": "etl"}),
     on("arn:*:glue:*:*:job/etl", "glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun")),
    # Bedrock: a foundation model and its S3 input; a cross-Region inference profile and the model it routes to
    (task("arn:aws:states:::bedrock:invokeModel", {"ModelId": "anthropic.claude-v2", "Input": {"S3Uri": "s3://in/prompt.json"}}),
     [("bedrock:InvokeModel", "arn:*:bedrock:*::foundation-model/anthropic.claude-v2"), ("s3:GetObject", "arn:*:s3:::in/prompt.json")]),
    (task("arn:aws:states:::bedrock:invokeModel", {"ModelId": "us.anthropic.claude-3-haiku-20240307-v1:0"}),
     [("bedrock:InvokeModel", "arn:*:bedrock:*:*:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0"),
      ("bedrock:InvokeModel", "arn:*:bedrock:*::foundation-model/anthropic.claude-3-haiku-20240307-v1:0")]),
    (task("arn:aws:states:::bedrock:invokeModel", {"ModelId": "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1"}),
     [("bedrock:InvokeModel", "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1")]),
    # the HTTP Task: authorized on the state machine itself; the connection and the secret EventBridge keeps for it
    (task("arn:aws:states:::http:invoke", {"ApiEndpoint": "https://api.example.com/v1", "Method": "POST",
                                           "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:1:connection/pay/1a2b"}}),
     [("states:InvokeHTTPEndpoint", ME), ("events:RetrieveConnectionCredentials", "arn:aws:events:us-east-1:1:connection/pay/1a2b"),
      *on("arn:*:secretsmanager:*:*:secret:events!connection/*", "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")]),
    # API Gateway: only IAM-signed calls need execute-api:Invoke
    (task("arn:aws:states:::apigateway:invoke", {"ApiEndpoint": "abc123.execute-api.us-east-1.amazonaws.com", "Method": "GET",
                                                 "Stage": "prod", "Path": "/orders", "AuthType": "IAM_ROLE"}),
     [("execute-api:Invoke", "arn:*:execute-api:us-east-1:*:abc123/prod/GET/orders")]),
    (task("arn:aws:states:::apigateway:invoke", {"ApiEndpoint": "abc123.execute-api.us-east-1.amazonaws.com", "Method": "GET"}), []),
    # nested state machines: .sync and .sync:2 poll the child's executions (an alias runs under the machine's name)
    (task("arn:aws:states:::states:startExecution", {"StateMachineArn": CHILD}), [("states:StartExecution", CHILD)]),
    (task("arn:aws:states:::states:startExecution.sync", {"StateMachineArn": CHILD}), [("states:StartExecution", CHILD), *CHILD_POLLING]),
    (task("arn:aws:states:::states:startExecution.sync:2", {"StateMachineArn": f"{CHILD}:prod"}), [("states:StartExecution", f"{CHILD}:prod"), *CHILD_POLLING]),
    (task("arn:aws:states:::states:startExecution.waitForTaskToken", {"StateMachineArn.$": "$.machine"}), [("states:StartExecution", "*")]),
    # AWS SDK integrations: IAM prefix and action from the reference, the resource from literal arguments
    (task("arn:aws:states:::aws-sdk:s3:getObject", {"Bucket": "reports", "Key": "2026/11/summary.csv"}), [("s3:GetObject", "arn:*:s3:::reports/2026/11/summary.csv")]),
    (task("arn:aws:states:::aws-sdk:s3:getObject"), [("s3:GetObject", "*")]),
    (task("arn:aws:states:::aws-sdk:s3:listObjectsV2", {"Bucket": "reports"}), [("s3:ListBucket", "arn:*:s3:::reports")]),
    (task("arn:aws:states:::aws-sdk:dynamodb:getItem", {"TableName": "orders"}), [("dynamodb:GetItem", "arn:*:dynamodb:*:*:table/orders")]),
    (task("arn:aws:states:::aws-sdk:sqs:sendMessage", {"QueueUrl": Q}), [("sqs:SendMessage", "arn:*:sqs:us-east-1:111122223333:jobs")]),
    (task("arn:aws:states:::aws-sdk:sqs:sendMessageBatch", {"QueueUrl": Q}), [("sqs:SendMessage", "arn:*:sqs:us-east-1:111122223333:jobs")]),
    (task("arn:aws:states:::aws-sdk:sfn:describeExecution"), [("states:DescribeExecution", "*")]),
    (task("arn:aws:states:::aws-sdk:sfn:startSyncExecution", {"StateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:quote"}),
     [("states:StartSyncExecution", "arn:aws:states:us-east-1:1:stateMachine:quote")]),
    (task("arn:aws:states:::aws-sdk:cloudwatchlogs:putLogEvents", {"LogGroupName": "/app/audit", "LogStreamName": "s"}),
     [("logs:PutLogEvents", "arn:*:logs:*:*:log-group:/app/audit:log-stream:s")]),
    (task("arn:aws:states:::aws-sdk:eventbridge:putEvents", {"Entries": [{"EventBusName": "audit"}]}), [("events:PutEvents", "arn:*:events:*:*:event-bus/audit")]),
    (task("arn:aws:states:::aws-sdk:secretsmanager:getSecretValue", {"SecretId": "prod/db"}),
     [("secretsmanager:GetSecretValue", "arn:*:secretsmanager:*:*:secret:prod/db-??????")]),
    (task("arn:aws:states:::aws-sdk:kms:decrypt", {"KeyId": "alias/app"}), [("kms:Decrypt", "*")]),  # an alias names no key ARN
    (task("arn:aws:states:::aws-sdk:lambda:invoke.waitForTaskToken", {"FunctionName": "enrich"}), [("lambda:InvokeFunction", "arn:*:lambda:*:*:function:enrich")]),
    (task("arn:aws:states:::aws-sdk:ecs:listWidgets"), [("ecs:ListWidgets", "*")]),  # not in the reference: a guess
    (task("arn:aws:states:us-east-1:1:activity:a"), []),
    # JSONata: Arguments instead of Parameters; {% %} values are computed at run time; Assign and Output need nothing
    (jsonata_task("arn:aws:states:::lambda:invoke", {"FunctionName": "enrich", "Payload": "{% $states.input %}"},
                  Assign={"n": "{% 1 %}"}, Output="{% $states.result %}"), [("lambda:InvokeFunction", "arn:*:lambda:*:*:function:enrich")]),
    (jsonata_task("arn:aws:states:::lambda:invoke", {"FunctionName": "{% $states.input.fn %}"}), [("lambda:InvokeFunction", "*")]),
    (jsonata_task("arn:aws:states:::sqs:sendMessage", "{% $states.input.message %}"), [("sqs:SendMessage", "*")]),
    (jsonata_task("arn:aws:states:::ecs:runTask.sync", {"TaskDefinition": "report", "Cluster": "{% $cluster %}"}),
     [("ecs:RunTask", "arn:*:ecs:*:*:task-definition/report:*"), PASS_ROLE, *on("*", "ecs:StopTask", "ecs:DescribeTasks"), *ECS_SYNC]),
    (task("arn:aws:states:::sqs:sendMessage") | {"Arguments": {"QueueUrl": Q}}, [("sqs:SendMessage", "*")]),  # JSONPath reads Parameters
    # Distributed Map: item reader, result writer, child executions of the machine itself (named after the Map Run)
    (distributed(ItemReader={"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "CSV"},
                             "Parameters": {"Bucket": "in", "Key": "rows.csv"}}),
     [("s3:GetObject", "arn:*:s3:::in/rows.csv"), *MAP_RUNS]),
    (distributed(ItemReader={"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": {"InputType": "MANIFEST"},
                             "Parameters": {"Bucket": "inventory", "Key": "src/cfg/2026-11-30T00-00Z/manifest.json"}}),
     [("s3:GetObject", "arn:*:s3:::inventory/src/cfg/2026-11-30T00-00Z/manifest.json"), ("s3:GetObject", "arn:*:s3:::inventory/*"), *MAP_RUNS]),
    (distributed(ItemReader={"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "in", "Prefix": "batches/"}},
                 ResultWriter={"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out", "Prefix": "runs/"}}),
     [("s3:ListBucket", "arn:*:s3:::in"), *on("arn:*:s3:::out/runs/*", *WRITES), *MAP_RUNS]),
    (distributed(Label="Rows", QueryLanguage="JSONata", ResultWriter={"WriterConfig": {"OutputType": "JSON"}},
                 ItemReader={"Resource": "arn:aws:states:::s3:getObject", "Arguments": {"Bucket": "in", "Key": "{% $key %}"}}),
     [("s3:GetObject", "*"), ("states:StartExecution", ME),
      *on("arn:aws:states:us-east-1:111122223333:execution:orders/Rows:*", "states:DescribeExecution", "states:StopExecution")]),
    ({"Type": "Map", "End": True, "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}, []),  # inline
]


@pytest.mark.parametrize(("state", "expected"), INTEGRATIONS)
def test_integration_requirements(state: dict, expected: list[tuple[str, str]]) -> None:
    assert required(state) == expected


def test_without_the_machine_arn_its_own_resources_are_left_open() -> None:
    definition = {"StartAt": "M", "States": {"M": distributed()}}
    assert [(r.action, r.resource) for r in requirements(definition)] == on("*", "states:StartExecution", "states:DescribeExecution", "states:StopExecution")


def test_a_jsonata_definition_applies_to_every_state_that_does_not_override_it() -> None:
    branch = {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {"FunctionName": "f"}, "End": True}}}
    assert required({"Type": "Parallel", "End": True, "Branches": [branch]}, QueryLanguage="JSONata") == [("lambda:InvokeFunction", "arn:*:lambda:*:*:function:f")]
    own = task("arn:aws:states:::lambda:invoke", {"FunctionName": "f"}) | {"QueryLanguage": "JSONPath"}
    assert required(own, QueryLanguage="JSONata") == [("lambda:InvokeFunction", "arn:*:lambda:*:*:function:f")]


def test_conditions_a_least_privilege_grant_carries() -> None:
    def conditions(state: dict) -> dict[str, list[tuple[str, str, tuple[str, ...]]]]:
        found = requirements({"StartAt": "T", "States": {"T": state}}, ME)
        return {r.action: [(c.test, c.variable, c.values) for c in r.conditions] for r in found if r.conditions}

    ecs = task("arn:aws:states:::ecs:runTask", {"TaskDefinition": "report", "Cluster": "demo"})
    assert conditions(ecs) == {"ecs:RunTask": [("ArnLike", "ecs:cluster", ("arn:*:ecs:*:*:cluster/demo",))],
                               "iam:PassRole": [("StringEquals", "iam:PassedToService", ("ecs-tasks.amazonaws.com",))]}
    http = task("arn:aws:states:::http:invoke", {"ApiEndpoint": "https://api.example.com/*", "Method": "GET"})
    assert conditions(http) == {"states:InvokeHTTPEndpoint": [("StringLike", "states:HTTPEndpoint", ("https://api.example.com/*",)),
                                                              ("StringEquals", "states:HTTPMethod", ("GET",))]}
    listing = distributed(ItemReader={"Resource": "arn:aws:states:::s3:listObjectsV2", "Parameters": {"Bucket": "in", "Prefix": "b/"}})
    assert conditions(listing) == {"s3:ListBucket": [("StringLike", "s3:prefix", ("b/*",))]}


def test_only_actions_missing_from_the_reference_are_guesses() -> None:
    found = [r for state, _ in INTEGRATIONS for r in requirements({"StartAt": "T", "States": {"T": state}}, ME)]
    assert {r.action for r in found if r.guessed} == {"ecs:ListWidgets"}
    assert [r.action for r in found if not r.guessed and iamref.action(r.action) is None] == []


def test_the_sdk_name_tables_name_reference_entries() -> None:
    assert [p for p in SDK_PREFIXES.values() if iamref.service(p) is None] == []
    assert [f"{p}:{a}" for (p, _), a in SDK_ACTIONS.items() if iamref.action(f"{p}:{a}") is None] == []


def test_the_module_ecs_grant_names_exactly_the_required_resources() -> None:
    """What modules/state-machine grants an ECS .sync task names the same resources (with the account and
    Region filled in): each requirement is met, and a grant broader than a requirement stands out."""
    grant = [("ecs:RunTask", "arn:aws:ecs:us-east-1:1:task-definition/report:*"),
             *on("arn:aws:ecs:us-east-1:1:task/demo/*", "ecs:StopTask", "ecs:DescribeTasks"),
             *on("arn:aws:events:us-east-1:1:rule/StepFunctionsGetEventsForECSTaskRule", "events:PutTargets", "events:PutRule", "events:DescribeRule")]
    needed = [n for n in required(task("arn:aws:states:::ecs:runTask.sync", {"TaskDefinition": "report", "Cluster": "demo"})) if n != PASS_ROLE]
    assert [(action, arn.split(":", 5)[5]) for action, arn in needed] == [(action, arn.split(":", 5)[5]) for action, arn in grant]
    assert all(arn_overlaps(granted, need) for (_, granted), (_, need) in zip(grant, needed))


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
