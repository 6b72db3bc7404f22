"""`make demo`: the whole promise in a few minutes on a laptop, through stepgate's public interface.

Sandbox up, examples/basic applied from its directory, three POST /processReport calls (one succeeds,
one is refused by the request schema, one fails inside the workflow after its retries), then each
started execution traced from its request id (`stepgate trace`: states, retries, errors, audit events),
then destroy and sandbox down.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from stepgate.e2e.checks import CheckResult, Deployment, collect_audit
from stepgate.e2e.invoke import HttpResponse
from stepgate.e2e.runner import deployed
from stepgate.e2e.scenario import DEFAULT_FILE, Route, load_scenario
from stepgate.e2e.target import Target
from stepgate.e2e.trace import Sources, render, short, trace
from stepgate.e2e.verify import wait_for_execution
from stepgate.errors import StepgateError
from stepgate.sandbox import running_sandbox

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "basic"


def run_demo(console: Console, directory: Path = EXAMPLE) -> int:
    scenario = load_scenario(directory / DEFAULT_FILE)
    route = scenario.routes[0]
    succeeding = next(case for case in route.cases if case.status == "SUCCEEDED")
    failing = next(case for case in route.cases if case.status == "FAILED")
    checks: list[CheckResult] = []
    console.rule(f"stepgate demo: {route.label} -> Step Functions, in a local sandbox")
    with console.status("starting the sandbox") as status:
        def progress(message: str) -> None:
            console.log(message, highlight=False)
            status.update(message)

        with running_sandbox() as sandbox:
            progress(f"sandbox up at {sandbox.endpoint_url} in {sandbox.start_seconds:.1f} s (pid {sandbox.pid})")
            target = Target("local", sandbox.region, sandbox.endpoint_url)
            with deployed(directory, target, sandbox=sandbox, variables=scenario.variables, progress=progress, teardown=checks) as live:
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
                collect_audit(deployment.logs, deployment.audit_log_group or "",  # so each trace shows its audit events
                              {e["executionArn"]: e["status"] for e in executions.values()}, 90)
                console.print(_requests_table(route, answers, executions))
                sources = Sources.from_module(live.module, deployment.sfn, deployment.logs)
                for label, _, response in answers:
                    if label in executions:
                        console.print(Panel(render(trace(response.json()["requestId"], sources)), title=label))
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
        table.add_row(label, short(body, 40), str(response.status), short(response.json() or response.body.decode(errors="replace"), 60),
                      execution["name"] if execution else "-", f"[{colour}]{status}[/]")
    return table


if __name__ == "__main__":
    console = Console()
    try:
        sys.exit(run_demo(console))
    except StepgateError as error:
        console.print(f"[bold red]demo:[/] {error}", highlight=False)
        sys.exit(2)
