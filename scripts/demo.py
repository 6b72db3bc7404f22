"""`stepgate demo`: the whole promise in a few minutes on a laptop.

Sandbox up, examples/basic applied, three POST /processReport calls (one succeeds, one is refused by the
request schema, one fails inside the workflow after its retries), then each execution's state timeline
and the audit events it produced, then destroy and sandbox down.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from stepgate.e2e.checks import CheckResult, Deployment, collect_audit
from stepgate.e2e.invoke import HttpResponse
from stepgate.e2e.runner import Example, deployed
from stepgate.e2e.scenario import Route, load_scenario
from stepgate.e2e.target import Target
from stepgate.e2e.verify import AuditEvent, StateStep, execution_history, state_steps, wait_for_execution
from stepgate.errors import StepgateError
from stepgate.sandbox import running_sandbox

EXAMPLE = "basic"


def find_repo_root() -> Path:
    """The checkout holding examples/basic: the working directory, else the one this package runs from."""
    for candidate in (Path.cwd(), Path(__file__).resolve().parents[2]):
        if (candidate / "examples" / EXAMPLE).is_dir():
            return candidate
    raise StepgateError(f"examples/{EXAMPLE} not found: run `stepgate demo` from the repository root")


def run_demo(console: Console, state_root: Path | None = None) -> int:
    example = Example(find_repo_root(), EXAMPLE)
    scenario = load_scenario(EXAMPLE)
    route = scenario.routes[0]
    succeeding = next(case for case in route.cases if case.status == "SUCCEEDED")
    failing = next(case for case in route.cases if case.status == "FAILED")
    checks: list[CheckResult] = []
    console.rule(f"stepgate demo: {route.label} -> Step Functions, in a local sandbox")
    with console.status("starting the sandbox") as status:
        def progress(message: str) -> None:
            console.log(message, highlight=False)
            status.update(message)

        with running_sandbox(state_root) as sandbox:
            progress(f"sandbox up at {sandbox.endpoint_url} in {sandbox.start_seconds:.1f} s (pid {sandbox.pid})")
            target = Target("local", sandbox.region, sandbox.endpoint_url)
            with deployed(example, scenario, target, sandbox, progress, checks) as live:
                deployment = live.deployment
                calls = [
                    ("valid report", succeeding.body),
                    ("body violates the request schema", route.invalid_body),
                    ("report the workflow rejects", failing.body),
                ]
                answers = []
                for label, body in calls:
                    progress(f"POST {route.path}: {label}")
                    answers.append((label, body, deployment.invoker.request(route.method, deployment.url(route), body)))
                progress("waiting for the executions and their audit events")
                executions = _finish(deployment, answers)
                audit = collect_audit(deployment.logs, deployment.audit_log_group or "",
                                      {e["executionArn"]: e["status"] for e in executions.values()}, 90)
                console.print(_requests_table(route, answers, executions))
                for label, execution in executions.items():
                    steps = state_steps(execution_history(deployment.sfn, execution["executionArn"]))
                    console.print(_timeline(label, execution, steps))
                console.print(_audit_table(audit, executions))
        progress("sandbox stopped")
    for check in checks:
        console.print(f"{'[green]ok[/]' if check.ok else '[bold red]FAIL[/]'} {check.name}: {check.detail}", highlight=False)
    return 0 if all(check.ok for check in checks) else 1


def _finish(deployment: Deployment, answers: list[tuple[str, Any, HttpResponse]]) -> dict[str, dict[str, Any]]:
    executions = {}
    for label, _, response in answers:
        body = response.json()
        if response.status == 200 and isinstance(body, dict) and "executionArn" in body:
            executions[label] = wait_for_execution(deployment.sfn, body["executionArn"])
    return executions


def _requests_table(route: Route, answers: list[tuple[str, Any, HttpResponse]], executions: dict[str, dict[str, Any]]) -> Table:
    table = Table(title=f"requests to {route.label} (SigV4-signed)")
    for column in ("request", "body", "HTTP", "response", "execution", "status"):
        table.add_column(column, overflow="fold")
    for label, body, response in answers:
        execution = executions.get(label)
        status = execution["status"] if execution else "none started"
        colour = {"SUCCEEDED": "green", "FAILED": "red"}.get(status, "yellow")
        table.add_row(label, _short(body, 40), str(response.status), _short(response.json() or response.body.decode(errors="replace"), 60),
                      execution["name"] if execution else "-", f"[{colour}]{status}[/]")
    return table


def _timeline(label: str, execution: dict[str, Any], steps: list[StateStep]) -> Panel:
    start = execution["startDate"].timestamp()
    table = Table(show_edge=False)
    for column in ("state", "type", "entered +ms", "took ms", "input", "output"):
        table.add_column(column, overflow="fold")
    for step in steps:
        took = f"{(step.exited_at - step.entered_at) * 1000:.0f}" if step.exited_at else "-"
        table.add_row(step.name, step.entered_type.removesuffix("StateEntered"), f"{(step.entered_at - start) * 1000:.0f}", took,
                      _short(step.input, 40), _short(step.output, 40) if step.exited_at else "-")
    footer = f"{execution['status']}" + (f"  error={execution.get('error')}  cause={_short(execution.get('cause'), 80)}" if execution.get("error") else "")
    return Panel(Group(table, footer), title=f"{label}: {execution['name']}")


def _audit_table(audit: list[AuditEvent], executions: dict[str, dict[str, Any]]) -> Table:
    names = {execution["executionArn"]: label for label, execution in executions.items()}
    table = Table(title="audit log group: Step Functions status-change events")
    for column in ("execution", "request", "status", "logged (UTC)", "after stop ms"):
        table.add_column(column)
    stops = {execution["executionArn"]: execution.get("stopDate") for execution in executions.values()}
    for event in sorted(audit, key=lambda e: e.logged_at):
        if event.execution_arn not in names:
            continue
        stop = stops.get(event.execution_arn)
        lag = f"{(event.logged_at - stop.timestamp()) * 1000:.0f}" if stop else "-"
        table.add_row(event.execution_arn.rsplit(":", 1)[-1], names[event.execution_arn], event.status,
                      datetime.fromtimestamp(event.logged_at, timezone.utc).strftime("%H:%M:%S.%f")[:-3], lag)
    return table


def _short(value: Any, width: int) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"
