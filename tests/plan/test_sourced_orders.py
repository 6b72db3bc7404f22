"""`stepgate check` on a configuration whose policies and definition are only known after apply.

tests/plan/sourced/orders builds every policy with jsonencode() around references, variables and locals,
its definition with templatefile() in a module of its own and its API's OpenAPI body with templatefile()
from a YAML file, so the plan has none of them. The engine evaluates them from the HCL
(stepgate.plan.sourced): the configuration as written is clean with nothing left "not evaluated", and each
edit in orders.cases.yaml is caught with exactly the findings listed.

Every case is a copy of the configuration, edited, and called as module `case_N` of one root: one plan per
binary for all cases (a plan costs ~15 CPU-seconds of this 2-core CI). A case's findings are those under
its module, read with that prefix taken off, as they are when the case is planned on its own.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from stepgate.engine import CheckOptions, run_checks
from stepgate.findings import Finding
from stepgate.plan import load_plan
from stepgate.planning import plan_directory

HERE = Path(__file__).parent / "sourced"
CASES = yaml.safe_load((HERE / "orders.cases.yaml").read_text())["cases"]
ROOT_ONLY = "providers.tf"  # the root's terraform and provider blocks; a module called by it has none


def _edited(directory: Path, edits: list[dict[str, str]]) -> None:
    shutil.copytree(HERE / "orders", directory, ignore=shutil.ignore_patterns(ROOT_ONLY))
    for edit in edits:
        path = directory / edit["file"]
        text = path.read_text()
        if "append" in edit:
            text += "\n" + edit["append"]
        else:
            assert edit["replace"] in text, f"{edit['file']} no longer holds {edit['replace']!r}"
            text = text.replace(edit["replace"], edit["with"])
        path.write_text(text)


@pytest.fixture(scope="module")
def findings_by_case(toolchain: Any, sandbox: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[int, list[Finding]]:
    root = tmp_path_factory.mktemp(f"orders-{toolchain.kind}")
    shutil.copy(HERE / "orders" / ROOT_ONLY, root / ROOT_ONLY)
    calls = []
    for number, case in enumerate(CASES):
        _edited(root / f"case_{number}", case.get("edits", []))
        calls.append(f'module "case_{number}" {{\n  source = "./case_{number}"\n}}\n')
    (root / "main.tf").write_text("\n".join(calls))
    plan = load_plan(plan_directory(root, sandbox=sandbox, toolchain=toolchain))
    found: dict[int, list[Finding]] = {number: [] for number in range(len(CASES))}
    for finding in run_checks(plan, CheckOptions(source_dir=root)):
        number = int(finding.address.split(".", 2)[1].removeprefix("case_"))
        found[number].append(finding)
    return found


@pytest.mark.parametrize("number", range(len(CASES)), ids=[case["name"] for case in CASES])
def test_each_edit_is_caught_with_exactly_its_findings(number: int, findings_by_case: dict[int, list[Finding]]) -> None:
    prefix = f"module.case_{number}."
    found = sorted([f.rule_id, f.address.removeprefix(prefix), f.message.replace(prefix, "")] for f in findings_by_case[number])
    assert found == sorted(CASES[number]["expect"])
