"""The expectation files can fail: every security property they claim to assert is caught when broken.

Each mutation below weakens one property of a real example plan (least privilege, trust conditions,
authorization, logging, audit pattern and targets, execution name, version injection; for ecs-task the
RunTask, tracking, managed-rule and PassRole statements; for human-approval the callback role, routes,
reviewer and errors); the plan must then stop meeting tests/plan/examples/<example>.yaml.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from expectations import compare, match

SPECS = Path(__file__).parent / "examples"
SM = 'module.stepgate.module.state_machine["process-report"]'
API = "module.stepgate.module.rest_api[0]"
ECS_POLICY = 'module.stepgate.module.state_machine["run-report"].aws_iam_role_policy.execution'
CALLBACK_POLICY = f"{API}.module.integration_role.aws_iam_role_policy.callback[0]"
START_POLICY = f"{API}.module.integration_role.aws_iam_role_policy.start"


def _resources(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    def walk(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield from module.get("resources", [])
        for child in module.get("child_modules", []):
            yield from walk(child)

    yield from walk(plan["planned_values"]["root_module"])


def _values(plan: dict[str, Any], address: str) -> dict[str, Any]:
    return next(r["values"] for r in _resources(plan) if r["address"] == address)


def _edit_policy(plan: dict[str, Any], address: str, key: str, edit: Callable[[dict[str, Any]], None]) -> None:
    values = _values(plan, address)
    document = json.loads(values[key])
    edit(document)
    values[key] = json.dumps(document)


def _widen_start(document: dict[str, Any]) -> None:
    document["Statement"][0]["Action"] = "states:*"


def _wildcard_target(document: dict[str, Any]) -> None:
    next(s for s in document["Statement"] if s["Sid"] == "SqsSendMessage")["Resource"] = "*"


def _drop_source_arn(document: dict[str, Any]) -> None:
    del document["Statement"][0]["Condition"]["ArnLike"]


def _audit_running(plan: dict[str, Any]) -> None:
    values = _values(plan, "module.stepgate.module.audit_stream[0].aws_cloudwatch_event_rule.audit")
    pattern = json.loads(values["event_pattern"])
    pattern["detail"]["status"].append("RUNNING")
    values["event_pattern"] = json.dumps(pattern)


def _drop_audit_target(plan: dict[str, Any]) -> None:
    for module in plan["planned_values"]["root_module"]["child_modules"]:
        for child in module.get("child_modules", []):
            child["resources"] = [r for r in child.get("resources", []) if r["type"] != "aws_cloudwatch_event_target"]


def _template(plan: dict[str, Any], edit: Callable[[str], str]) -> None:
    templates = _values(plan, f'{API}.aws_api_gateway_integration.route["process-report"]')["request_templates"]
    templates["application/json"] = edit(templates["application/json"])


def _statement(sid: str, change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    """An edit of the statement with this Sid."""
    return lambda document: change(next(s for s in document["Statement"] if s.get("Sid") == sid))


def _add_statement(statement: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    return lambda document: document["Statement"].append(statement)


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda item: item.update({key: value})


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda item: item.pop(key)


def _callback_template(name: str, edit: Callable[[str], str]) -> Callable[[dict[str, Any]], None]:
    def mutate(plan: dict[str, Any]) -> None:
        templates = _values(plan, f'{API}.aws_api_gateway_integration.callback["{name}"]')["request_templates"]
        templates["application/json"] = edit(templates["application/json"])

    return mutate


def _model_allows_more(plan: dict[str, Any]) -> None:
    values = _values(plan, f'{API}.aws_api_gateway_model.callback["approve"]')
    schema = json.loads(values["schema"])
    schema["additionalProperties"] = True
    values["schema"] = json.dumps(schema)


BASIC_MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "integration role may do more than start": lambda plan: _edit_policy(
        plan, f"{API}.module.integration_role.aws_iam_role_policy.start", "policy", _widen_start
    ),
    "execution role reaches any queue": lambda plan: _edit_policy(plan, f"{SM}.aws_iam_role_policy.execution", "policy", _wildcard_target),
    "execution role trust without aws:SourceArn": lambda plan: _edit_policy(
        plan, f"{SM}.aws_iam_role.execution", "assume_role_policy", _drop_source_arn
    ),
    "method without authorization": lambda plan: _values(plan, f'{API}.aws_api_gateway_method.route["process-report"]').update(
        authorization="NONE"
    ),
    "access logs kept 30 days": lambda plan: _values(plan, f"{API}.aws_cloudwatch_log_group.access").update(retention_in_days=30),
    "state machine logs errors only": lambda plan: _values(plan, f"{SM}.aws_sfn_state_machine.this")["logging_configuration"][0].update(
        level="ERROR"
    ),
    "audit rule matches RUNNING": _audit_running,
    "audit rule without its log group target": _drop_audit_target,
    "execution name not from Idempotency-Key": lambda plan: _template(
        plan, lambda text: text.replace("header.get('Idempotency-Key')", "header.get('X-Request-Name')")
    ),
    "Authorization header copied into the input": lambda plan: _template(
        plan, lambda text: text.replace('\\"meta\\": {', "\\\"auth\\\": \\\"$input.params().header.get('Authorization')\\\", \\\"meta\\\": {")
    ),
    "stage variable without the version": lambda plan: _values(plan, f"{API}.aws_api_gateway_stage.this").update(variables={}),
}

ECS_MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "RunTask on every task definition": lambda plan: _edit_policy(plan, ECS_POLICY, "policy", _statement("EcsRunTask", _set("Resource", "*"))),
    "RunTask in any cluster": lambda plan: _edit_policy(plan, ECS_POLICY, "policy", _statement("EcsRunTask", _drop("Condition"))),
    "StopTask on the tasks of every cluster": lambda plan: _edit_policy(
        plan, ECS_POLICY, "policy", _statement("TrackEcsSyncTasks", _set("Resource", "arn:aws:ecs:us-east-1:000000000000:task/*"))),
    "every EventBridge rule instead of the managed one": lambda plan: _edit_policy(
        plan, ECS_POLICY, "policy", _statement("ManagedRuleForEcsSyncTasks", _set("Resource", "arn:aws:events:us-east-1:000000000000:rule/*"))),
    "PassRole on every role": lambda plan: _edit_policy(plan, ECS_POLICY, "policy", _statement("PassTaskRolesToEcs", _set("Resource", "*"))),
    "PassRole to any service": lambda plan: _edit_policy(plan, ECS_POLICY, "policy", _statement("PassTaskRolesToEcs", _drop("Condition"))),
    "PassRole to Lambda": lambda plan: _edit_policy(plan, ECS_POLICY, "policy", _statement(
        "PassTaskRolesToEcs", _set("Condition", {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}))),
    "an extra ecs:StartTask": lambda plan: _edit_policy(plan, ECS_POLICY, "policy", _statement(
        "EcsRunTask", _set("Action", ["ecs:RunTask", "ecs:StartTask"]))),
    "an extra ecs:* statement": lambda plan: _edit_policy(plan, ECS_POLICY, "policy", _add_statement(
        {"Sid": "Everything", "Effect": "Allow", "Action": "ecs:*", "Resource": "*"})),
    "the task execution role pulls any image": lambda plan: _edit_policy(
        plan, "aws_iam_role_policy.task_execution", "policy", _statement("PullTheReportImage", _set("Resource", "*"))),
}

APPROVAL_MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "the callback role may also start executions": lambda plan: _edit_policy(plan, CALLBACK_POLICY, "policy", _statement(
        "AnswerTaskTokens", _set("Action", ["states:SendTaskFailure", "states:SendTaskSuccess", "states:StartExecution"]))),
    "the callback role may do everything in Step Functions": lambda plan: _edit_policy(
        plan, CALLBACK_POLICY, "policy", _statement("AnswerTaskTokens", _set("Action", "states:*"))),
    "the start role may also answer task tokens": lambda plan: _edit_policy(plan, START_POLICY, "policy", _statement(
        "StartAsyncRoutes", _set("Action", ["states:SendTaskSuccess", "states:StartExecution"]))),
    "approve starts an execution instead": lambda plan: _values(plan, f'{API}.aws_api_gateway_integration.callback["approve"]').update(
        uri="arn:aws:apigateway:us-east-1:states:action/StartExecution"),
    "the reviewer read from the body": _callback_template("approve", lambda text: text.replace(
        "$!context.identity.userArn", "$input.path('$.reviewer')", 1)),
    "reject answers with another error": _callback_template("reject", lambda text: text.replace('"error": "Rejected"', '"error": "Declined"')),
    "a callback method without authorization": lambda plan: _values(plan, f'{API}.aws_api_gateway_method.callback["approve"]').update(
        authorization="NONE"),
    "the approve body may carry anything": _model_allows_more,
}

MUTATIONS: dict[str, tuple[str, Callable[[dict[str, Any]], None]]] = {
    **{f"basic: {name}": ("basic", mutate) for name, mutate in BASIC_MUTATIONS.items()},
    **{f"ecs-task: {name}": ("ecs-task", mutate) for name, mutate in ECS_MUTATIONS.items()},
    **{f"human-approval: {name}": ("human-approval", mutate) for name, mutate in APPROVAL_MUTATIONS.items()},
}


@pytest.mark.parametrize("mutation", MUTATIONS, ids=list(MUTATIONS))
def test_a_weakened_plan_fails_its_expectations(mutation: str, plan_example: Callable[..., dict[str, Any]]) -> None:
    example, mutate = MUTATIONS[mutation]
    spec = yaml.safe_load((SPECS / f"{example}.yaml").read_text())
    plan = plan_example(spec.get("example", example), spec.get("variables"))
    assert compare(spec, plan) == [], f"the unmodified plan must meet {example}.yaml"
    weakened = copy.deepcopy(plan)
    mutate(weakened)
    assert compare(spec, weakened), f"{example}.yaml does not notice: {mutation}"


def test_operators_combine_and_policies_ignore_order() -> None:
    template = "name = $context.requestId"
    assert not list(match({"$contains": ["requestId"], "$excludes": ["Authorization"]}, template, None, "t"))
    assert list(match({"$contains": ["requestId"], "$excludes": ["name"]}, template, None, "t"))
    policy = json.dumps({"Statement": [{"Effect": "Allow", "Action": ["b", "a"], "Resource": "r"}]})
    assert not list(match({"$policy": [{"Effect": "Allow", "Action": ["a", "b"], "Resource": ["r"]}]}, policy, None, "p"))
    assert list(match({"$policy": [{"Effect": "Allow", "Action": "a", "Resource": "r"}]}, policy, None, "p"))
    assert list(match({"$unknown": True}, "known", None, "u"))
    assert not list(match({"$unknown": True}, None, True, "u"))
