"""Every example checks clean: stepgate reports no unsuppressed finding, and checkov's own built-in checks
pass or are skipped in the HCL with `#checkov:skip=ID:reason`, the reason not empty.

Each example is planned once per session and binary by the `plan_example` fixture (against the session's
sandbox, so account id and region are literal); stepgate checks both binaries' plans, checkov's built-in
checks read the HCL and the tofu plan (their verdicts depend on the configuration, not the binary).
Suppressions and checkov's HCL scan read the example's directory in the repository, where its comments are.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stepgate.checkov import builtin_findings, failed_records, record_address
from stepgate.engine import CheckOptions, run_checks
from stepgate.findings import Finding
from stepgate.plan import load_plan
from stepgate.rules.suppression import SUPPRESSION_RULE
from stepgate.source import SourceTree
from stepgate.suppress import apply_suppressions, inline_suppressions

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"
EXAMPLES = sorted(p.name for p in EXAMPLES_DIR.iterdir() if p.is_dir() and any(p.glob("*.tf")))


def _lines(findings: list[Finding]) -> str:
    return "\n".join(f"  {f.rule_id} {f.address}: {f.message}" for f in findings)


def test_there_are_examples_to_check() -> None:
    assert len(EXAMPLES) >= 6, f"expected the six examples under {EXAMPLES_DIR}, found {EXAMPLES}"


@pytest.mark.parametrize("example", EXAMPLES)
def test_stepgate_check_is_clean(example: str, plan_example: Callable[..., dict[str, Any]]) -> None:
    findings = run_checks(load_plan(plan_example(example)), CheckOptions(source_dir=EXAMPLES_DIR / example))
    active = [f for f in findings if f.suppressed is None]
    assert not active, f"examples/{example}: {len(active)} unsuppressed stepgate finding(s):\n{_lines(active)}"


@pytest.mark.parametrize("example", EXAMPLES)
def test_checkov_builtin_checks_pass_or_are_skipped_with_a_reason(example: str, tofu_plan_example: Callable[..., dict[str, Any]]) -> None:
    source = EXAMPLES_DIR / example
    plan = load_plan(tofu_plan_example(example))
    # The HCL scan honours skip comments itself (with or without a reason) ...
    hcl_failures = sorted((r.check_id, record_address(r.resource)) for r in failed_records(hcl_dir=source) if not r.check_id.startswith("SG-"))
    # ... the plan JSON has no comments: a plan-mode failure passes only when the HCL skips that check on
    # that resource with a reason (stepgate's suppression matching: same module directory and block).
    skips = [s for s in inline_suppressions(SourceTree.of(plan, source)) if not s.rule_id.startswith("SG-")]
    checked = apply_suppressions(plan, builtin_findings(plan.document), skips)
    unjustified = [f for f in checked if f.suppressed is None and f.rule_id != SUPPRESSION_RULE.id]
    reasonless = [f for f in checked if f.rule_id == SUPPRESSION_RULE.id]
    problems = [f"  {check_id} {address}: fails on the HCL" for check_id, address in hcl_failures]
    problems += [f"  {f.rule_id} {f.address}: fails on the plan and no #checkov:skip with a reason covers it" for f in unjustified]
    problems += [f"  {f.address}: {f.message}" for f in reasonless]
    assert not problems, f"examples/{example}: checkov built-in checks:\n" + "\n".join(problems)
