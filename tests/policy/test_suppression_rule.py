"""SG-SUP-001 (a suppression needs a reason) on the SG-AUD-004 violating case, through the config file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from snippets import build_plan, load_resources, with_changes

from stepgate.engine import CheckOptions, run_checks
from stepgate.plan import load_plan

pytestmark = pytest.mark.unit

HERE = Path(__file__).parent
SHORT_RETENTION = yaml.safe_load((HERE / "cases" / "SG-AUD-004.yaml").read_text())["violating"][0]
LOG_GROUP = "module.api.aws_cloudwatch_log_group.access"


def check(config: str) -> dict[str, list]:
    plan = load_plan(build_plan(with_changes(load_resources(HERE / "cases" / "base.yaml"), SHORT_RETENTION)))
    findings = run_checks(plan, CheckOptions(config_path=HERE / "suppression" / config))
    return {rule: [f for f in findings if f.rule_id == rule] for rule in ("SG-SUP-001", "SG-AUD-004")}


def test_suppression_without_reason_fires_and_suppresses_nothing() -> None:
    found = check("violating.yaml")
    assert [f.address for f in found["SG-SUP-001"]] == [f"{HERE / 'suppression' / 'violating.yaml'}#suppressions[1]"]
    assert [(f.address, f.suppressed) for f in found["SG-AUD-004"]] == [(LOG_GROUP, None)]


def test_suppression_with_reason_is_silent_and_listed() -> None:
    found = check("compliant.yaml")
    assert found["SG-SUP-001"] == []
    assert [f.suppressed for f in found["SG-AUD-004"]] == ["access logs are shipped to the SIEM within a day; 30 days local retention is enough"]
