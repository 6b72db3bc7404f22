"""The check pipeline: plan -> rules -> file:line -> suppressions -> sorted findings; baselines.

Every stepgate rule runs here, in process (stepgate.rules). checkov's own built-in checks are an option
(`with_checkov`): they add what checkov alone reports, under their CKV ids.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from stepgate.errors import StepgateError
from stepgate.findings import Finding
from stepgate.plan import Plan
from stepgate.report import sort_findings
from stepgate.rules import run_engine
from stepgate.source import SourceTree
from stepgate.suppress import apply_suppressions, inline_suppressions, load_settings


@dataclass(frozen=True)
class CheckOptions:
    config_path: Path | None = None
    with_checkov: bool = False  # add checkov's built-in checks
    source_dir: Path | None = None  # HCL directory the plan was made from: file:line and inline suppressions


def _require_aws(plan: Plan) -> None:
    if not any(r.type.startswith("aws_") for r in plan):
        raise StepgateError(f"{plan.source} plans no AWS resources: nothing for stepgate to check")


def run_checks(plan: Plan, options: CheckOptions) -> list[Finding]:
    """Engine findings (plus checkov's built-in ones when asked), located, with suppressions applied."""
    _require_aws(plan)
    settings = load_settings(options.config_path)
    tree = SourceTree.of(plan, options.source_dir) if options.source_dir is not None else None
    if tree is not None:  # values only known after apply are evaluated from this HCL
        from stepgate.plan.sourced import with_sourced_bodies

        plan.sources = tree
        plan = with_sourced_bodies(plan)
    findings = run_engine(plan, settings.rule_config)
    if options.with_checkov:
        from stepgate.checkov import builtin_findings

        findings += builtin_findings(plan.document)
    suppressions = list(settings.suppressions)
    if tree is not None:
        findings = tree.locate(plan, findings)
        suppressions += inline_suppressions(tree)
    return sort_findings(apply_suppressions(plan, findings, suppressions))


def read_baseline(path: Path) -> set[tuple[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {(item["rule_id"], item["address"]) for item in data["findings"]}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise StepgateError(f"cannot use baseline {path}: {error.__class__.__name__} {error}; write one with --write-baseline") from error


def write_baseline(path: Path, findings: list[Finding]) -> None:
    entries = [{"rule_id": f.rule_id, "address": f.address} for f in findings if f.suppressed is None]
    try:
        path.write_text(json.dumps({"stepgate_baseline": 1, "findings": entries}, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise StepgateError(f"cannot write baseline {path}: {error.strerror or error}") from error
