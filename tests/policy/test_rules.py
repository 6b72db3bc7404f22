"""Every rule fires on its violating fixtures (on the right resource) and stays silent on its compliant ones.

Cases live in cases/<RULE>.yaml as changes to cases/base.yaml, a compliant module-shaped plan (plus
`module_calls` when a reference crosses modules); engine rules run through the engine, policies/ rules
through checkov (the only place they are implemented). "Silent" means no finding at all: not even a
note that the rule could not be evaluated, so a compliant case cannot pass by being unreadable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from snippets import build_plan, load_resources, with_changes

from stepgate.checkov import run_policies
from stepgate.plan import load_plan
from stepgate.findings import Finding
from stepgate.rules import RULES, RuleConfig, get_rule, run_engine

pytestmark = pytest.mark.unit

CASES = Path(__file__).parent / "cases"
BASE = load_resources(CASES / "base.yaml")
CHECKED_RULES = [rule for rule in RULES if rule.check or rule.policy]


def _cases(kind: str) -> list[Any]:
    params = []
    for rule in CHECKED_RULES:
        path = CASES / f"{rule.id}.yaml"
        document = yaml.safe_load(path.read_text()) if path.exists() else {}
        for variant in document.get(kind, []):
            params.append(pytest.param(rule.id, variant, id=f"{rule.id}:{variant['name']}"))
    return params


def _findings(rule_id: str, variant: dict[str, Any]) -> list[Finding]:
    rule = get_rule(rule_id)
    plan = load_plan(build_plan(with_changes(BASE, variant), variant.get("module_calls")))
    if rule.policy:
        meta = {r.id: (r.severity, r.title) for r in RULES if r.policy}
        return [f for f in run_policies(meta, plan_document=plan.document) if f.rule_id == rule_id]
    return rule.run(plan, RuleConfig())


def test_every_rule_has_violating_and_compliant_cases() -> None:
    violating = {p.values[0] for p in _cases("violating")}
    compliant = {p.values[0] for p in _cases("compliant")}
    missing = [r.id for r in CHECKED_RULES if r.id not in violating or r.id not in compliant]
    assert not missing, f"rules without both kinds of case: {missing}"


def test_base_is_clean_for_every_engine_rule() -> None:
    findings = run_engine(load_plan(build_plan(BASE)))
    assert findings == []


@pytest.mark.parametrize(("rule_id", "variant"), _cases("violating"))
def test_rule_fires(rule_id: str, variant: dict[str, Any]) -> None:
    findings = _findings(rule_id, variant)
    addresses = {f.address for f in findings}
    assert set(variant["expect"]) <= addresses, f"{rule_id} fired on {sorted(addresses)}; expected {variant['expect']}"
    assert all(f.rule_id == rule_id and f.message for f in findings)


@pytest.mark.parametrize(("rule_id", "variant"), _cases("compliant"))
def test_rule_is_silent(rule_id: str, variant: dict[str, Any]) -> None:
    findings = _findings(rule_id, variant)
    assert findings == [], "\n".join(f"{f.address}: {f.message}" for f in findings)
