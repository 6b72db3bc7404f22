"""From a request to its execution, state by state: how a trace is shown (a rich table, or JSON)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table

from stepgate.e2e.verify import AuditEvent, StateStep


def short(value: Any, width: int) -> str:
    """One line of at most `width` characters: long inputs and outputs end in an ellipsis."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def timeline(label: str, execution: dict[str, Any], steps: list[StateStep]) -> Panel:
    """The states of one execution as entered, with offsets, durations, input and output."""
    start = execution["startDate"].timestamp()
    table = Table(show_edge=False)
    for column in ("state", "type", "entered +ms", "took ms", "input", "output"):
        table.add_column(column, overflow="fold")
    for step in steps:
        took = f"{(step.exited_at - step.entered_at) * 1000:.0f}" if step.exited_at else "-"
        table.add_row(step.name, step.entered_type.removesuffix("StateEntered"), f"{(step.entered_at - start) * 1000:.0f}", took,
                      short(step.input, 40), short(step.output, 40) if step.exited_at else "-")
    footer = f"{execution['status']}" + (f"  error={execution.get('error')}  cause={short(execution.get('cause'), 80)}" if execution.get("error") else "")
    return Panel(Group(table, footer), title=f"{label}: {execution['name']}")


def audit_table(audit: list[AuditEvent], executions: dict[str, dict[str, Any]]) -> Table:
    """Audit events of the given executions (label -> execution), at UTC clock time and lag after stop."""
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
