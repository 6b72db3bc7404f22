"""`stepgate check` / `stepgate explain` through the real command line entry point."""

from __future__ import annotations

import json
import os
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
    code, out, _ = run(capsys, "check", str(CLEAN))
    assert code == 0 and "no findings" in out


def test_findings_exit_one_and_json_report(capsys, tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    code, out, _ = run(capsys, "check", str(SHARED), "--format", "json", "--output", str(report))
    assert code == 1 and out == ""
    rules = {f["rule_id"] for f in json.loads(report.read_text())["findings"]}
    assert {"SG-IAM-001", "SG-IAM-005", "SG-IAM-007"} <= rules


def test_min_severity_filters_and_decides_exit(capsys) -> None:
    code, out, _ = run(capsys, "check", str(SHARED), "--format", "json", "--min-severity", "critical")
    assert code == 0 and json.loads(out)["findings"] == []


def test_every_rule_runs_in_the_engine_and_checkov_built_ins_only_when_asked(capsys) -> None:
    code, out, _ = run(capsys, "check", str(SHARED), "--format", "json")
    findings = json.loads(out)["findings"]
    assert {("SG-API-001", "stepgate"), ("SG-API-006", "stepgate"), ("SG-IAM-007", "stepgate")} <= {(f["rule_id"], f["source"]) for f in findings}
    assert {f["source"] for f in findings} == {"stepgate"}
    code, out, _ = run(capsys, "check", str(SHARED), "--format", "json", "--with-checkov")
    builtin = {f["rule_id"] for f in json.loads(out)["findings"] if f["source"] == "checkov"}
    assert "CKV_AWS_290" in builtin and not any(rule.startswith("SG-") for rule in builtin)


def test_baseline_reports_only_new_findings(capsys, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    assert run(capsys, "check", str(SHARED), "--write-baseline", str(baseline))[0] == 1
    code, out, _ = run(capsys, "check", str(SHARED), "--baseline", str(baseline), "--format", "json")
    assert code == 0 and json.loads(out)["findings"] == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ('{"format_version": "1.2", "planned', "is not valid JSON"),
        ('{"hello": "world"}', "is not a plan JSON"),
        ('{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"address": "null_resource.x", '
         '"mode": "managed", "type": "null_resource", "name": "x", "values": {}}]}}}', "plans no AWS resources"),
        ('{"format_version": "1.2", "planned_values": {"root_module": {"resources": ["aws_s3_bucket.b"]}}}', "not a well-formed plan JSON"),
        ("[1, 2]", "is not a plan JSON"),
    ],
)
def test_bad_input_is_one_line_and_exit_two(capsys, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content)
    code, out, err = run(capsys, "check", str(path))
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_path_and_empty_directory(capsys, tmp_path: Path) -> None:
    assert run(capsys, "check", str(tmp_path / "nope"))[0] == 2
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 2 and "no .tf files" in err


def test_unreadable_directory(capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "main.tf").write_text("")
    locked.chmod(0)
    if os.geteuid() == 0:  # root ignores permission bits; answer access checks as any other user would get them
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if Path(p) == locked else real_access(p, mode, **kw))
    try:
        code, out, err = run(capsys, "check", str(locked))
    finally:
        locked.chmod(0o755)
    assert code == 2 and err.strip().splitlines() == [f"stepgate: {locked} is not readable (permission denied)"]


