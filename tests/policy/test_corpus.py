"""A corpus of configurations in real-world shapes, each with the exact findings of every engine rule.

corpus/*.yaml are configurations written for stepgate (none copied from public code): references instead of
literal ARNs, roles made in one module and granted in another, managed policies, prefix wildcards,
NotAction/Deny, resource policies, every integration kind. Each file has a `base` (resources as in
cases/base.yaml: values, unknowns, references; plus `module_calls`) and `configurations`, each a change to
the base (`resources` replacing the same addresses, `drop`) with `expect`: every finding of the whole engine
as {rule, address, message}. A configuration with `expect: []` is a compliant twin: no finding at all, not
even "not evaluated".

Resources may give `expressions`: the configuration section's expressions for their attributes exactly as
tofu prints them (nested blocks as lists of per-block objects, one `references` entry per use), which
`references:` cannot express; they replace the flat `{attr: {references: [...]}}` snippets.build_plan
writes for those attributes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from snippets import build_plan, with_changes

from stepgate.plan import load_plan
from stepgate.rules import run_engine

pytestmark = pytest.mark.unit

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(CORPUS.glob("*.yaml"))


def _documents() -> list[tuple[str, dict[str, Any]]]:
    return [(path.stem, yaml.safe_load(path.read_text())) for path in FILES]


def configurations() -> list[Any]:
    return [pytest.param(document, variant, id=f"{name}:{variant['name']}")
            for name, document in _documents() for variant in document["configurations"]]


def _module_node(root: dict[str, Any], module: str) -> dict[str, Any]:
    node = root
    parts = [p for p in module.split(".") if p] if module else []
    for position in range(0, len(parts), 2):
        name = parts[position + 1].split("[")[0]
        node = node["module_calls"][name]["module"]
    return node


def _inject_expressions(plan: dict[str, Any], resources: list[dict[str, Any]]) -> None:
    """Replace the flat expressions of build_plan with the raw ones a resource gives."""
    root = plan["configuration"]["root_module"]
    for item in resources:
        if "expressions" not in item:
            continue
        address = item["address"]
        local = address
        module = ""
        while local.startswith("module."):
            name, _, rest = local[len("module."):].partition(".")
            module = f"{module}.module.{name}" if module else f"module.{name}"
            local = rest
        config_address = local.split("[")[0]
        node = _module_node(root, module)
        (entry,) = [r for r in node["resources"] if r["address"] == config_address]
        entry["expressions"] = {**entry["expressions"], **item["expressions"]}


def corpus_plan(document: dict[str, Any], variant: dict[str, Any]) -> dict[str, Any]:
    resources = with_changes(document.get("base", []), variant)
    module_calls = {**(document.get("module_calls") or {}), **(variant.get("module_calls") or {})}
    plan = build_plan(resources, module_calls)
    _inject_expressions(plan, resources)
    return plan


def test_the_corpus_has_violating_configurations_and_compliant_twins() -> None:
    assert FILES, f"no corpus files in {CORPUS}"
    for name, document in _documents():
        kinds = {bool(variant.get("expect")) for variant in document["configurations"]}
        assert kinds == {True, False}, f"{name}: needs configurations with findings and a compliant twin (expect: [])"


@pytest.mark.parametrize(("document", "variant"), configurations())
def test_every_rule_reports_exactly_the_expected_findings(document: dict[str, Any], variant: dict[str, Any]) -> None:
    findings = run_engine(load_plan(corpus_plan(document, variant)))
    found = sorted((f.rule_id, f.address, f.message) for f in findings)
    expected = sorted((e["rule"], e["address"], " ".join(e["message"].split())) for e in variant.get("expect") or [])
    assert found == expected, "\n".join(f"{r} {a}: {m}" for r, a, m in found)
