"""Report writers: findings in, text out. Each writer takes the findings and returns the rendered report."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from stepgate.findings import Finding
from stepgate.report import json_report, junit, sarif, table

Writer = Callable[[Sequence[Finding]], str]
WRITERS: dict[str, Writer] = {
    "table": table.render,
    "json": json_report.render,
    "junit": junit.render,
    "sarif": sarif.render,
}


def sort_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Most severe first, then by rule and resource, so reports are stable between runs."""
    return sorted(findings, key=lambda f: (-f.severity, f.rule_id, f.address, f.message))


__all__ = ["WRITERS", "Writer", "sort_findings"]
