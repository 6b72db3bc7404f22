"""LocalStack as a host process: its own virtualenv, a free 127.0.0.1 port, its own state dir, stopped by PID.

Each sandbox lives in a fresh directory under the state root (a log file, a JSON record, and the
emulator's filesystem root and temp dir), so two sandboxes never share a port, a data dir or a log.
The emulator runs in its own process group; stopping it signals the whole group and waits until no
member is left, so nothing outlives the sandbox.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from stepgate.errors import StepgateError

LOCALSTACK_VERSION = "2026.3.0"
DEFAULT_REGION = "us-east-1"
RECORD_NAME = "sandbox.json"
HEALTH_PATH = "/_localstack/health"
_PORT_ATTEMPTS = 3
READY_MARKER = "Ready."  # the line localstack.runtime prints once its gateway accepts requests


@dataclass(frozen=True)
class Sandbox:
    """A running emulator; everything needed to reach it, find its log, and stop it from any process."""

    endpoint_url: str
    region: str
    port: int
    pid: int
    log_path: Path
    state_dir: Path
    start_seconds: float = 0.0

    def record(self) -> dict[str, object]:
        return {**asdict(self), "log_path": str(self.log_path), "state_dir": str(self.state_dir)}

    @classmethod
    def from_record(cls, data: Mapping[str, object]) -> Sandbox:
        return cls(
            endpoint_url=str(data["endpoint_url"]),
            region=str(data["region"]),
            port=int(str(data["port"])),
            pid=int(str(data["pid"])),
            log_path=Path(str(data["log_path"])),
            state_dir=Path(str(data["state_dir"])),
            start_seconds=float(str(data.get("start_seconds", 0.0))),
        )


def localstack_home(env: Mapping[str, str] | None = None) -> Path:
    """The LocalStack virtualenv (STEPGATE_LOCALSTACK_VENV, else the one `make setup` installs)."""
    env = os.environ if env is None else env
    override = env.get("STEPGATE_LOCALSTACK_VENV")
    home = Path(override) if override else _cache_dir(env) / f"localstack-{LOCALSTACK_VERSION}"
    python = home / "bin" / "python"
    if not python.is_file():
        raise StepgateError(f"LocalStack is not installed in {home}: run `make setup` (or set STEPGATE_LOCALSTACK_VENV)")
    if not any(home.glob("lib/python3*/site-packages/localstack/runtime/main.py")):
        raise StepgateError(f"{home} has no localstack-core package (an interrupted install?): run `make setup`")
    return home


def default_state_root(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return _cache_dir(env) / "sandboxes"


def _cache_dir(env: Mapping[str, str]) -> Path:
    return Path(env.get("STEPGATE_CACHE_DIR") or Path(env.get("HOME", "~")).expanduser() / ".cache" / "stepgate")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def emulator_env(port: int, state_dir: Path, base: Mapping[str, str]) -> dict[str, str]:
    """The environment one emulator instance runs with: host mode, loopback only, offline, private dirs."""
    # Our own virtualenv's variables would leak into LocalStack's Python 3.13 interpreter.
    inherited = {key: value for key, value in base.items() if not key.startswith("PYTHON") and key != "VIRTUAL_ENV"}
    return {
        **inherited,
        "OVERRIDE_IN_DOCKER": "0",
        "GATEWAY_SERVER": "hypercorn",
        "GATEWAY_LISTEN": f"127.0.0.1:{port}",
        # URLs the emulator hands out (e.g. SQS queue URLs) must point back at this port and resolve here,
        # in the <host>/<account>/<queue> shape the aws provider parses ("path" adds /queue/<region>).
        "LOCALSTACK_HOST": f"127.0.0.1:{port}",
        "SQS_ENDPOINT_STRATEGY": "off",
        "DNS_ADDRESS": "0",
        "FILESYSTEM_ROOT": str(state_dir / "filesystem"),
        "PERSISTENCE": "0",
        # No internet here: skip the certificate download and the analytics calls instead of timing out.
        "SKIP_SSL_CERT_DOWNLOAD": "1",
        "DISABLE_EVENTS": "1",
    }


def start_sandbox(state_root: Path | None = None, timeout: float = 120) -> Sandbox:
    """Start an emulator on a free loopback port in a fresh state dir and wait until it reports healthy."""
    home = localstack_home()
    root = Path(state_root) if state_root is not None else default_state_root()
    root.mkdir(parents=True, exist_ok=True)
    state_dir = Path(tempfile.mkdtemp(prefix="sandbox-", dir=root))
    failures: list[str] = []
    for _ in range(_PORT_ATTEMPTS):
        port = free_port()
        sandbox, failure = _launch(home, port, state_dir, timeout)
        if sandbox is not None:
            (state_dir / RECORD_NAME).write_text(json.dumps(sandbox.record(), indent=2))
            return sandbox
        failures.append(failure)
        # Another process took the port between probing and binding: try a new one; anything else is final.
        if "address already in use" not in failure.lower():
            break
    raise StepgateError(f"LocalStack did not start: {failures[-1]}")


def _launch(home: Path, port: int, state_dir: Path, timeout: float) -> tuple[Sandbox | None, str]:
    (state_dir / "filesystem").mkdir(exist_ok=True)
    log_path = state_dir / f"localstack-{port}.log"
    started = time.monotonic()
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(home / "bin" / "python"), "-m", "localstack.runtime.main"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            env=emulator_env(port, state_dir, os.environ), cwd=state_dir,
            start_new_session=True,  # own process group: stop_sandbox signals all of it
        )
    sandbox = Sandbox(
        endpoint_url=f"http://127.0.0.1:{port}", region=DEFAULT_REGION, port=port, pid=process.pid,
        log_path=log_path, state_dir=state_dir,
    )
    try:
        deadline = started + timeout
        delay = 0.2
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return None, f"process exited with code {process.returncode}: {_last_log_line(log_path)} (log: {log_path})"
            # Healthy answers come before the runtime's own readiness; a stop in between would hang on it.
            if _log_says_ready(log_path) and is_healthy(sandbox):
                return replace(sandbox, start_seconds=round(time.monotonic() - started, 2)), ""
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)
    except BaseException:
        _terminate_group(process.pid, 5)
        raise
    _terminate_group(process.pid, 5)
    return None, f"not healthy on port {port} after {timeout:.0f} s: {_last_log_line(log_path)} (log: {log_path})"


def is_healthy(sandbox: Sandbox, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(sandbox.endpoint_url + HEALTH_PATH, timeout=timeout) as response:
            return response.status == 200 and "services" in json.loads(response.read() or b"{}")
    except (OSError, ValueError, urllib.error.URLError):
        return False


def is_alive(sandbox: Sandbox) -> bool:
    """True while the recorded PID is still this emulator (a reused PID of another program is not)."""
    return _is_localstack(sandbox.pid)


def sandbox_processes(sandbox: Sandbox) -> list[int]:
    """Live (non-zombie) members of the sandbox's process group; empty once it is fully stopped."""
    return _group_members(sandbox.pid)


