"""Sandbox lifecycle logic that needs no emulator: environment, discovery, records, process groups."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from stepgate.errors import StepgateError
from stepgate.sandbox import Sandbox, list_sandboxes, localstack_home
from stepgate.sandbox.process import RECORD_NAME, emulator_env, free_port, sandbox_processes, stop_sandbox


def test_missing_localstack_names_make_setup(tmp_path: Path) -> None:
    with pytest.raises(StepgateError, match="make setup"):
        localstack_home({"STEPGATE_LOCALSTACK_VENV": str(tmp_path / "nope")})


def test_half_installed_localstack_is_reported(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "python").write_text("")
    with pytest.raises(StepgateError, match="no localstack-core package"):
        localstack_home({"STEPGATE_LOCALSTACK_VENV": str(tmp_path)})


def test_default_home_is_the_pinned_version_under_the_cache(tmp_path: Path) -> None:
    with pytest.raises(StepgateError, match=str(tmp_path / ".cache" / "stepgate" / "localstack-2026.3.0")):
        localstack_home({"HOME": str(tmp_path)})


def test_emulator_env_is_loopback_offline_and_private(tmp_path: Path) -> None:
    env = emulator_env(4711, tmp_path, {"PATH": "/bin", "PYTHONPATH": "/x", "VIRTUAL_ENV": "/v", "PYTHONHOME": "/h"})
    assert env["GATEWAY_LISTEN"] == "127.0.0.1:4711" and env["LOCALSTACK_HOST"] == "127.0.0.1:4711"
    assert env["OVERRIDE_IN_DOCKER"] == "0" and env["DNS_ADDRESS"] == "0" and env["GATEWAY_SERVER"] == "hypercorn"
    assert env["FILESYSTEM_ROOT"] == str(tmp_path / "filesystem")
    assert env["SKIP_SSL_CERT_DOWNLOAD"] == "1" and env["DISABLE_EVENTS"] == "1"
    assert "PYTHONPATH" not in env and "VIRTUAL_ENV" not in env and "PYTHONHOME" not in env and env["PATH"] == "/bin"


def test_two_sandboxes_get_different_ports_and_dirs(tmp_path: Path) -> None:
    a = emulator_env(free_port(), tmp_path / "a", {})
    b = emulator_env(free_port(), tmp_path / "b", {})
    assert a["GATEWAY_LISTEN"] != b["GATEWAY_LISTEN"] and a["FILESYSTEM_ROOT"] != b["FILESYSTEM_ROOT"]


def test_records_round_trip_through_list_sandboxes(tmp_path: Path) -> None:
    sandbox = Sandbox("http://127.0.0.1:1234", "us-east-1", 1234, 42, tmp_path / "s" / "x.log", tmp_path / "s", 1.5)
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / RECORD_NAME).write_text(json.dumps(sandbox.record()))
    assert list_sandboxes(tmp_path) == [sandbox]


def test_unreadable_record_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / RECORD_NAME).write_text("{")
    with pytest.raises(StepgateError, match="unreadable sandbox record"):
        list_sandboxes(tmp_path)


def test_stop_kills_the_whole_process_group(tmp_path: Path) -> None:
    # A stand-in group leader with a child: both must be gone after stop_sandbox, nothing orphaned.
    leader = subprocess.Popen(["sh", "-c", "sleep 300 & wait"], start_new_session=True)
    sandbox = Sandbox("http://127.0.0.1:1", "us-east-1", 1, leader.pid, tmp_path / "x.log", tmp_path)
    deadline = time.monotonic() + 5
    while len(sandbox_processes(sandbox)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(sandbox_processes(sandbox)) == 2
    (tmp_path / RECORD_NAME).write_text("{}")
    stop_sandbox(sandbox, timeout=5)
    assert sandbox_processes(sandbox) == []
    assert leader.poll() is not None
    assert not (tmp_path / RECORD_NAME).exists()