def test_missing_binary_is_a_clear_error(capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf").write_text("")
    monkeypatch.setenv("STEPGATE_TF_BINARY", str(tmp_path / "no-such-tofu"))
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 2 and "no-such-tofu" in err


def test_failing_tofu_is_one_line(tmp_path: Path) -> None:
    """A stand-in binary that fails `init` the way tofu does without a provider build; in a fresh process,
    because pytest's log capture would hide what tftest logs on the way."""
    fake = tmp_path / "tofu"
    fake.write_text('#!/bin/sh\nif [ "$1" = version ]; then echo "OpenTofu v1.10.6"; exit 0; fi\n'
                    'echo "Initializing provider plugins..."\necho "Error: Failed to install provider" >&2\nexit 1\n')
    fake.chmod(0o755)
    config = tmp_path / "config"
    config.mkdir()
    (config / "main.tf").write_text("")
    env = {key: value for key, value in os.environ.items() if key != "STEPGATE_PROVIDER_MIRROR"}
    result = subprocess.run([sys.executable, "-m", "stepgate.cli", "check", str(config)], capture_output=True, text=True,
                            timeout=120, env={**env, "STEPGATE_TF_BINARY": str(fake), "HOME": str(tmp_path), "COLUMNS": "300"})
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.strip().splitlines() == [
        "stepgate: tofu init cannot install a provider from your CLI configuration (TF_CLI_CONFIG_FILE or ~/.terraformrc): "
        "Error: Failed to install provider; give the CLI configuration a reachable registry, network mirror or plugin cache, "
        "or set STEPGATE_PROVIDER_MIRROR to a filesystem mirror that holds the provider"]
    assert sorted(p.name for p in config.iterdir()) == ["main.tf"]  # nothing written into the user's directory


def test_bad_severity_and_config(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "check", str(CLEAN), "--min-severity", "urgent")
    assert code == 2 and "unknown severity" in err
    code, _, err = run(capsys, "check", str(CLEAN), "--config", str(tmp_path / "none.yaml"))
    assert code == 2 and "cannot read config" in err


def test_explain(capsys) -> None:
    code, out, _ = run(capsys, "explain", "sg-iam-007")
    assert code == 0 and "StartSyncExecution" in out and "stepgate engine" in out
    code, out, _ = run(capsys, "explain", "SG-API-001")
    assert code == 0 and "also a checkov policy" in out and "CKV_AWS_59" in out
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


def _module_sources(root: Path, step_function: str, api_gateway: str) -> Path:
    """The HCL directories shared_role_plan.json was (notionally) planned from, with the given module bodies."""
    for name, body in (("step_function", step_function), ("api_gateway", api_gateway)):
        (root / "modules" / name).mkdir(parents=True)
        (root / "modules" / name / "main.tf").write_text(body)
    (root / "main.tf").write_text('module "step_function" {\n  source = "./modules/step_function"\n}\n'
                                  'module "api_gateway" {\n  source = "./modules/api_gateway"\n}\n')
    return root


def test_source_dir_brings_inline_suppressions_to_a_plan_file(capsys, tmp_path: Path) -> None:
    source = _module_sources(
        tmp_path,
        'resource "aws_iam_role" "this" {\n  # stepgate:ignore SG-IAM-005 shared until the split in ticket OPS-12\n  name = "example-sfn"\n}\n',
        'resource "aws_apigatewayv2_route" "this" {\n  #checkov:skip=SG-API-001:public webhook, every body is HMAC-verified\n'
        '  route_key = "POST /start"\n}\n'
        'resource "aws_apigatewayv2_stage" "default" {\n  #checkov:skip=SG-AUD-003\n  name = "$default"\n}\n',
    )
    code, out, _ = run(capsys, "check", str(SHARED), "--source", str(source), "--format", "json")
    findings = {(f["rule_id"], f["address"]): f for f in json.loads(out)["findings"]}
    assert code == 1
    assert findings[("SG-IAM-005", "module.step_function.aws_iam_role.this[0]")]["suppressed"] == "shared until the split in ticket OPS-12"
    assert findings[("SG-API-001", 'module.api_gateway.aws_apigatewayv2_route.this["POST /start"]')]["suppressed"] == (
        "public webhook, every body is HMAC-verified")
    # a checkov skip without a reason suppresses nothing and is a finding itself
    assert findings[("SG-AUD-003", "module.api_gateway.aws_apigatewayv2_stage.default[0]")]["suppressed"] is None
    (reasonless,) = [f for f in findings.values() if f["rule_id"] == "SG-SUP-001"]
    assert "SG-AUD-003" in reasonless["message"] and reasonless["address"].endswith("modules/api_gateway/main.tf:6")


def test_source_must_be_a_directory(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "check", str(CLEAN), "--source", str(tmp_path / "nope"))
    assert code == 2 and "is not a directory" in err


def test_unwritable_baseline_is_one_line(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "check", str(SHARED), "--write-baseline", str(tmp_path / "no" / "dir" / "b.json"))
    assert code == 2 and "cannot write baseline" in err and len(err.strip().splitlines()) == 1


def test_bad_baseline_fails_before_planning(capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf").write_text("")
    monkeypatch.setenv("STEPGATE_TF_BINARY", str(tmp_path / "no-such-tofu"))  # planning would fail on this
    (tmp_path / "baseline.json").write_text("[]")
    code, _, err = run(capsys, "check", str(tmp_path), "--baseline", str(tmp_path / "baseline.json"))
    assert code == 2 and "cannot use baseline" in err and "no-such-tofu" not in err
