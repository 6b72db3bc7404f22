"""The checkov side: policies are consistent with the rule registry, and run offline on HCL and plans."""

from __future__ import annotations

import ast
import json
import subprocess
from pathlib import Path

import pytest

from stepgate.checkov import POLICY_DIR, builtin_failures, dedupe, policy_ids, run_policies
from stepgate.findings import Finding, Severity
from stepgate.rules import RULES

pytestmark = pytest.mark.unit

DATA = Path(__file__).parent / "data"
META = {r.id: (r.severity, r.title) for r in RULES if r.policy}


def _declared(path: Path) -> tuple[str, str]:
    """(id, name) passed to the check's super().__init__ call."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "__init__":
            keywords = {k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)}
            if "id" in keywords:
                return keywords["id"], keywords["name"]
    raise AssertionError(f"{path} declares no check id")


def test_every_policy_rule_has_exactly_one_check_and_no_engine_twin() -> None:
    repo = POLICY_DIR.parent.parent
    for rule in RULES:
        assert not (rule.check and rule.policy), f"{rule.id} is implemented twice"
        if rule.policy:
            check_id, name = _declared(repo / rule.policy)
            assert (check_id, name) == (rule.id, rule.title)
    assert sorted(policy_ids()) == sorted(META)


def test_hcl_scan_with_module_addresses() -> None:
    findings = run_policies(META, hcl_dir=DATA / "hcl_open_api")
    assert {(f.rule_id, f.address) for f in findings} == {("SG-API-001", "module.api.aws_api_gateway_method.open")}
    (finding,) = findings
    assert finding.source == "checkov" and finding.severity == Severity.HIGH and "main.tf" in finding.message


def _plan_with(*resources: tuple[str, dict]) -> dict:
    """A minimal plan of module.api resources (address -> values), enough for checkov's plan runner."""
    items = [{"address": f"module.api.{a}", "mode": "managed", "type": a.split(".")[0], "name": a.split(".")[1].split("[")[0],
              "provider_name": "registry.opentofu.org/hashicorp/aws", "values": v} for a, v in resources]
    return {
        "format_version": "1.2",
        "terraform_version": "1.10.6",
        "planned_values": {"root_module": {"child_modules": [{"address": "module.api", "resources": items}]}},
        "resource_changes": [{**{k: i[k] for k in ("address", "mode", "type", "name", "provider_name")}, "module_address": "module.api",
                              "change": {"actions": ["create"], "before": None, "after": i["values"], "after_unknown": {}}} for i in items],
    }


def test_plan_and_hcl_findings_merge_into_one_with_its_location() -> None:
    plan = _plan_with(("aws_api_gateway_method.open", {"http_method": "POST", "authorization": "NONE"}))
    (finding,) = run_policies(META, plan_document=plan, hcl_dir=DATA / "hcl_open_api")
    assert finding.address == "module.api.aws_api_gateway_method.open"
    assert finding.message == "checkov policy SG-API-001 fails on the plan (HCL: modules/api/main.tf:10)"


def test_hcl_findings_on_resources_the_plan_does_not_create_are_dropped() -> None:
    plan = _plan_with(("aws_api_gateway_method.signed", {"http_method": "PUT", "authorization": "AWS_IAM"}))
    assert run_policies(META, plan_document=plan, hcl_dir=DATA / "hcl_open_api") == []


def test_hcl_values_checkov_cannot_evaluate_are_not_failures() -> None:
    findings = run_policies(META, hcl_dir=DATA / "hcl_unresolved")
    assert {(f.rule_id, f.address) for f in findings} == {("SG-API-003", "aws_api_gateway_stage.off"), ("SG-AUD-003", "aws_api_gateway_stage.off")}


def test_builtin_failures_never_include_the_stepgate_policies() -> None:
    """checkov's registry keeps external checks loaded by an earlier run in the same process."""
    plan_document = json.loads((DATA / "shared_role_plan.json").read_text())
    assert {"SG-API-001"} <= {f.rule_id for f in run_policies(META, plan_document=plan_document)}
    builtin = builtin_failures(plan_document=plan_document)
    assert ("CKV_AWS_290", 'module.step_function.aws_iam_policy.service["stepfunction"]') in builtin
    assert not {check_id for check_id, _ in builtin if check_id.startswith("SG-")}


def test_dedupe_keeps_the_first_of_a_rule_and_resource() -> None:
    first = Finding("SG-API-001", Severity.HIGH, "t", "a", "from the plan")
    again = Finding("SG-API-001", Severity.HIGH, "t", "a", "from the HCL")
    assert dedupe([first, again, Finding("SG-API-003", Severity.LOW, "t", "a", "m")])[:1] == [first]
    assert len(dedupe([first, again])) == 1


def test_standalone_checkov_cli_loads_the_policies(tmp_path: Path) -> None:
    """What a checkov-only user runs, offline."""
    checkov = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "checkov"
    result = subprocess.run(
        [str(checkov), "-d", str(DATA / "hcl_open_api"), "--framework", "terraform", "--external-checks-dir", str(POLICY_DIR),
         "--check", "SG-API-001,SG-AUD-003,SG-API-003", "--skip-download", "--compact", "--quiet"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert "SG-API-001" in result.stdout and "aws_api_gateway_method.open" in result.stdout
    assert "Traceback" not in result.stderr
    assert result.returncode == 1  # one failed check
