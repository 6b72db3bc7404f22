"""The checkov checks shipped in stepgate.policies run each single-resource rule's own evaluate(): on
every rule case, checkov's plan scan fails exactly the resources the engine reports (one implementation,
two hosts), and the HCL scan answers UNKNOWN, not FAILED, for values checkov cannot evaluate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_rules import case_plan, cases, findings_of

from stepgate.checkov import builtin_findings, failed_records, record_address
from stepgate.findings import Severity
from stepgate.policies import directory, resource_from_conf
from stepgate.rules import RULES, get_rule

pytestmark = pytest.mark.unit

DATA = Path(__file__).resolve().parents[1] / "unit" / "data"
HOSTED = sorted(rule.id for rule in RULES if rule.evaluate is not None)


def test_the_single_resource_rules_are_the_checkov_checks() -> None:
    source = (directory() / "stepgate_checks.py").read_text()
    assert "StepgateRuleCheck(rule) for rule in RULES if rule.evaluate is not None" in source
    assert HOSTED == ["SG-API-001", "SG-API-003", "SG-API-004", "SG-API-005", "SG-API-006", "SG-API-007", "SG-API-008", "SG-API-009",
                      "SG-API-010", "SG-API-012", "SG-AUD-002", "SG-AUD-003"]


@pytest.mark.parametrize(("rule_id", "variant"), [p for p in cases("violating") + cases("compliant") if p.values[0] in HOSTED])
def test_checkov_fails_exactly_what_the_engine_reports(rule_id: str, variant: dict[str, Any]) -> None:
    engine = {f.address for f in findings_of(rule_id, variant) if f.severity > Severity.INFO}
    records = failed_records(plan_document=case_plan(variant), external_dir=directory(), checks=[rule_id])
    assert {record_address(r.resource) for r in records} == engine
    messages = sorted(detail for r in records for detail in r.details)
    assert messages == sorted(f.message for f in findings_of(rule_id, variant) if f.severity > Severity.INFO)


def test_hcl_values_checkov_cannot_evaluate_are_unknown_not_failed() -> None:
    records = failed_records(hcl_dir=DATA / "hcl_unresolved", external_dir=directory(), checks=HOSTED)
    assert sorted((r.check_id, r.resource) for r in records) == [("SG-API-003", "aws_api_gateway_stage.off"),
                                                                ("SG-AUD-003", "aws_api_gateway_stage.off")]


@pytest.mark.parametrize(("conf", "values", "unknown"), [
    ({"authorization": ["NONE"], "http_method": ["POST"]}, {"authorization": "NONE", "http_method": "POST"}, {}),
    ({"xray_tracing_enabled": ["var.api.xray_tracing"]}, {}, {"xray_tracing_enabled": True}),
    ({"xray_tracing_enabled": [{}]}, {}, {"xray_tracing_enabled": True}),  # optional() checkov could not evaluate
    ({"xray_tracing_enabled": ["true_after_unknown"]}, {}, {"xray_tracing_enabled": True}),  # plan scan, after apply
    ({"request_templates": [{"application/json": "{}"}]}, {"request_templates": {"application/json": "{}"}}, {}),
    ({"logging_configuration": [{"level": ["ALL"], "log_destination": ["${aws_cloudwatch_log_group.x.arn}:*"]}]},
     {"logging_configuration": {"level": "ALL"}}, {"logging_configuration": {"log_destination": True}}),
    ({"types": [["REGIONAL"]], "__start_line__": 3, "count": [1]}, {"types": ["REGIONAL"]}, {}),
])
def test_checkov_configurations_become_plan_resources(conf: dict[str, Any], values: dict[str, Any], unknown: dict[str, Any]) -> None:
    resource = resource_from_conf("aws_x", conf)
    assert (dict(resource.values), dict(resource.unknown)) == (values, unknown)


def test_checkov_cli_runs_the_shipped_checks_offline(tmp_path: Path) -> None:
    """What a checkov-only user runs: the directory `stepgate policies-dir` prints."""
    printed = subprocess.run([sys.executable, "-m", "stepgate.cli", "policies-dir"], capture_output=True, text=True, check=True)
    checkov = Path(sys.executable).parent / "checkov"
    result = subprocess.run(
        [str(checkov), "-d", str(DATA / "hcl_open_api"), "--framework", "terraform", "--external-checks-dir", printed.stdout.strip(),
         "--check", ",".join(HOSTED), "--skip-download", "--compact", "--quiet"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert "Traceback" not in result.stderr
    assert "SG-API-001" in result.stdout and "aws_api_gateway_method.open" in result.stdout
    assert "lets anyone call it (authorization NONE)" in result.stdout  # the engine's own message
    assert result.returncode == 1


def test_builtin_findings_are_checkov_s_own_checks_only() -> None:
    import json

    plan_document = json.loads((DATA / "shared_role_plan.json").read_text())
    found = builtin_findings(plan_document)
    assert ("CKV_AWS_290", 'module.step_function.aws_iam_policy.service["stepfunction"]') in {(f.rule_id, f.address) for f in found}
    assert all(not f.rule_id.startswith("SG-") and f.source == "checkov" for f in found)
    assert get_rule("SG-API-001").evaluate is not None
