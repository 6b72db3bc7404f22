"""`stepgate check` on a configuration whose policies and definition are only known after apply.

tests/plan/sourced/orders builds every policy with jsonencode() around references, variables and locals,
its definition with templatefile() in a module of its own and its API's OpenAPI body with templatefile()
from a YAML file, so the plan has none of them. The engine
evaluates them from the HCL (stepgate.plan.sourced): the configuration as written is clean with nothing
left "not evaluated", and each edit in orders.cases.yaml is caught with exactly the findings listed.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from stepgate.engine import CheckOptions, run_checks
from stepgate.findings import Severity
from stepgate.plan import load_plan
from stepgate.planning import plan_directory

HERE = Path(__file__).parent / "sourced"
CASES = yaml.safe_load((HERE / "orders.cases.yaml").read_text())["cases"]
RUNS = [pytest.param(case, binary, id=f"{binary}-{case['name']}") for case in CASES for binary in case.get("binaries", ["tofu"])]


def _edited(tmp_path: Path, edits: list[dict[str, str]]) -> Path:
    directory = tmp_path / "orders"
    shutil.copytree(HERE / "orders", directory)
    for edit in edits:
        path = directory / edit["file"]
        text = path.read_text()
        if "append" in edit:
            text += "\n" + edit["append"]
        else:
            assert edit["replace"] in text, f"{edit['file']} no longer holds {edit['replace']!r}"
            text = text.replace(edit["replace"], edit["with"])
        path.write_text(text)
    return directory


@pytest.mark.parametrize(("case", "toolchain"), RUNS, indirect=["toolchain"])
def test_each_edit_is_caught_with_exactly_its_findings(case: dict[str, Any], toolchain: Any, sandbox: Any, tmp_path: Path) -> None:
    directory = _edited(tmp_path, case.get("edits", []))
    plan = load_plan(plan_directory(directory, sandbox=sandbox, toolchain=toolchain))
    findings = run_checks(plan, CheckOptions(source_dir=directory))
    found = sorted([f.rule_id, f.address, f.message] for f in findings if f.severity >= Severity.INFO)
    assert found == sorted(case["expect"])
