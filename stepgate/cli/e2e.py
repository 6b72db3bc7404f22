"""Front door for `stepgate sandbox up|down|status`, `stepgate e2e DIR` and `stepgate scenario init DIR`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from stepgate.e2e.scenario import DEFAULT_FILE, DEFAULT_OUTPUT
from stepgate.cli.args import parse_vars
from stepgate.errors import StepgateError
from stepgate.sandbox import DEFAULT_REGION, is_alive, is_healthy, list_sandboxes, start_sandbox, stop_sandbox

if TYPE_CHECKING:
    from stepgate.e2e.runner import E2EReport


def register(subparsers: Any) -> None:
    sandbox = subparsers.add_parser("sandbox", help="start, stop or list local AWS emulator sandboxes")
    actions = sandbox.add_subparsers(dest="sandbox_action", metavar="ACTION", required=True)
    up = actions.add_parser("up", help="start a LocalStack sandbox on a free 127.0.0.1 port and leave it running")
    up.add_argument("--timeout", type=float, default=120, help="seconds to wait for the health endpoint (default 120)")
    down = actions.add_parser("down", help="stop recorded sandboxes (all of them, or the one on --port)")
    down.add_argument("--port", type=int, help="stop only the sandbox listening on this port")
    status = actions.add_parser("status", help="list recorded sandboxes with their health")
    for parser in (up, down, status):
        parser.add_argument("--state-root", type=Path, help="where sandbox state dirs live (default ~/.cache/stepgate/sandboxes)")
    up.set_defaults(handler=_sandbox_up)
    down.set_defaults(handler=_sandbox_down)
    status.set_defaults(handler=_sandbox_status)

    e2e = subparsers.add_parser("e2e", help="deploy a configuration, invoke every route, verify executions and audit, destroy")
    e2e.add_argument("directory", type=Path, metavar="DIR", help="a root configuration that calls the stepgate module")
    e2e.add_argument("--scenario", type=Path, metavar="FILE", help=f"the scenario (default: DIR/{DEFAULT_FILE})")
    e2e.add_argument("--target", choices=("local", "aws"), default="local",
                     help="local: a fresh LocalStack sandbox (default); aws: the account in STEPGATE_SANDBOX_ACCOUNT_ID")
    e2e.add_argument("--region", default=DEFAULT_REGION, help=f"AWS region for --target aws (default {DEFAULT_REGION})")
    e2e.add_argument("--var", action="append", default=[], metavar="NAME=VALUE", help="variable to apply the configuration with")
    e2e.add_argument("--state-root", type=Path, help="where the local sandbox keeps its state dir and log")
    e2e.set_defaults(handler=_e2e)

    scenario = subparsers.add_parser("scenario", help="work with e2e scenario files")
    scenario_actions = scenario.add_subparsers(dest="scenario_action", metavar="ACTION", required=True)
    init = scenario_actions.add_parser("init", help=f"write a starter DIR/{DEFAULT_FILE} from the planned routes")
    init.add_argument("directory", type=Path, metavar="DIR", help="a root configuration that calls the stepgate module")
    init.add_argument("--sandbox", action="store_true", help="plan against a throw-away local emulator (no AWS credentials)")
    init.add_argument("--output", default=DEFAULT_OUTPUT, help=f"root output holding the module object (default {DEFAULT_OUTPUT})")
    init.add_argument("--force", action="store_true", help="overwrite an existing scenario file")
    init.add_argument("--var", action="append", default=[], metavar="NAME=VALUE", help="variable for planning")
    init.set_defaults(handler=_scenario_init)


def _sandbox_up(args: argparse.Namespace) -> int:
    sandbox = start_sandbox(args.state_root, args.timeout)
    Console().print(f"sandbox up: {sandbox.endpoint_url} (pid {sandbox.pid}, started in {sandbox.start_seconds:.1f} s, "
                    f"log {sandbox.log_path})", highlight=False)
    return 0


def _sandbox_down(args: argparse.Namespace) -> int:
    chosen = [s for s in list_sandboxes(args.state_root) if args.port is None or s.port == args.port]
    if args.port is not None and not chosen:
        raise StepgateError(f"no recorded sandbox on port {args.port}")
    console = Console()
    for sandbox in chosen:
        stop_sandbox(sandbox)
        console.print(f"sandbox down: {sandbox.endpoint_url} (pid {sandbox.pid})", highlight=False)
    if not chosen:
        console.print("no sandbox running")
    return 0


def _sandbox_status(args: argparse.Namespace) -> int:
    table = Table("endpoint", "pid", "process", "health", "log")
    for sandbox in list_sandboxes(args.state_root):
        alive = is_alive(sandbox)
        table.add_row(sandbox.endpoint_url, str(sandbox.pid), "running" if alive else "gone",
                      "healthy" if alive and is_healthy(sandbox) else "-", str(sandbox.log_path))
    Console().print(table if table.row_count else "no sandbox recorded")
    return 0


def _e2e(args: argparse.Namespace) -> int:
    from stepgate.e2e.runner import run_e2e  # boto3 and the e2e stack load only for e2e runs

    console = Console()
    variables = parse_vars(args.var)
    with console.status("starting") as status:
        def progress(message: str) -> None:
            console.log(message, highlight=False)
            status.update(message)

        report = run_e2e(args.directory, args.scenario, args.target, args.region, args.state_root, variables, progress)
    print_report(console, report)
    return 0 if report.ok else 1


def _scenario_init(args: argparse.Namespace) -> int:
    from stepgate.e2e.starter import write_starter

    console = Console(stderr=True)
    with console.status("planning") as status:
        path = write_starter(args.directory, sandbox=args.sandbox, output=args.output, force=args.force,
                             variables=parse_vars(args.var), progress=status.update)
    Console().print(f"wrote {path}: review its bodies (its TO FILL IN lines name what a request schema still refuses), add the "
                    f"expected states and outputs, then run `stepgate e2e {args.directory}`", highlight=False)
    return 0


def print_report(console: Console, report: "E2EReport") -> None:
    table = Table(title=f"e2e {report.name} ({report.target})", show_lines=False)
    table.add_column("check")
    table.add_column("result")
    table.add_column("detail", overflow="fold")
    for check in report.checks:
        table.add_row(check.name, "[green]ok[/]" if check.ok else "[bold red]FAIL[/]", check.detail)
    console.print(table)
    failed = sum(not check.ok for check in report.checks)
    console.print(f"{len(report.checks) - failed} passed, {failed} failed", style="green" if not failed else "bold red")
