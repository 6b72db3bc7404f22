"""`stepgate check` end to end on real plans: a planned example directory and a saved binary plan both
check clean, and a weakened configuration fails with the finding named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stepgate.cli import main
from stepgate.sandbox import prepare_workdir
from stepgate.tf import TfRunner

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def planned_basic(toolchain: Any, sandbox: Any) -> Path:
    """examples/basic initialised in a sandbox-wired copy, with its binary plan saved next to it."""
    workdir = prepare_workdir(REPO_ROOT, "basic", sandbox.endpoint_url, sandbox.region)
    runner = TfRunner(workdir, toolchain)
    runner.init()
    runner.plan(out=workdir / "basic.tfplan")
    return workdir


def test_directory_checks_clean(planned_basic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(planned_basic), "--no-checkov", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_saved_binary_plan_checks_clean(planned_basic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(planned_basic / "basic.tfplan"), "--source", str(planned_basic), "--format", "json"])
    assert code == 0, capsys.readouterr().out
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_a_wildcard_grant_fails_the_check(planned_basic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Widen the example's queue grant the way public examples do: every SQS action on every queue.
    widened = planned_basic / "stepgate_widened.tf"
    widened.write_text(
        'resource "aws_iam_role_policy" "widened" {\n'
        '  name   = "widened"\n'
        '  role   = "stepgate-basic-process-report-exec"\n'
        '  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "sqs:*", Resource = "*" }] })\n'
        "}\n"
    )
    try:
        code = main(["check", str(planned_basic), "--no-checkov", "--format", "json"])
    finally:
        widened.unlink()
    out, err = capsys.readouterr()
    assert code == 1, err
    findings = json.loads(out)["findings"]
    assert {("SG-IAM-001", "aws_iam_role_policy.widened"), ("SG-IAM-002", "aws_iam_role_policy.widened")} <= {
        (f["rule_id"], f["address"]) for f in findings
    }
