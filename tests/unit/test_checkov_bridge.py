"""The checkov side: policies are consistent with the rule registry, and run offline on HCL and plans."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest

from stepgate.checkov import POLICY_DIR, dedupe, policy_ids, run_policies
from stepgate.plan.findings import Finding, Severity
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
