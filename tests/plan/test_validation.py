"""The root module refuses insecure or inconsistent inputs at plan time (tofu test with a mocked provider)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
TEST_DIR = Path("tests/plan/validation")


def _module_copy(destination: Path) -> Path:
    for item in REPO_ROOT.glob("*.tf"):
        shutil.copy2(item, destination / item.name)
    shutil.copytree(REPO_ROOT / "modules", destination / "modules")
    shutil.copytree(REPO_ROOT / TEST_DIR, destination / TEST_DIR)
    return destination


def _run(toolchain: Any, workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    config = workdir / "stepgate-cli.tfrc"
    config.write_text(toolchain.cli_config())
    env = {**os.environ, "TF_CLI_CONFIG_FILE": str(config), "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"}
    return subprocess.run([str(toolchain.binary), *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=600)


def test_root_module_input_validation(toolchain: Any, tmp_path: Path) -> None:
    workdir = _module_copy(tmp_path)
    init = _run(toolchain, workdir, "init", "-backend=false", "-no-color")
    assert init.returncode == 0, init.stderr[-2000:]
    result = _run(toolchain, workdir, "test", f"-test-directory={TEST_DIR}", "-no-color")
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    runs = len(re.findall(r'^run "', (REPO_ROOT / TEST_DIR / "validation.tftest.hcl").read_text(), re.M))
    assert f"{runs} passed, 0 failed" in result.stdout, result.stdout[-2000:]
