"""`stepgate check PATH` and `stepgate explain RULE_ID`: plan, run the rules and checkov, report, exit code.

PATH is a tofu/terraform directory (planned offline through stepgate.tf), a saved binary plan (shown
with the toolchain from the directory it sits in), or a plan JSON file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from stepgate.errors import StepgateError
from stepgate.plan import Plan, load_plan, read_plan_json
from stepgate.findings import Finding, Severity
from stepgate.report import WRITERS, sort_findings
from stepgate.rules import RULES, get_rule, run_engine
from stepgate.suppress import apply_suppressions, directory_suppressions, load_settings


@dataclass(frozen=True)
class CheckOptions:
    config_path: Path | None = None
    use_checkov: bool = True
    source_dir: Path | None = None  # HCL directory: inline suppressions and checkov's HCL scan


def _toolchain_runner(workdir: Path) -> Any:
    from stepgate.tf import TfRunner, find_toolchain

    return TfRunner(workdir, find_toolchain())


@contextlib.contextmanager
def _quiet_tftest() -> Iterator[None]:
    """tftest logs a failed command's whole output at ERROR before raising; the raised error already
    becomes stepgate's one line, so the log would only bury it."""
    logger = logging.getLogger("tftest")
    previous = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = previous


def plan_document_from_path(path: Path, tf_vars: Mapping[str, Any] | None = None, console: Console | None = None) -> dict[str, Any]:
    """The plan JSON for a directory, a binary plan or a plan JSON file."""
    with _quiet_tftest():
        return _plan_document(Path(path), tf_vars, console)


def _plan_document(path: Path, tf_vars: Mapping[str, Any] | None, console: Console | None) -> dict[str, Any]:
    if not path.exists():
        raise StepgateError(f"{path} does not exist")
    status = (console or Console(stderr=True, quiet=True)).status
    if path.is_dir():
        _require_readable_dir(path)
        if not any(path.glob("*.tf")) and not any(path.glob("*.tf.json")):
            raise StepgateError(f"{path} contains no .tf files")
        runner = _toolchain_runner(path)
        with status(f"{runner.toolchain.kind} init in {path}"):
            runner.init()
        with status(f"{runner.toolchain.kind} plan in {path}"):
            return runner.plan(tf_vars)
    if zipfile.is_zipfile(path):
        runner = _toolchain_runner(path.parent)
        with status(f"{runner.toolchain.kind} show {path.name}"):
            return runner.show(path)
    document = read_plan_json(path)
    if not isinstance(document, dict):
        raise StepgateError(f"{path} is not a plan JSON: use `tofu show -json PLANFILE`")
    return document


def _require_readable_dir(path: Path) -> None:
    # glob() silently finds nothing in a directory it may not list, which would read as "no .tf files"
    if not os.access(path, os.R_OK | os.X_OK):
        raise StepgateError(f"{path} is not readable (permission denied)")


def plan_from_path(path: Path, tf_vars: Mapping[str, Any] | None = None) -> Plan:
    return load_plan(plan_document_from_path(Path(path), tf_vars), label=str(path))


def _require_aws(plan: Plan) -> None:
    if not any(r.type.startswith("aws_") for r in plan):
        raise StepgateError(f"{plan.source} plans no AWS resources: nothing for stepgate to check")


def run_checks(plan: Plan, options: CheckOptions, plan_document: Mapping[str, Any] | None = None) -> list[Finding]:
    """Engine findings plus checkov policy findings, de-duplicated, with suppressions applied."""
    from stepgate.checkov import dedupe, run_policies

    _require_aws(plan)
    settings = load_settings(options.config_path)
    findings = run_engine(plan, settings.rule_config)
    if options.use_checkov:
        meta = {rule.id: (rule.severity, rule.title) for rule in RULES if rule.policy}
        findings += run_policies(meta, plan_document=plan_document or plan.document, hcl_dir=options.source_dir)
    suppressions = list(settings.suppressions)
    if options.source_dir is not None:
        suppressions += directory_suppressions(plan, options.source_dir)
    return sort_findings(apply_suppressions(plan, dedupe(findings), suppressions))


# --- baseline ----------------------------------------------------------------------------------------


