"""examples/express-sync through the whole `stepgate e2e` run (its own sandbox, apply, every check, destroy):
a sync EXPRESS route answers with the output or a 500, refuses bad input, and leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

from stepgate.e2e.runner import run_e2e
from stepgate.sandbox import list_sandboxes

from .conftest import EXAMPLES, assert_checks, example_scenario

SCENARIO = example_scenario("express-sync")
ROUTE = SCENARIO.routes[0]


def test_the_e2e_run_passes_every_check_of_the_scenario(tmp_path: Path) -> None:
    report = run_e2e(EXAMPLES / "express-sync", target_kind="local", state_root=tmp_path)
    assert_checks(report.checks)
    names = [check.name for check in report.checks]
    expected = [f"{ROUTE.label} · {case.name}" for case in ROUTE.cases] + [
        f"{ROUTE.label} · rejects {label}" for label in
        ("malformed JSON", "body violates request_schema", "wrong content type", "oversized body", "unknown path", "wrong method")
    ] + [f"{ROUTE.label} · no execution started by rejected requests", "destroy leaves nothing behind"]
    assert names == expected  # sync EXPRESS: no Idempotency-Key check, no audit stream; IAM refusal only on AWS
    assert [(record.case, record.status) for record in report.records] == [(case.name, case.status) for case in ROUTE.cases]
    assert list_sandboxes(tmp_path) == []  # the run's sandbox was stopped and its record removed
