"""The installed `stepgate` command: version, usage errors and toolchain errors as one line, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from stepgate import __version__


def _stepgate(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    stepgate = Path(sys.executable).parent / "stepgate"
    return subprocess.run([str(stepgate), *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120)


def test_version() -> None:
    result = _stepgate("--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"stepgate {__version__}")


def test_no_command_is_a_usage_error() -> None:
    result = _stepgate()
    assert result.returncode == 2
    assert "usage: stepgate" in result.stderr


def test_missing_binary_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = _stepgate("toolchain", env={"STEPGATE_TF_BINARY": str(tmp_path / "no-such-tofu")})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"stepgate: no usable tofu/terraform: {tmp_path / 'no-such-tofu'} does not exist"]


def test_e2e_of_an_http_api_example_against_the_emulator_is_refused_before_anything_starts(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "http-api-jwt"
    result = _stepgate("e2e", str(example), "--state-root", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "stepgate: the scenario of http-api-jwt runs only with --target aws: the local emulator has no HTTP API (v2)" in result.stderr
    assert list(tmp_path.iterdir()) == []  # no sandbox state dir: nothing was started


def test_e2e_against_aws_refuses_without_a_declared_sandbox_account(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "http-api-jwt"
    env = {"STEPGATE_SANDBOX_ACCOUNT_ID": "", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "x"}
    result = _stepgate("e2e", str(example), "--target", "aws", env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "refuses to run: set STEPGATE_SANDBOX_ACCOUNT_ID" in result.stderr
