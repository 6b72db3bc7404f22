"""`stepgate check` end to end on real plans, as a user's repository runs it: a configuration outside this
repository that calls the module by a relative path, planned with --sandbox (no credentials); a saved
binary plan; a weakened configuration; and the one-line error without credentials and without --sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stepgate.cli import main
from stepgate.planning import plan_directory
from stepgate.sandbox import render_provider_override
from stepgate.tf import TfRunner
from stepgate.workspace import open_workspace

REPO_ROOT = Path(__file__).resolve().parents[2]
BASIC = REPO_ROOT / "examples" / "basic"


def consumer_copy(tmp_path: Path, extra: str = "") -> Path:
    """examples/basic as a team's own infra/ directory elsewhere on disk, its module source rewritten to a
    relative path from there to this checkout."""
    infra = tmp_path / "team-repo" / "infra"
    infra.mkdir(parents=True)
    for source in BASIC.glob("*.tf"):
        text = source.read_text().replace('source = "../.."', f'source = "{os.path.relpath(REPO_ROOT, infra)}"')
        (infra / source.name).write_text(text)
    if extra:
        (infra / "extra.tf").write_text(extra)
    return infra


def test_a_consumer_directory_checks_clean_with_sandbox_and_nothing_is_written(toolchain: Any, tmp_path: Path,
                                                                               capsys: pytest.CaptureFixture[str]) -> None:
    infra = consumer_copy(tmp_path)
    before = sorted(p.name for p in infra.iterdir())
    assert main(["check", str(infra), "--sandbox", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
    assert sorted(p.name for p in infra.iterdir()) == before


def test_a_wildcard_grant_fails_the_check_with_its_file_and_line(toolchain: Any, sandbox: Any, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # Widen the example's queue grant the way public examples do: every SQS action on every queue.
    infra = consumer_copy(tmp_path, '\nresource "aws_iam_role_policy" "widened" {\n'
                                    '  name   = "widened"\n'
                                    '  role   = "stepgate-basic-process-report-exec"\n'
                                    '  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sqs:*", Resource = "*" }] })\n'
                                    "}\n")
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan_directory(infra, sandbox=sandbox, toolchain=toolchain)))
    code = main(["check", str(plan_file), "--source", str(infra), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 1, err
    found = {(f["rule_id"], f["address"], f["file"], f["line"]) for f in json.loads(out)["findings"]}
    assert {("SG-IAM-001", "aws_iam_role_policy.widened", "extra.tf", 2), ("SG-IAM-002", "aws_iam_role_policy.widened", "extra.tf", 2)} <= found


def test_a_saved_binary_plan_checks_clean(toolchain: Any, sandbox: Any, capsys: pytest.CaptureFixture[str]) -> None:
    with open_workspace(BASIC, render_provider_override(sandbox.endpoint_url, sandbox.region), keep_lock_file=False) as workspace:
        runner = TfRunner(workspace.workdir, toolchain, disposable=True)
        runner.init()
        runner.plan(out=workspace.workdir / "basic.tfplan")
        code = main(["check", str(workspace.workdir / "basic.tfplan"), "--source", str(BASIC), "--format", "json"])
    out, _ = capsys.readouterr()
    assert code == 0, out
    assert json.loads(out)["findings"] == []


def test_without_credentials_and_without_sandbox_the_error_says_to_use_it(toolchain: Any, tmp_path: Path) -> None:
    infra = consumer_copy(tmp_path)
    keep = ("PATH", "HOME", "STEPGATE_TF_BINARY", "STEPGATE_PROVIDER_MIRROR", "TF_CLI_CONFIG_FILE")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env.update({"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": str(tmp_path / "none"),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "COLUMNS": "400"})
    result = subprocess.run([sys.executable, "-m", "stepgate.cli", "check", str(infra)], capture_output=True, text=True, env=env, timeout=600)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith("stepgate: planning infra needs AWS credentials") and lines[0].endswith(
        "without credentials, use --sandbox to plan against a throw-away local emulator")
