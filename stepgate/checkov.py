"""checkov's own built-in checks, as an option of `stepgate check --with-checkov`, run as a library offline.

Offline by construction: the runners are called directly (no platform integration, so nothing is
downloaded) and BC_SKIP_DOWNLOAD is set for any code path that still looks. stepgate's own rules never
run here: they run in the engine, and checkov users get them as external checks (stepgate.policies).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from stepgate.errors import StepgateError
from stepgate.findings import Finding, Severity


@contextlib.contextmanager
def quiet_offline() -> Iterator[None]:
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


def _records(report: Any) -> list[Any]:
    reports = report if isinstance(report, list) else [report]
    return [record for item in reports for record in getattr(item, "failed_checks", [])]


def failed_records(plan_document: Mapping[str, Any] | None = None, hcl_dir: Path | None = None,
                   external_dir: Path | None = None, checks: Sequence[str] | None = None) -> list[Any]:
    """checkov's failed check records on a plan JSON and/or an HCL directory (only `checks` when given)."""
    from checkov.runner_filter import RunnerFilter
    from checkov.terraform.plan_runner import Runner as PlanRunner
    from checkov.terraform.runner import Runner as HclRunner

    external = [str(external_dir)] if external_dir else None
    selected = list(checks) if checks else None
    records: list[Any] = []
    with quiet_offline(), tempfile.TemporaryDirectory(prefix="stepgate-checkov-") as scratch:
        if plan_document is not None:
            plan_file = Path(scratch) / "plan.json"
            plan_file.write_text(json.dumps(plan_document))
            records += _records(_run("the plan", lambda: PlanRunner().run(
                root_folder=None, files=[str(plan_file)], external_checks_dir=external,
                runner_filter=RunnerFilter(framework=["terraform_plan"], checks=selected))))
        if hcl_dir is not None:
            records += _records(_run(str(hcl_dir), lambda: HclRunner().run(
                root_folder=str(hcl_dir), external_checks_dir=external,
                runner_filter=RunnerFilter(framework=["terraform"], checks=selected, download_external_modules=False))))
    return records


def _run(what: str, call: Callable[[], Any]) -> Any:
    # checkov raises whatever its parsers raise on input they cannot read; the user needs one line, not
    # checkov's internals
    try:
        return call()
    except Exception as error:  # noqa: BLE001 - a third-party boundary, re-raised as one line
        raise StepgateError(f"checkov failed on {what}: {error.__class__.__name__}: {error}") from error


def record_address(resource: str) -> str:
    """checkov names module resources `path/to/module.tf.module.x.aws_y.z` in HCL mode; keep the address part."""
    marker = resource.find("module.")
    if ".tf." in resource and marker > 0:
        return resource[marker:]
    return resource


def builtin_findings(plan_document: Mapping[str, Any]) -> list[Finding]:
    """checkov's built-in checks that fail on the plan, as findings. checkov gives its built-in checks no
    severity offline, so they are reported at MEDIUM; stepgate's own checks are left out (their
    findings come from the engine)."""
    return [
        Finding(record.check_id, Severity.MEDIUM, record.check_name, record_address(record.resource),
                f"checkov built-in check {record.check_id} fails on the plan", source="checkov")
        for record in failed_records(plan_document)
        if not str(record.check_id).startswith("SG-")
    ]
