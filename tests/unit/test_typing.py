"""The harness type-checks: mypy over the package, with the settings in pyproject.toml."""

from __future__ import annotations

from pathlib import Path

from mypy import api

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_mypy_finds_no_errors() -> None:
    stdout, stderr, status = api.run(["--config-file", str(REPO_ROOT / "pyproject.toml"), str(REPO_ROOT / "stepgate")])
    assert status == 0, stdout + stderr
