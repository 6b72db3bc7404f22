"""pytest plugin (entry point `stepgate`): plan a configuration and assert it is compliant in three lines.

    def test_infra_is_compliant(stepgate_plan):
        assert_compliant(stepgate_plan("infra/"), min_severity="medium")

`assert_compliant` is importable from this module; the `stepgate_assert_compliant` fixture hands out the
same function for tests that prefer fixtures to imports. Imports of the harness happen inside the
fixtures so that merely having stepgate installed costs pytest nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from stepgate.plan import Plan
    from stepgate.plan.findings import Finding


def assert_compliant(
    subject: "Plan | Sequence[Finding] | str | Path",
    min_severity: str = "low",
    config: "str | Path | None" = None,
    checkov: bool = False,
) -> None:
    """Fail with one readable line per finding at/above `min_severity` (suppressed findings never fail).

    `subject` is a Plan, a plan JSON path, or findings already computed. checkov is off by default
    because it is slow; pass checkov=True to include the policies/ checks as well.
    """
    from stepgate.check import CheckOptions, run_checks
    from stepgate.plan import Plan, load_plan
    from stepgate.plan.findings import Severity

    threshold = Severity.parse(min_severity)
    if isinstance(subject, (str, Path)):
        subject = load_plan(Path(subject))
    if isinstance(subject, Plan):
        findings = run_checks(subject, CheckOptions(config_path=Path(config) if config else None, use_checkov=checkov))
    else:
        findings = list(subject)
    failing = [f for f in findings if f.suppressed is None and f.severity >= threshold]
    if failing:
        lines = [f"  {f.severity.name:<8} {f.rule_id} {f.address}: {f.message}" for f in failing]
        pytest.fail(f"stepgate found {len(failing)} finding(s) at or above {threshold.name}:\n" + "\n".join(lines), pytrace=False)


@pytest.fixture
def stepgate_plan() -> Callable[..., "Plan"]:
    """Factory: a plan JSON file or a tofu/terraform directory (planned offline via stepgate.tf) -> Plan."""
    from stepgate.check import plan_from_path
    from stepgate.errors import StepgateError

    def factory(path: "str | Path", tf_vars: Mapping[str, Any] | None = None) -> "Plan":
        try:
            return plan_from_path(Path(path), tf_vars=tf_vars)
        except StepgateError as error:
            pytest.fail(f"stepgate could not plan {path}: {error}", pytrace=False)

    return factory


@pytest.fixture
def stepgate_assert_compliant() -> Callable[..., None]:
    return assert_compliant
