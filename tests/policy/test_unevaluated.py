"""A rule that cannot be evaluated (its input is only known after apply) says so at INFO, instead of
passing silently: below the default threshold, listed with --min-severity info."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from snippets import build_plan, load_resources, with_changes

from stepgate.cli import main
from stepgate.plan import load_plan
from stepgate.findings import Severity
from stepgate.rules import run_engine

pytestmark = pytest.mark.unit

HERE = Path(__file__).parent
MACHINE = "module.workflow.aws_sfn_state_machine.this"
ROLE = "module.workflow.aws_iam_role.execution"
INTEGRATION = 'module.api.aws_api_gateway_integration.route["POST /orders"]'
BASE = load_resources(HERE / "cases" / "base.yaml")


def _machine_with_unknown_definition() -> dict:
    (machine,) = [r for r in BASE if r["address"] == MACHINE]
    values = {k: v for k, v in machine["values"].items() if k != "definition"}
    return {**machine, "values": values, "unknown": {**machine["unknown"], "definition": True}}


@pytest.fixture(scope="module")
def plan_document() -> dict:
    return build_plan(with_changes(BASE, {"resources": [_machine_with_unknown_definition()]}))


def test_unknown_definition_is_noted_by_every_rule_that_needs_it(plan_document: dict) -> None:
    findings = run_engine(load_plan(plan_document))
    assert all(f.severity == Severity.INFO and f.message.startswith("not evaluated: ") for f in findings)
    assert {(f.rule_id, f.address) for f in findings} == {
        *((rule_id, MACHINE) for rule_id in ("SG-WF-001", "SG-WF-002", "SG-WF-003", "SG-WF-004", "SG-WF-005")),
        ("SG-IAM-008", ROLE),
        ("SG-IAM-009", ROLE),
    }


def test_notes_do_not_fail_the_default_threshold_but_show_at_info(plan_document: dict, tmp_path: Path, capsys) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_document))
    assert main(["check", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
    assert main(["check", str(path), "--format", "json", "--min-severity", "info"]) == 1
    shown = json.loads(capsys.readouterr().out)["findings"]
    assert {f["severity"] for f in shown} == {"info"} and len(shown) == 7


def test_unknown_trust_policy_is_noted() -> None:
    (role,) = [r for r in BASE if r["address"] == ROLE]
    unknown_trust = {**role, "values": {"name": role["values"]["name"]}, "unknown": {**role["unknown"], "assume_role_policy": True}}
    findings = run_engine(load_plan(build_plan(with_changes(BASE, {"resources": [unknown_trust]}))))
    assert {(f.rule_id, f.address, f.severity) for f in findings} == {
        ("SG-IAM-005", ROLE, Severity.INFO), ("SG-IAM-006", ROLE, Severity.INFO)}


def test_a_state_machine_without_a_role_in_the_plan_is_noted() -> None:
    findings = run_engine(load_plan(build_plan(with_changes(BASE, {"drop": [ROLE]}))))
    notes = {(f.rule_id, f.address) for f in findings if f.severity == Severity.INFO}
    assert {("SG-IAM-008", MACHINE), ("SG-IAM-009", MACHINE)} <= notes



def test_an_integration_whose_uri_is_unknown_is_noted_by_the_rules_its_target_decides() -> None:
    """The base's start integration with its uri built from a data source read during apply: its templates
    pass SG-API-005/006/008/009 and its role SG-API-010 whatever it calls, so only the rules whose verdict
    depends on what it calls (SG-IAM-007: which role for which action; SG-API-011: a callback behind a method
    that is not in the plan) say they could not evaluate it, naming what the uri is built from."""
    (integration,) = [r for r in BASE if r["address"] == INTEGRATION]
    unknown_uri = {**integration, "values": {k: v for k, v in integration["values"].items() if k != "uri"},
                   "unknown": {**integration["unknown"], "uri": True},
                   "references": {**integration["references"], "uri": ["data.aws_region.deferred.name", "data.aws_region.deferred"]}}
    region = {"address": "module.api.data.aws_region.deferred", "values": {}, "unknown": {"name": True}}
    findings = run_engine(load_plan(build_plan(with_changes(BASE, {"resources": [unknown_uri, region]}))))
    assert {(f.rule_id, f.address, f.severity) for f in findings} == {
        ("SG-IAM-007", INTEGRATION, Severity.INFO), ("SG-API-011", INTEGRATION, Severity.INFO)}
    assert all("(built from module.api.data.aws_region.deferred.name)" in f.message for f in findings)
