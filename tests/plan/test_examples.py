"""Every example's plan meets its expectation file (tests/plan/examples/<example>.yaml)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from expectations import compare

SPECS = sorted((Path(__file__).parent / "examples").glob("*.yaml"))


def test_every_example_has_expectations() -> None:
    examples = {p.name for p in (Path(__file__).resolve().parents[2] / "examples").iterdir() if p.is_dir()}
    covered = {yaml.safe_load(p.read_text()).get("example", p.stem) for p in SPECS}
    assert examples <= covered, f"examples without plan expectations: {sorted(examples - covered)}"


@pytest.mark.parametrize("spec_path", SPECS, ids=[p.stem for p in SPECS])
def test_example_plan(spec_path: Path, plan_example: Callable[..., dict[str, Any]]) -> None:
    spec = yaml.safe_load(spec_path.read_text())
    plan = plan_example(spec.get("example", spec_path.stem), spec.get("variables"))
    failures = compare(spec, plan)
    assert not failures, f"{len(failures)} mismatches with {spec_path.name}:\n" + "\n".join(failures)
