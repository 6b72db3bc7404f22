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


# --- per-use resolution of values only known after apply -----------------------------------------------


def _config_plan(resources: list[dict], module_calls: dict | None = None) -> dict:
    """A plan JSON whose configuration has explicit expressions (as tofu prints them); root resources and
    resources of root-level module calls (`module.NAME.type.name`)."""
    planned: dict = {"resources": [], "child_modules": []}
    config: dict = {"resources": [], "module_calls": {}}
    children: dict[str, dict] = {}
    for item in resources:
        parts = item["address"].split(".", 2)
        module, local = (f"module.{parts[1]}", parts[2]) if parts[0] == "module" else ("", item["address"])
        mode = "data" if local.startswith("data.") else "managed"
        rtype, name = (local[5:] if mode == "data" else local).split("[")[0].split(".")
        entry = {"address": item["address"], "mode": mode, "type": rtype, "name": name, "values": item.get("values", {}), "index": item.get("index")}
        node = config
        if module:
            children.setdefault(module, {"address": module, "resources": []})["resources"].append(entry)
            node = config["module_calls"].setdefault(parts[1], {"module": {"resources": []}})["module"]
        else:
            planned["resources"].append(entry)
        config_address = f"{'data.' if mode == 'data' else ''}{rtype}.{name}"
        if not any(r["address"] == config_address for r in node["resources"]):
            node["resources"].append({"address": config_address, "mode": mode, "type": rtype, "name": name, "expressions": item.get("expressions", {})})
    planned["child_modules"] = list(children.values())
    for name, call in (module_calls or {}).items():
        node = config["module_calls"].setdefault(name, {"module": {"resources": []}})
        node["expressions"] = call.get("expressions", {})
        node["module"]["outputs"] = call.get("outputs", {})
    changes = [{"address": r["address"], "mode": "managed", "type": "x", "name": "x",
                "change": {"actions": ["create"], "after": r.get("values", {}), "after_unknown": r.get("unknown", {})}} for r in resources]
    return {"format_version": "1.2", "planned_values": {"root_module": planned}, "resource_changes": changes,
            "configuration": {"root_module": config}}


def test_occurrences_are_one_per_use_and_skip_what_is_known() -> None:
    plan = load_plan(_config_plan([
        {"address": "aws_sqs_queue.q", "values": {"name": "q"}, "unknown": {"arn": True}},
        {"address": "aws_lambda_function.f", "values": {"function_name": "f", "arn": "arn:aws:lambda:us-east-1:1:function:f"}},
        {"address": "aws_iam_role_policy.p", "unknown": {"policy": True},
         "expressions": {"policy": {"references": ["aws_sqs_queue.q.arn", "aws_sqs_queue.q", "aws_sqs_queue.q.arn", "aws_sqs_queue.q",
                                                   "aws_lambda_function.f.arn", "aws_lambda_function.f", "local.names", "path.module", "each.value"]}}},
    ]))
    policy = plan.get("aws_iam_role_policy.p")
    found = plan.occurrences(policy, policy.expressions["policy"])
    assert [(o.reference, [t.reference for t in o.targets], o.unresolved) for o in found] == [
        ("aws_sqs_queue.q.arn", ["aws_sqs_queue.q.arn"], ""),
        ("aws_sqs_queue.q.arn", ["aws_sqs_queue.q.arn"], ""),  # two uses of the same reference
        ("local.names", [], "local.names (locals are not in the plan)"),
        ("each.value", [], "each.value"),
    ]  # the function's ARN is known at plan time, path.module always is
    assert plan.describe_unknown(policy, "policy") == " (built from aws_sqs_queue.q.arn, local.names (locals are not in the plan), each.value)"


def test_occurrences_follow_variables_outputs_and_instance_keys() -> None:
    module_calls = {
        "wf": {"expressions": {"queue_arns": {"references": ["module.queues.arns", "module.queues"]}}},
        "queues": {"outputs": {"arns": {"expression": {"references": ['aws_sqs_queue.this["b"].arn', 'aws_sqs_queue.this["b"]', "aws_sqs_queue.this"]}}}},
    }
    plan = load_plan(_config_plan([
        {"address": 'module.queues.aws_sqs_queue.this["a"]', "index": "a", "values": {"name": "a"}, "unknown": {"arn": True}},
        {"address": 'module.queues.aws_sqs_queue.this["b"]', "index": "b", "values": {"name": "b"}, "unknown": {"arn": True}},
        {"address": "module.wf.data.aws_iam_policy_document.p", "unknown": {"json": True},
         "expressions": {"statement": [{"resources": {"references": ["var.queue_arns"]}}]}},
    ], module_calls))
    document = plan.get("module.wf.data.aws_iam_policy_document.p")
    (occurrence,) = plan.occurrences(document, document.expressions["statement"][0]["resources"])
    assert [t.reference for t in occurrence.targets] == ['module.queues.aws_sqs_queue.this["b"].arn']
