"""The emulator process: loopback only, healthy, isolated per instance, stopped without orphans."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from stepgate.e2e.target import Target
from stepgate.sandbox import is_alive, list_sandboxes, running_sandbox
from stepgate.sandbox.process import sandbox_processes


def listeners(port: int) -> list[str]:
    """Local addresses (hex, as in /proc/net/tcp*) listening on `port`."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.append(address)
    return found


def test_starts_on_loopback_reports_health_and_stops_cleanly(tmp_path: Path) -> None:
    with running_sandbox(tmp_path) as sandbox:
        assert sandbox.endpoint_url == f"http://127.0.0.1:{sandbox.port}"
        assert listeners(sandbox.port) == ["0100007F"], "must listen on 127.0.0.1 only"
        with urllib.request.urlopen(sandbox.endpoint_url + "/_localstack/health", timeout=5) as response:
            health = json.loads(response.read())
        assert health["services"]["stepfunctions"] in ("available", "running")
        assert is_alive(sandbox) and list_sandboxes(tmp_path) == [sandbox]
        print(f"sandbox started in {sandbox.start_seconds} s")
    assert not is_alive(sandbox)
    assert sandbox_processes(sandbox) == [], "no process of the sandbox may outlive it"
    assert listeners(sandbox.port) == []
    assert list_sandboxes(tmp_path) == [] and sandbox.log_path.is_file()


def test_two_sandboxes_run_side_by_side_without_sharing_state(tmp_path: Path) -> None:
    with running_sandbox(tmp_path) as first, running_sandbox(tmp_path) as second:
        assert first.port != second.port and first.state_dir != second.state_dir and first.log_path != second.log_path
        sqs_first = Target("local", first.region, first.endpoint_url).client("sqs")
        sqs_second = Target("local", second.region, second.endpoint_url).client("sqs")
        sqs_first.create_queue(QueueName="only-in-first")
        assert [url.rsplit("/", 1)[1] for url in sqs_first.list_queues().get("QueueUrls", [])] == ["only-in-first"]
        assert sqs_second.list_queues().get("QueueUrls", []) == []
    assert sandbox_processes(first) == [] and sandbox_processes(second) == []
