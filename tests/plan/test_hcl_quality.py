"""The HCL is `fmt`-clean and every example validates offline, as plain configurations for real AWS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stepgate.sandbox import prepare_workdir
from stepgate.tf import TfRunner

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p.name for p in (REPO_ROOT / "examples").iterdir() if p.is_dir())


def test_fmt_check_is_clean(toolchain: Any) -> None:
    # `fmt -check` prints the files it would rewrite.
    assert TfRunner(REPO_ROOT, toolchain).fmt_check().strip() == ""


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_validates(example: str, toolchain: Any) -> None:
    runner = TfRunner(prepare_workdir(REPO_ROOT, example, endpoint_url=None), toolchain)
    runner.init()
    assert "Success! The configuration is valid." in runner.validate()
