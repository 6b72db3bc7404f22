"""`stepgate check PATH`, `stepgate explain [RULE_ID]` and `stepgate policies-dir`."""

from __future__ import annotations

import argparse
import gc
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from stepgate.engine import CheckOptions, read_baseline, run_checks, write_baseline
from stepgate.cli.args import parse_vars
from stepgate.errors import StepgateError
from stepgate.findings import Severity
from stepgate.plan import Plan, load_plan
from stepgate.planning import plan_document_from_path, require_readable_dir
from stepgate.report import WRITERS
from stepgate.rules import RULES, get_rule
from stepgate.suppress import load_settings

if TYPE_CHECKING:
    from rich.status import Status


def register(subparsers: Any) -> None:
    check = subparsers.add_parser("check", help="plan a configuration and check it against the stepgate rules")
    check.add_argument("path", type=Path, help="tofu/terraform directory, saved binary plan, or plan JSON file")
    check.add_argument("--sandbox", action="store_true",
                       help="plan the directory against a throw-away local emulator: no AWS credentials needed")
    check.add_argument("--format", choices=sorted(WRITERS), default="table", help="report format (default: table)")
    check.add_argument("--output", type=Path, help="write the report to FILE instead of stdout")
    check.add_argument("--min-severity", default="low", help="report and fail on findings at/above this (info|low|medium|high|critical; "
                       "info adds the checks that could not be evaluated at plan time)")
    check.add_argument("--baseline", type=Path, help="report only findings that are not in this baseline file")
    check.add_argument("--write-baseline", type=Path, metavar="FILE", help="write the current findings as a baseline to FILE")
    check.add_argument("--with-checkov", action="store_true", help="also run checkov's own built-in checks on the plan")
    check.add_argument("--config", type=Path, help="YAML config: min_retention_days, extra_star_actions, suppressions")
    check.add_argument("--source", type=Path, metavar="DIR",
                       help="configuration directory a plan file was made from: file:line of findings and its inline suppressions")
    check.add_argument("--var", action="append", default=[], metavar="NAME=VALUE", help="variable for planning a directory")
    check.set_defaults(handler=_check)

    explain = subparsers.add_parser("explain", help="show what a rule checks, why, and how to fix it")
    explain.add_argument("rule_id", nargs="?", help="e.g. SG-IAM-002; omit to list every rule")
    explain.set_defaults(handler=_explain)

    policies = subparsers.add_parser("policies-dir", help="print the directory of stepgate's checkov checks (for --external-checks-dir)")
    policies.set_defaults(handler=_policies_dir)


def _check(args: argparse.Namespace) -> int:
    threshold = Severity.parse(args.min_severity)
    path: Path = args.path
    # input mistakes fail before planning, which may take minutes
    known = read_baseline(args.baseline) if args.baseline else None
    load_settings(args.config)
    source_dir = _source_dir(path, args.source)
    tf_vars = parse_vars(args.var)
    with _Spinner() as status:
        plan = _load(path, tf_vars, args.sandbox, status.update)
        if status.running or args.with_checkov:
            status.update("checking" + (" (engine and checkov's built-in checks)" if args.with_checkov else ""))
        findings = run_checks(plan, CheckOptions(config_path=args.config, with_checkov=args.with_checkov, source_dir=source_dir))
    if args.write_baseline:
        write_baseline(args.write_baseline, findings)
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


def _load(path: Path, tf_vars: Mapping[str, Any], sandbox: bool, progress: Callable[[str], None]) -> Plan:
    """The plan to check, kept out of the garbage collector's way (a tenth of a check of 5,000 resources):
    reading it makes a million young containers, each batch of which would start a collection with nothing
    to free, and it then lives until the process exits, so frozen, the rules' full collections skip it."""
    gc.disable()
    try:
        plan = load_plan(plan_document_from_path(path, tf_vars, sandbox=sandbox, progress=progress), label=str(path))
    finally:
        gc.enable()
    gc.freeze()
    return plan


class _Spinner:
    """rich's status line on stderr, started by the first message. Only the slow steps report one (tofu
    planning or showing a plan, checkov's checks): checking a plan JSON file takes about as long as
    importing rich, so it runs without."""

    def __init__(self) -> None:
        self._status: Status | None = None

    @property
    def running(self) -> bool:
        return self._status is not None

    def update(self, message: str) -> None:
        if self._status is None:
            from rich.console import Console

            self._status = Console(stderr=True).status(message)
            self._status.start()
        else:
            self._status.update(message)

    def __enter__(self) -> _Spinner:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if self._status is not None:
            self._status.stop()


def _source_dir(path: Path, source: Path | None) -> Path | None:
    if source is None:
        return path if path.is_dir() else None
    if not source.is_dir():
        raise StepgateError(f"--source {source} is not a directory")
    require_readable_dir(source)
    return source


def _explain(args: argparse.Namespace) -> int:
    from rich.console import Console

    console = Console(soft_wrap=True, highlight=False)
    if not args.rule_id:
        for rule in RULES:
            console.print(f"{rule.id:<11} {rule.severity.name:<8} {rule.title}  [dim]({rule.implemented_by})[/]")
        return 0
    rule = get_rule(args.rule_id)
    console.print(f"[bold]{rule.id}[/] {rule.title}")
    console.print(f"severity:       {rule.severity.name.lower()}")
    console.print(f"implemented by: {rule.implemented_by}")
    if rule.resource_types:
        console.print(f"resources:      {', '.join(rule.resource_types)}")
    console.print(f"why:            {rule.rationale}")
    console.print(f"fix:            {rule.fix}")
    if rule.overlaps:
        console.print(f"vs checkov:     {rule.overlaps}")
    console.print(f"see:            {rule.link}")
    return 0


def _policies_dir(args: argparse.Namespace) -> int:
    from stepgate.policies import directory

    print(directory())
    return 0
