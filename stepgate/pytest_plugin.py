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
    from stepgate.findings import Finding


def assert_compliant(
    subject: "Plan | Sequence[Finding] | str | Path",
    min_severity: str = "low",
    config: "str | Path | None" = None,
    checkov: bool = False,
    source_dir: "str | Path | None" = None,
) -> None:
    """Fail with one readable line per finding at/above `min_severity` (suppressed findings never fail).

    `subject` is a Plan, a plan JSON file or configuration directory, or findings already computed.
    Inline `# stepgate:ignore` comments are read from `source_dir`, which defaults to the directory the
    plan was made from (when it was planned from one). checkov is off by default because it is slow;
    pass checkov=True to include the policies/ checks as well.
    """
    from stepgate.check import CheckOptions, plan_from_path, run_checks
    from stepgate.errors import StepgateError
    from stepgate.plan import Plan
    from stepgate.findings import Severity

    try:
        threshold = Severity.parse(min_severity)
        if isinstance(subject, (str, Path)):
            subject = plan_from_path(Path(subject))
        if isinstance(subject, Plan):
            planned_from = Path(subject.source) if subject.source else None
            source = Path(source_dir) if source_dir else planned_from if planned_from and planned_from.is_dir() else None
            options = CheckOptions(config_path=Path(config) if config else None, use_checkov=checkov, source_dir=source)
            findings = run_checks(subject, options)
        else:
            findings = list(subject)
    except StepgateError as error:
        pytest.fail(f"stepgate could not check: {error}", pytrace=False)
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
