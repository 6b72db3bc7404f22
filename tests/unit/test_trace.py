"""The trace audit table: only the demo's executions, logged at a readable UTC clock time, lag after stop."""

from __future__ import annotations

from datetime import datetime, timezone

from rich.console import Console

from stepgate.e2e.trace import audit_table
from stepgate.e2e.verify import AuditEvent

ARN = "arn:aws:states:us-east-1:000000000000:execution:reports-process-report:req-1"
STOP = datetime(2026, 12, 1, 10, 0, 0, tzinfo=timezone.utc)


def render(events: list[AuditEvent]) -> str:
    console = Console(width=120, record=True)
    console.print(audit_table(events, {"valid report": {"executionArn": ARN, "stopDate": STOP}}))
    return console.export_text()


def test_audit_rows_show_clock_time_and_lag_after_the_stop() -> None:
    logged = datetime(2026, 12, 1, 10, 0, 0, 250000, tzinfo=timezone.utc).timestamp()
    other = AuditEvent(ARN.replace("req-1", "someone-else"), "FAILED", "sm", logged, {})
    text = render([AuditEvent(ARN, "SUCCEEDED", "sm", logged, {}), other])
    row = next(line for line in text.splitlines() if "req-1" in line)
    assert "valid report" in row and "SUCCEEDED" in row and "10:00:00.250" in row and "250" in row.split("10:00:00.250")[1]
    assert "someone-else" not in text