def stop_sandbox(sandbox: Sandbox, timeout: float = 20) -> None:
    """Stop the emulator's whole process group (TERM, then KILL after `timeout`) and drop its data dirs."""
    if _is_localstack(sandbox.pid) or _group_members(sandbox.pid):
        _terminate_group(sandbox.pid, timeout)
    leftover = _group_members(sandbox.pid)
    if leftover:
        raise StepgateError(f"sandbox processes {leftover} survived SIGKILL (pid {sandbox.pid}); see {sandbox.log_path}")
    shutil.rmtree(sandbox.state_dir / "filesystem", ignore_errors=True)
    (sandbox.state_dir / RECORD_NAME).unlink(missing_ok=True)


@contextmanager
def running_sandbox(state_root: Path | None = None, timeout: float = 120) -> Iterator[Sandbox]:
    sandbox = start_sandbox(state_root, timeout)
    try:
        yield sandbox
    finally:
        stop_sandbox(sandbox)


def list_sandboxes(state_root: Path | None = None) -> list[Sandbox]:
    """Sandboxes recorded under the state root (started by `stepgate sandbox up` or still running)."""
    root = Path(state_root) if state_root is not None else default_state_root()
    found = []
    for record in sorted(root.glob(f"*/{RECORD_NAME}")):
        try:
            found.append(Sandbox.from_record(json.loads(record.read_text())))
        except (OSError, ValueError, KeyError) as error:
            raise StepgateError(f"unreadable sandbox record {record}: {error}") from error
    return found


def _terminate_group(pgid: int, timeout: float) -> None:
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            _reap(pgid)
            if not _group_members(pgid):
                return
            time.sleep(0.1)


def _reap(pid: int) -> None:
    """Collect the exit status when the emulator is our child, so it does not linger as a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the parenthesised command name: state, ppid, pgrp, ...
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def _is_localstack(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z" and b"localstack.runtime.main" in cmdline


def _log_says_ready(log_path: Path) -> bool:
    try:
        return any(line.strip() == READY_MARKER for line in log_path.read_text(errors="replace").splitlines())
    except OSError:
        return False


def _last_log_line(log_path: Path) -> str:
    try:
        lines = [line.strip() for line in log_path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return "no log"
    return lines[-1][:300] if lines else "empty log"
