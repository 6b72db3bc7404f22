"""Every rule reports exactly the expected findings on its violating cases and none on its compliant ones.

Cases live in cases/<RULE>.yaml as changes to cases/base.yaml, a compliant module-shaped plan (plus
`module_calls` when a reference crosses modules). A violating case lists every finding the rule must
report, each as {address, message}: a missing finding, a different message and an extra finding all
fail. "None" on a compliant case means no finding at all: not even a note that the rule could not be
evaluated, so a compliant case cannot pass by being unreadable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from snippets import build_plan, load_resources, with_changes

from stepgate.findings import Finding
from stepgate.plan import load_plan
from stepgate.rules import RULES, RuleConfig, get_rule, run_engine

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
BASE = load_resources(CASES / "base.yaml")
CHECKED_RULES = [rule for rule in RULES if rule.check or rule.evaluate]


def cases(kind: str) -> list[Any]:
    params = []
    for rule in CHECKED_RULES:
        path = CASES / f"{rule.id}.yaml"
        document = yaml.safe_load(path.read_text()) if path.exists() else {}
        for variant in document.get(kind, []):
            params.append(pytest.param(rule.id, variant, id=f"{rule.id}:{variant['name']}"))
    return params


def case_plan(variant: dict[str, Any]) -> dict[str, Any]:
    return build_plan(with_changes(BASE, variant), variant.get("module_calls"))


def findings_of(rule_id: str, variant: dict[str, Any]) -> list[Finding]:
    return get_rule(rule_id).run(load_plan(case_plan(variant)), RuleConfig())


def test_every_rule_has_violating_and_compliant_cases() -> None:
    violating = {p.values[0] for p in cases("violating")}
    compliant = {p.values[0] for p in cases("compliant")}
    missing = [r.id for r in CHECKED_RULES if r.id not in violating or r.id not in compliant]
    assert not missing, f"rules without both kinds of case: {missing}"


def test_base_is_clean_for_every_engine_rule() -> None:
    assert run_engine(load_plan(build_plan(BASE))) == []


@pytest.mark.parametrize(("rule_id", "variant"), cases("violating"))
def test_rule_reports_exactly_the_expected_findings(rule_id: str, variant: dict[str, Any]) -> None:
    found = sorted((f.address, f.message) for f in findings_of(rule_id, variant))
    expected = sorted((item["address"], item["message"]) for item in variant["expect"])
    assert found == expected


@pytest.mark.parametrize(("rule_id", "variant"), cases("compliant"))
def test_rule_is_silent(rule_id: str, variant: dict[str, Any]) -> None:
    findings = findings_of(rule_id, variant)
    assert findings == [], "\n".join(f"{f.address}: {f.message}" for f in findings)
