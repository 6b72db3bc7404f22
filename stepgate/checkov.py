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
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from stepgate.errors import StepgateError
from stepgate.findings import Finding, Severity

_KEYS = re.compile(r"\[[^\]]*\]")
POLICY_DIR = Path(__file__).resolve().parent.parent / "policies" / "checks"


@contextlib.contextmanager
def _quiet_offline() -> Iterator[None]:
    """checkov logs loading chatter and may print; keep the user's terminal for stepgate's own report."""
    previous = {key: os.environ.get(key) for key in ("BC_SKIP_DOWNLOAD", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2", "LOG_LEVEL",
                                                     "EVAL_TF_PLAN_AFTER_UNKNOWN")}
    os.environ["BC_SKIP_DOWNLOAD"] = "TRUE"
    # A value known only after apply (e.g. the ARN of a KMS key created in the same apply) is set, not
    # missing: checkov then passes existence checks and still fails checks on concrete values.
    os.environ["EVAL_TF_PLAN_AFTER_UNKNOWN"] = "TRUE"
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
            report = _run("the plan", lambda: PlanRunner().run(
                root_folder=None, files=[str(plan_file)], external_checks_dir=external,
                runner_filter=RunnerFilter(framework=["terraform_plan"], checks=selected)))
            plan_records = _records(report)
        if hcl_dir is not None:
            report = _run(str(hcl_dir), lambda: HclRunner().run(
                root_folder=str(hcl_dir), external_checks_dir=external,
                runner_filter=RunnerFilter(framework=["terraform"], checks=selected, download_external_modules=False)))
            hcl_records = _records(report)
    return plan_records, hcl_records


def _run(what: str, call: Callable[[], Any]) -> Any:
    # checkov raises whatever its parsers raise on input they cannot read; the user needs one line, not
    # checkov's internals
    try:
        return call()
    except Exception as error:  # noqa: BLE001 - a third-party boundary, re-raised as one line
        raise StepgateError(f"checkov failed on {what}: {error.__class__.__name__}: {error}") from error


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
    plan_findings = [_finding(r, rules) for r in plan_records]
    if plan_document is None:
        return dedupe([_finding(r, rules, _location(r)) for r in hcl_records])
    # With a plan at hand the HCL scan adds what the plan scan cannot: the file and line of a plan
    # finding (HCL names carry no instance keys, so both are compared without them), and findings on
    # planned resources the plan scan passed. HCL findings on resources the plan does not create (a
    # module with count = 0) are dropped: nothing of them gets deployed.
    changes = plan_document.get("resource_changes") or []
    planned = {_unkeyed(str(c.get("address", ""))) for c in changes if isinstance(c, Mapping)}
    in_plan = {(f.rule_id, _unkeyed(f.address)) for f in plan_findings}
    locations: dict[tuple[str, str], str] = {}
    hcl_only: list[Finding] = []
    for record in hcl_records:
        key = (record.check_id, _unkeyed(_address(record.resource)))
        if key in in_plan:
            locations.setdefault(key, _location(record))
        elif key[1] in planned:
            hcl_only.append(_finding(record, rules, _location(record)))
    located = [
        replace(f, message=f"{f.message} (HCL: {where})") if (where := locations.get((f.rule_id, _unkeyed(f.address)))) else f
        for f in plan_findings
    ]
    return dedupe(located + hcl_only)


def _unkeyed(address: str) -> str:
    return _KEYS.sub("", address)


def builtin_failures(plan_document: Mapping[str, Any] | None = None, hcl_dir: Path | None = None) -> set[tuple[str, str]]:
    """(check id, resource address) of checkov's own built-in checks that fail: what checkov alone reports."""
    plan_records, hcl_records = _failed_records(plan_document, hcl_dir, None, None)
    # checkov keeps external checks in its global registry once run_policies loaded them in this process
    ours = set(policy_ids())
    return {(r.check_id, _address(r.resource)) for r in plan_records + hcl_records if r.check_id not in ours}


def _location(record: Any) -> str:
    """file:line of an HCL record, relative to the scanned directory."""
    line = record.file_line_range[0] if record.file_line_range else 0
    return f"{str(record.file_path).lstrip('/')}:{line}"


def _finding(record: Any, rules: Mapping[str, tuple[Severity, str]], location: str | None = None) -> Finding:
    """A failed record as a Finding; `location` (file:line) is given for records of the HCL scan."""
    severity, title = rules.get(record.check_id, (Severity.MEDIUM, record.check_name))
    scanned = f"the HCL at {location}" if location is not None else "the plan"
    return Finding(record.check_id, severity, title, _address(record.resource), f"checkov policy {record.check_id} fails on {scanned}", source="checkov")


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
