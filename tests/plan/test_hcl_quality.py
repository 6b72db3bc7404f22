"""The HCL is `fmt`-clean and every example validates, as plain configurations for real AWS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stepgate.tf import TfRunner
from stepgate.workspace import open_workspace

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.name for p in (REPO_ROOT / "examples").iterdir() if p.is_dir())


def test_fmt_check_is_clean(toolchain: Any) -> None:
    # `fmt -check` prints the files it would rewrite; it reads the tree and writes nothing.
    assert TfRunner(REPO_ROOT, toolchain).fmt_check().strip() == ""


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_validates(example: str, toolchain: Any) -> None:
    with open_workspace(REPO_ROOT / "examples" / example, keep_lock_file=False) as workspace:
        runner = TfRunner(workspace.workdir, toolchain, disposable=True)
        runner.init()
        assert "Success! The configuration is valid." in runner.validate()
