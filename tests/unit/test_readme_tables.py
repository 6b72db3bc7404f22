"""The README's inputs/outputs tables are generated from variables.tf/outputs.tf and kept in sync."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_tables", REPO_ROOT / "scripts" / "readme_tables.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the script is being executed
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


readme_tables = _load_script()


@pytest.fixture()
def module_copy(tmp_path: Path) -> Path:
    for name in ("variables.tf", "outputs.tf", "README.md"):
        shutil.copy2(REPO_ROOT / name, tmp_path / name)
    return tmp_path


def _check(module_dir: Path) -> int:
    return readme_tables.main(["--check", "--module", str(module_dir), "--readme", str(module_dir / "README.md")])


def test_repository_readme_tables_are_current() -> None:
    assert _check(REPO_ROOT) == 0, "README tables are stale: run `make docs`"


def test_every_variable_and_output_has_a_row() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    names = [i.name for i in readme_tables.read_inputs(REPO_ROOT)] + [o.name for o in readme_tables.read_outputs(REPO_ROOT)]
    assert {"name", "workflows", "authorization", "state_machine_arns", "audit_rule_arn"} <= set(names)
    assert all(f"| `{name}` |" in readme for name in names)


def test_a_variable_added_without_regenerating_fails_the_check(module_copy: Path) -> None:
    with (module_copy / "variables.tf").open("a") as handle:
        handle.write('\nvariable "new_knob" {\n  description = "A knob | with a pipe."\n  type        = bool\n  default     = false\n}\n')
    assert _check(module_copy) == 1
    assert readme_tables.main(["--write", "--module", str(module_copy), "--readme", str(module_copy / "README.md")]) == 0
    assert _check(module_copy) == 0
    assert "| `new_knob` | A knob \\| with a pipe. | `bool` | `false` | no |" in (module_copy / "README.md").read_text()


def test_a_changed_output_description_fails_the_check(module_copy: Path) -> None:
    outputs = module_copy / "outputs.tf"
    outputs.write_text(outputs.read_text().replace("Id of the REST or HTTP API.", "The API id."))
    assert _check(module_copy) == 1


def test_missing_markers_are_an_input_error(module_copy: Path) -> None:
    readme = module_copy / "README.md"
    readme.write_text(readme.read_text().replace("<!-- stepgate:outputs:end -->", ""))
    assert _check(module_copy) == 2


def test_descriptions_keep_list_items_and_types_stay_short() -> None:
    inputs = {i.name: i for i in readme_tables.read_inputs(REPO_ROOT)}
    assert inputs["workflows"].type == "map(object)"
    assert inputs["workflows"].required and not inputs["api_type"].required
    table = readme_tables.render_inputs([inputs["workflows"]])
    assert "<br>- route:" in table and "\n-" not in table
