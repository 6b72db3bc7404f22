"""The expectation files can fail: every security property they claim to assert is caught when broken.

Each mutation below weakens one property of the real basic plan (least privilege, trust conditions,
authorization, logging, audit pattern and targets, execution name, version injection); the plan must
then stop meeting tests/plan/examples/basic.yaml.
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

BASIC = Path(__file__).parent / "examples" / "basic.yaml"
SM = 'module.stepgate.module.state_machine["process-report"]'
API = "module.stepgate.module.rest_api[0]"


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


MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
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


@pytest.fixture(scope="module")
def basic(plan_example: Callable[..., dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    spec = yaml.safe_load(BASIC.read_text())
    return spec, plan_example(spec.get("example", BASIC.stem), spec.get("variables"))


@pytest.mark.parametrize("mutation", MUTATIONS, ids=list(MUTATIONS))
def test_a_weakened_plan_fails_its_expectations(mutation: str, basic: tuple[dict[str, Any], dict[str, Any]]) -> None:
    spec, plan = basic
    assert compare(spec, plan) == [], "the unmodified plan must meet basic.yaml"
    weakened = copy.deepcopy(plan)
    MUTATIONS[mutation](weakened)
    assert compare(spec, weakened), f"basic.yaml does not notice: {mutation}"


def test_operators_combine_and_policies_ignore_order() -> None:
    template = "name = $context.requestId"
    assert not list(match({"$contains": ["requestId"], "$excludes": ["Authorization"]}, template, None, "t"))
    assert list(match({"$contains": ["requestId"], "$excludes": ["name"]}, template, None, "t"))
    policy = json.dumps({"Statement": [{"Effect": "Allow", "Action": ["b", "a"], "Resource": "r"}]})
    assert not list(match({"$policy": [{"Effect": "Allow", "Action": ["a", "b"], "Resource": ["r"]}]}, policy, None, "p"))
    assert list(match({"$policy": [{"Effect": "Allow", "Action": "a", "Resource": "r"}]}, policy, None, "p"))
    assert list(match({"$unknown": True}, "known", None, "u"))
    assert not list(match({"$unknown": True}, None, True, "u"))
