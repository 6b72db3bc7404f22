"""`stepgate check` / `stepgate explain` through the real command line entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stepgate.cli import main

pytestmark = pytest.mark.unit

DATA = Path(__file__).parent / "data"
CLEAN = DATA / "compliant_plan.json"
SHARED = DATA / "shared_role_plan.json"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_plan_exits_zero(capsys) -> None:
    code, out, _ = run(capsys, "check", str(CLEAN), "--no-checkov")
    assert code == 0 and "no findings" in out


def test_findings_exit_one_and_json_report(capsys, tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    code, out, _ = run(capsys, "check", str(SHARED), "--no-checkov", "--format", "json", "--output", str(report))
    assert code == 1 and out == ""
    rules = {f["rule_id"] for f in json.loads(report.read_text())["findings"]}
    assert {"SG-IAM-001", "SG-IAM-005", "SG-IAM-007"} <= rules


def test_min_severity_filters_and_decides_exit(capsys) -> None:
    code, out, _ = run(capsys, "check", str(SHARED), "--no-checkov", "--format", "json", "--min-severity", "critical")
    assert code == 0 and json.loads(out)["findings"] == []


def test_checkov_policies_are_merged(capsys) -> None:
    code, out, _ = run(capsys, "check", str(SHARED), "--format", "json")
    findings = json.loads(out)["findings"]
    by_source = {(f["rule_id"], f["source"]) for f in findings}
    assert ("SG-API-001", "checkov") in by_source and ("SG-API-006", "checkov") in by_source
    assert ("SG-IAM-007", "stepgate") in by_source
    assert len({(f["rule_id"], f["address"]) for f in findings}) == len(findings)


def test_baseline_reports_only_new_findings(capsys, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    assert run(capsys, "check", str(SHARED), "--no-checkov", "--write-baseline", str(baseline))[0] == 1
    code, out, _ = run(capsys, "check", str(SHARED), "--no-checkov", "--baseline", str(baseline), "--format", "json")
    assert code == 0 and json.loads(out)["findings"] == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ('{"format_version": "1.2", "planned', "is not valid JSON"),
        ('{"hello": "world"}', "is not a plan JSON"),
        ('{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"address": "null_resource.x", '
         '"mode": "managed", "type": "null_resource", "name": "x", "values": {}}]}}}', "plans no AWS resources"),
    ],
)
def test_bad_input_is_one_line_and_exit_two(capsys, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content)
    code, out, err = run(capsys, "check", str(path), "--no-checkov")
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_path_and_empty_directory(capsys, tmp_path: Path) -> None:
    assert run(capsys, "check", str(tmp_path / "nope"))[0] == 2
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 2 and "no .tf files" in err


def test_missing_binary_is_a_clear_error(capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf").write_text("")
    monkeypatch.setenv("STEPGATE_TF_BINARY", str(tmp_path / "no-such-tofu"))
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 2 and "no-such-tofu" in err


def test_bad_severity_and_config(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "check", str(CLEAN), "--min-severity", "urgent")
    assert code == 2 and "unknown severity" in err
    code, _, err = run(capsys, "check", str(CLEAN), "--config", str(tmp_path / "none.yaml"))
    assert code == 2 and "cannot read config" in err


def test_explain(capsys) -> None:
    code, out, _ = run(capsys, "explain", "sg-iam-007")
    assert code == 0 and "StartSyncExecution" in out and "stepgate engine" in out
    code, out, _ = run(capsys, "explain", "SG-API-001")
    assert code == 0 and "policies/checks/api_authorization.py" in out
    code, _, err = run(capsys, "explain", "SG-NOPE-1")
    assert code == 2 and "unknown rule" in err


def test_explain_lists_every_rule(capsys) -> None:
    code, out, _ = run(capsys, "explain")
    assert code == 0 and "SG-WF-005" in out and "SG-SUP-001" in out


def test_offline_checkov_run_prints_no_traceback(tmp_path: Path) -> None:
    """The real console script in a fresh process, as a user runs it (checkov included)."""
    result = subprocess.run([sys.executable, "-m", "stepgate.cli", "check", str(SHARED), "--format", "sarif"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert json.loads(result.stdout)["version"] == "2.1.0"
