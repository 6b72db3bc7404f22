from __future__ import annotations

import json
from pathlib import Path

import pytest

from stepgate.errors import StepgateError
from stepgate.plan import load_plan
from stepgate.plan.iam import role_views, roles_for

pytestmark = pytest.mark.unit

DATA = Path(__file__).parent / "data"
WF = 'module.wf["a.b"]'


@pytest.fixture(scope="module")
def plan():
    return load_plan(DATA / "modules_plan.json")


def test_resources_across_modules_with_module_addresses(plan) -> None:
    assert {r.address for r in plan} == {
        "module.roles.aws_iam_role.exec",
        f"{WF}.aws_iam_role_policy.this",
        f"{WF}.aws_sfn_state_machine.this",
        f"{WF}.data.aws_iam_policy_document.p",
    }  # the queue being deleted is not part of what the plan deploys
    machine = plan.get(f"{WF}.aws_sfn_state_machine.this")
    assert machine.module_address == WF
    assert machine.config_address == "aws_sfn_state_machine.this"
    data = plan.get(f"{WF}.data.aws_iam_policy_document.p")
    assert data.mode == "data" and data.config_address == "data.aws_iam_policy_document.p"


def test_unknown_markers(plan) -> None:
    machine = plan.get(f"{WF}.aws_sfn_state_machine.this")
    assert machine.is_unknown("role_arn") and machine.has_value("role_arn")
    assert not machine.is_unknown("name") and machine.get("name") == "wf-a"
    assert not machine.has_value("logging_configuration")


def test_references_follow_module_variables_and_outputs(plan) -> None:
    policy = plan.get(f"{WF}.aws_iam_role_policy.this")
    machine = plan.get(f"{WF}.aws_sfn_state_machine.this")
    assert [r.address for r in plan.resolve(policy, "role")] == ["module.roles.aws_iam_role.exec"]
    assert [r.address for r in roles_for(plan, machine, "role_arn")] == ["module.roles.aws_iam_role.exec"]
    assert [r.address for r in plan.resolve(policy, "policy")] == [f"{WF}.data.aws_iam_policy_document.p"]


def test_inline_policy_attached_through_references(plan) -> None:
    view = role_views(plan)["module.roles.aws_iam_role.exec"]
    assert [s.actions for d in view.policies for s in d.statements] == [("sqs:SendMessage",)]
    assert view.trust.statements[0].principals == {"Service": ("states.amazonaws.com",)}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ('{"format_version": "1.2", "planned_values": {', "is not valid JSON"),
        ('{"resources": []}', "is not a plan JSON"),
        ("[1, 2]", "is not a plan JSON"),
    ],
)
def test_bad_plan_files_give_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content)
    with pytest.raises(StepgateError, match=message):
        load_plan(path)


def test_unreadable_plan_file(tmp_path: Path) -> None:
    with pytest.raises(StepgateError, match="cannot read plan file"):
        load_plan(tmp_path / "missing.json")


def test_plan_from_dict_keeps_document() -> None:
    document = json.loads((DATA / "modules_plan.json").read_text())
    assert load_plan(document).document is document
