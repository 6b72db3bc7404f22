"""checkov as a library: the stepgate policies in policies/checks on the HCL and on the plan JSON.

Offline by construction: the runners are called directly (no platform integration, so nothing is
downloaded) and BC_SKIP_DOWNLOAD is set for any code path that still looks. run_policies selects only
the stepgate checks (ids SG-*); builtin_failures runs checkov's own checks, to compare coverage.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from stepgate.errors import StepgateError
from stepgate.plan.findings import Finding, Severity

POLICY_DIR = Path(__file__).resolve().parent.parent / "policies" / "checks"


@contextlib.contextmanager
def _quiet_offline() -> Iterator[None]:
    """checkov logs loading chatter and may print; keep the user's terminal for stepgate's own report."""
    previous = {key: os.environ.get(key) for key in ("BC_SKIP_DOWNLOAD", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "LOG_LEVEL")}
    os.environ["BC_SKIP_DOWNLOAD"] = "TRUE"
    os.environ["LOG_LEVEL"] = "ERROR"
    logging.getLogger("checkov").setLevel(logging.CRITICAL)
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def policy_ids(policy_dir: Path = POLICY_DIR) -> list[str]:
    """Check ids declared in the policy files (what the runner filter selects)."""
    ids = []
    for path in sorted(policy_dir.glob("*.py")):
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith('id="SG-'):
                ids.append(stripped.split('"')[1])
    return ids


def _records(report: Any) -> list[Any]:
    reports = report if isinstance(report, list) else [report]
    return [record for item in reports for record in getattr(item, "failed_checks", [])]


def _failed_records(plan_document: Mapping[str, Any] | None, hcl_dir: Path | None, policy_dir: Path | None,
                    checks: Sequence[str] | None) -> tuple[list[Any], list[Any]]:
    """(plan records, HCL records) of failed checks; only `checks` when given, else all loaded ones."""
    from checkov.runner_filter import RunnerFilter
    from checkov.terraform.plan_runner import Runner as PlanRunner
    from checkov.terraform.runner import Runner as HclRunner

    external = [str(policy_dir)] if policy_dir else None
    selected = list(checks) if checks else None
    plan_records: list[Any] = []
    hcl_records: list[Any] = []
    with _quiet_offline(), tempfile.TemporaryDirectory(prefix="stepgate-checkov-") as scratch:
        if plan_document is not None:
            plan_file = Path(scratch) / "plan.json"
            plan_file.write_text(json.dumps(plan_document))
            report = PlanRunner().run(root_folder=None, files=[str(plan_file)], external_checks_dir=external,
                                      runner_filter=RunnerFilter(framework=["terraform_plan"], checks=selected))
            plan_records = _records(report)
        if hcl_dir is not None:
            report = HclRunner().run(root_folder=str(hcl_dir), external_checks_dir=external,
                                     runner_filter=RunnerFilter(framework=["terraform"], checks=selected, download_external_modules=False))
            hcl_records = _records(report)
    return plan_records, hcl_records


def run_policies(
    rules: Mapping[str, tuple[Severity, str]],
    plan_document: Mapping[str, Any] | None = None,
    hcl_dir: Path | None = None,
    policy_dir: Path = POLICY_DIR,
) -> list[Finding]:
    """Failed stepgate policy checks as Findings. `rules` maps rule id -> (severity, title)."""
    ids = policy_ids(policy_dir)
    if not ids:
        raise StepgateError(f"no stepgate checkov policies found in {policy_dir}")
    plan_records, hcl_records = _failed_records(plan_document, hcl_dir, policy_dir, ids)
    findings = [_finding(r, rules) for r in plan_records] + [_finding(r, rules, hcl=True) for r in hcl_records]
    return dedupe(findings)


def builtin_failures(plan_document: Mapping[str, Any] | None = None, hcl_dir: Path | None = None) -> set[tuple[str, str]]:
    """(check id, resource address) of checkov's own built-in checks that fail: what checkov alone reports."""
    plan_records, hcl_records = _failed_records(plan_document, hcl_dir, None, None)
    return {(r.check_id, _address(r.resource)) for r in plan_records + hcl_records}


def _finding(record: Any, rules: Mapping[str, tuple[Severity, str]], hcl: bool = False) -> Finding:
    severity, title = rules.get(record.check_id, (Severity.MEDIUM, record.check_name))
    where = f" ({record.file_path}:{record.file_line_range[0]})" if hcl and record.file_line_range else ""
    return Finding(record.check_id, severity, title, _address(record.resource), f"{title} fails{where}", source="checkov")


def _address(resource: str) -> str:
    """checkov names module resources `path/to/module.tf.module.x.aws_y.z` in HCL mode; keep the address part."""
    marker = resource.find("module.")
    if ".tf." in resource and marker > 0:
        return resource[marker:]
    return resource


def dedupe(findings: Sequence[Finding]) -> list[Finding]:
    """One finding per (rule, resource); the first (engine before checkov, plan before HCL) wins."""
    seen: dict[tuple[str, str], Finding] = {}
    for finding in findings:
        seen.setdefault(finding.key, finding)
    return list(seen.values())
