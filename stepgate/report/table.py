"""Rich table for terminals: active findings, then suppressed ones with their reasons."""

from __future__ import annotations

import io
from collections.abc import Sequence

from stepgate.findings import Finding, Severity

_STYLE = {Severity.CRITICAL: "bold red", Severity.HIGH: "red", Severity.MEDIUM: "yellow", Severity.LOW: "cyan", Severity.INFO: "dim"}


def render(findings: Sequence[Finding], width: int = 160, color: bool = False) -> str:
    # every report format's writer is imported with stepgate.report; rich only when a table is rendered
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color)
    active = [f for f in findings if f.suppressed is None]
    suppressed = [f for f in findings if f.suppressed is not None]
    if active:
        grid = Table(title=f"stepgate: {len(active)} finding(s)", show_lines=False, expand=True)
        for column in ("Severity", "Rule", "Resource", "Finding", "Source"):
            grid.add_column(column, overflow="fold")
        for f in active:
            resource = f"{f.address}\n{f.location}" if f.location else f.address
            grid.add_row(f"[{_STYLE[f.severity]}]{f.severity.name}[/]", f.rule_id, resource, f"{f.title}: {f.message}", f.source)
        console.print(grid)
    else:
        console.print("stepgate: no findings")
    if suppressed:
        grid = Table(title=f"{len(suppressed)} suppressed finding(s)", expand=True)
        for column in ("Rule", "Resource", "Reason"):
            grid.add_column(column, overflow="fold")
        for f in suppressed:
            grid.add_row(f.rule_id, f.address, f.suppressed or "")
        console.print(grid)
    return buffer.getvalue()
