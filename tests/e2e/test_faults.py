"""The sandbox dies while `stepgate e2e` is verifying: one clear line, non-zero exit, nothing left running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from stepgate.sandbox import list_sandboxes
from stepgate.sandbox.process import sandbox_processes


def processes_of(session: int) -> list[str]:
    """Live processes of a session: the CLI ran in its own, so whatever it started (tofu, providers) is in it.
    Other tests' processes on the same machine are not."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if int(fields[3]) == session and fields[0] != "Z":
                found.append(f"{entry.name}: {cmdline[:120]}")
    return found


def test_sandbox_killed_mid_run_is_one_clear_line_and_leaves_no_orphan(tmp_path: Path, repo_root: Path) -> None:
    command = [sys.executable, "-m", "stepgate.cli", "e2e", str(repo_root / "examples" / "basic"), "--state-root", str(tmp_path)]
    cli = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=repo_root,
                           env={**os.environ, "COLUMNS": "200"}, start_new_session=True)
    assert cli.stdout is not None
    seen = []
    killed = None
    deadline = time.monotonic() + 600
    for line in cli.stdout:  # progress lines; kill once requests are being sent
        seen.append(line)
        if "POST /processReport" in line and killed is None:
            [sandbox] = list_sandboxes(tmp_path)
            os.killpg(sandbox.pid, signal.SIGKILL)
            killed = sandbox
        if time.monotonic() > deadline:
            cli.kill()
            break
    stderr = cli.stderr.read() if cli.stderr else ""
    code = cli.wait(timeout=300)
    assert killed is not None, "the run never reached the requests:\n" + "".join(seen) + stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code != 0
    assert len(lines) == 1 and "the sandbox stopped during" in lines[0] and str(killed.pid) in lines[0], stderr
    assert sandbox_processes(killed) == []
    assert processes_of(cli.pid) == []  # no tofu or provider outlived the run
