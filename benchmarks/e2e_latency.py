"""End-to-end latency and throughput of examples/basic in a local sandbox (numbers only, no asserts).

For concurrency 1, 10 and 20 it sends signed POST /processReport requests and reports:
- request -> execution start: the execution's startDate minus the moment the request left;
- request -> audit event: the audit log record's ingestion time minus the moment the request left;
- throughput: accepted requests per second of sending;
- harness overhead: the time the harness itself spends encoding and signing, as a share of each request.

Usage: .venv/bin/python benchmarks/e2e_latency.py [--rounds 20,60,100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from stepgate.e2e.checks import CheckResult, collect_audit
from stepgate.e2e.invoke import HttpResponse
from stepgate.e2e.runner import deployed
from stepgate.e2e.scenario import DEFAULT_FILE, load_scenario
from stepgate.e2e.target import Target
from stepgate.e2e.verify import list_executions, poll
from stepgate.errors import StepgateError
from stepgate.sandbox import running_sandbox
from stepgate.sfn import TERMINAL_STATUSES

BASIC = Path(__file__).resolve().parent.parent / "examples" / "basic"
CONCURRENCY = (1, 10, 20)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")


def measure(live: Any, route: Any, concurrency: int, requests: int, tag: str) -> dict[str, float]:
    deployment = live.deployment
    url = deployment.url(route)

    def send(i: int) -> HttpResponse:
        return deployment.invoker.request(route.method, url, {"reportId": f"{tag}-{i}", "title": "bench"})

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        responses = list(pool.map(send, range(requests)))
    sending = time.monotonic() - started
    sent_at = {}
    for response in responses:
        body = response.json()
        if response.status == 200 and isinstance(body, dict):
            sent_at[body["executionArn"]] = response
    arn = deployment.state_machine(route)
    executions = poll(lambda: [e for e in list_executions(deployment.sfn, arn) if e["executionArn"] in sent_at],
                      lambda found: len(found) == len(sent_at) and all(e["status"] in TERMINAL_STATUSES for e in found),
                      300, f"{len(sent_at)} executions", first_delay=0.5, max_delay=3.0)
    audit = collect_audit(deployment.logs, deployment.audit_log_group or "", {e["executionArn"]: e["status"] for e in executions}, 120)
    to_start = [e["startDate"].timestamp() - sent_at[e["executionArn"]].sent_at for e in executions]
    first_audit: dict[str, float] = {}
    for event in audit:
        if event.execution_arn in sent_at and event.status in TERMINAL_STATUSES:
            first_audit.setdefault(event.execution_arn, event.logged_at)
    to_audit = [logged - sent_at[arn_].sent_at for arn_, logged in first_audit.items()]
    overhead = [r.prepare_seconds / (r.prepare_seconds + r.seconds) for r in responses]
    return {
        "concurrency": concurrency, "requests": requests, "accepted": len(sent_at),
        "start_p50_ms": 1000 * percentile(to_start, 0.5), "start_p95_ms": 1000 * percentile(to_start, 0.95),
        "audit_p50_ms": 1000 * percentile(to_audit, 0.5), "audit_p95_ms": 1000 * percentile(to_audit, 0.95),
        "audited": len(to_audit), "throughput_rps": len(sent_at) / sending if sending else float("nan"),
        "overhead_ratio": statistics.mean(overhead) if overhead else float("nan"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", default="20,60,100", help="requests per concurrency level 1,10,20 (default 20,60,100)")
    args = parser.parse_args(argv)
    counts = [int(part) for part in args.rounds.split(",")]
    if len(counts) != len(CONCURRENCY):
        parser.error(f"--rounds needs {len(CONCURRENCY)} comma-separated counts")
    scenario = load_scenario(BASIC / DEFAULT_FILE)
    route = scenario.routes[0]
    teardown: list[CheckResult] = []
    rows = []
    try:
        with running_sandbox() as sandbox:
            target = Target("local", sandbox.region, sandbox.endpoint_url)
            with deployed(BASIC, target, sandbox=sandbox, variables=scenario.variables, teardown=teardown) as live:
                for concurrency, requests in zip(CONCURRENCY, counts):
                    rows.append(measure(live, route, concurrency, requests, f"bench-c{concurrency}"))
    except StepgateError as error:
        print(f"e2e_latency: {error}", file=sys.stderr)
        return 2
    columns = list(rows[0])
    print(" ".join(f"{name:>14}" for name in columns))
    for row in rows:
        print(" ".join(f"{row[name]:>14.3f}" if isinstance(row[name], float) else f"{row[name]:>14}" for name in columns))
    return 0 if all(check.ok for check in teardown) else 1


if __name__ == "__main__":
    sys.exit(main())