def read_baseline(path: Path) -> set[tuple[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {(item["rule_id"], item["address"]) for item in data["findings"]}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise StepgateError(f"cannot use baseline {path}: {error.__class__.__name__} {error}; write one with --write-baseline") from error


def write_baseline(path: Path, findings: list[Finding]) -> None:
    entries = [{"rule_id": f.rule_id, "address": f.address} for f in findings if f.suppressed is None]
    path.write_text(json.dumps({"stepgate_baseline": 1, "findings": entries}, indent=2) + "\n", encoding="utf-8")


# --- command line ------------------------------------------------------------------------------------


def register(subparsers: Any) -> None:
    check = subparsers.add_parser("check", help="plan a configuration and check it against the stepgate rules and policies")
    check.add_argument("path", type=Path, help="tofu/terraform directory, saved binary plan, or plan JSON file")
    check.add_argument("--format", choices=sorted(WRITERS), default="table", help="report format (default: table)")
    check.add_argument("--output", type=Path, help="write the report to FILE instead of stdout")
    check.add_argument("--min-severity", default="low", help="report and fail on findings at/above this (info|low|medium|high|critical; "
                       "info adds the checks that could not be evaluated at plan time)")
    check.add_argument("--baseline", type=Path, help="report only findings that are not in this baseline file")
    check.add_argument("--write-baseline", type=Path, metavar="FILE", help="write the current findings as a baseline to FILE")
    check.add_argument("--no-checkov", action="store_true", help="skip the checkov policies (engine rules only)")
    check.add_argument("--config", type=Path, help="YAML config: min_retention_days, extra_star_actions, suppressions")
    check.add_argument("--source", type=Path, metavar="DIR",
                       help="configuration directory a plan file was made from: its inline suppressions apply and checkov scans its HCL too")
    check.add_argument("--var", action="append", default=[], metavar="NAME=VALUE", help="variable for planning a directory")
    check.set_defaults(handler=_check)

    explain = subparsers.add_parser("explain", help="show what a rule checks, why, and how to fix it")
    explain.add_argument("rule_id", nargs="?", help="e.g. SG-IAM-002; omit to list every rule")
    explain.set_defaults(handler=_explain)


def _parse_vars(items: list[str]) -> dict[str, str]:
    parsed = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise StepgateError(f"--var expects NAME=VALUE, got {item!r}")
        parsed[name] = value
    return parsed


def _check(args: argparse.Namespace) -> int:
    threshold = Severity.parse(args.min_severity)
    console = Console(stderr=True)
    path: Path = args.path
    # input mistakes fail before planning, which may take minutes
    known = read_baseline(args.baseline) if args.baseline else None
    load_settings(args.config)
    source_dir = _source_dir(path, args.source)
    document = plan_document_from_path(path, _parse_vars(args.var), console)
    plan = load_plan(document, label=str(path))
    options = CheckOptions(config_path=args.config, use_checkov=not args.no_checkov, source_dir=source_dir)
    with console.status("checking" + (" (engine and checkov)" if options.use_checkov else " (engine)")):
        findings = run_checks(plan, options, plan_document=document)
    if args.write_baseline:
        try:
            write_baseline(args.write_baseline, findings)
        except OSError as error:
            raise StepgateError(f"cannot write baseline {args.write_baseline}: {error.strerror or error}") from error
    if known is not None:
        findings = [f for f in findings if f.key not in known]
    shown = [f for f in findings if f.severity >= threshold]
    report = WRITERS[args.format](shown)
    if args.output:
        try:
            args.output.write_text(report, encoding="utf-8")
        except OSError as error:
            raise StepgateError(f"cannot write {args.output}: {error.strerror or error}") from error
    else:
        print(report, end="")
    return 1 if any(f.suppressed is None for f in shown) else 0


def _source_dir(path: Path, source: Path | None) -> Path | None:
    if source is None:
        return path if path.is_dir() else None
    if not source.is_dir():
        raise StepgateError(f"--source {source} is not a directory")
    _require_readable_dir(source)
    return source


def _explain(args: argparse.Namespace) -> int:
    console = Console(soft_wrap=True)
    if not args.rule_id:
        for rule in RULES:
            console.print(f"{rule.id:<11} {rule.severity.name:<8} {rule.title}  [dim]({rule.implemented_by})[/]", highlight=False)
        return 0
    rule = get_rule(args.rule_id)
    console.print(f"[bold]{rule.id}[/] {rule.title}", highlight=False)
    console.print(f"severity:       {rule.severity.name.lower()}", highlight=False)
    console.print(f"implemented by: {rule.implemented_by}", highlight=False)
    console.print(f"why:            {rule.rationale}", highlight=False)
    console.print(f"fix:            {rule.fix}", highlight=False)
    console.print(f"see:            {rule.link}", highlight=False)
    return 0
