"""examples/human-approval applied in the sandbox and run through its whole scenario: an expense approved
and one rejected by the run acting as reviewer (token read from the reviewer queue, decided through the
approval routes), bad input, Idempotency-Key, the approval routes' refusals, and one audit event per
finished execution."""

from __future__ import annotations

from collections.abc import Callable

from stepgate.e2e.caller import iam_caller
from stepgate.e2e.runner import Deployed, verify_scenario

from .conftest import assert_checks, example_scenario

SCENARIO = example_scenario("human-approval")
ROUTE = SCENARIO.routes[0]
REJECTIONS = ("malformed JSON", "body violates request_schema", "wrong content type", "oversized body", "unknown path", "wrong method")


def test_every_case_and_approval_check_of_the_scenario_passes(deploy_example: Callable[[str], Deployed]) -> None:
    live = deploy_example("human-approval")
    results = verify_scenario(live, SCENARIO, iam_caller(live.target), progress=lambda _: None)
    assert_checks(results)
    names = [check.name for check in results]
    audited = [name for name in names if name.startswith("audit · ")]
    assert names[: len(names) - len(audited)] == [
        f"{ROUTE.label} · expense is approved by the reviewer",
        f"{ROUTE.label} · expense is rejected by the reviewer",
        *(f"{ROUTE.label} · rejects {label}" for label in REJECTIONS),
        f"{ROUTE.label} · no execution started by rejected requests",
        f"{ROUTE.label} · same Idempotency-Key twice -> one execution",
        f"{ROUTE.label} · approvals: unknown token refused (4xx JSON), execution unchanged",
        f"{ROUTE.label} · approvals: malformed bodies refused (4xx JSON), execution unchanged",
        f"{ROUTE.label} · approvals: a used token is refused (4xx), execution ended once",
    ]
    # approved case, rejected case, the idempotency execution and the approval checks' execution
    assert sorted(name.rsplit(" (", 1)[1] for name in audited) == ["FAILED)", "SUCCEEDED)", "SUCCEEDED)", "SUCCEEDED)"]
    assert [(record.case, record.status) for record in live.deployment.records] == [
        ("expense is approved by the reviewer", "SUCCEEDED"), ("expense is rejected by the reviewer", "FAILED"),
        ("idempotency", "SUCCEEDED"), ("approvals", "SUCCEEDED")]
