"""Time the stepgate engine and `checkov -f plan.json` on the same generated plans, in one run.

    .venv/bin/python benchmarks/check_speed.py [--sizes 100 1000 5000] [--no-checkov]

Plans are built by repeating the compliant module-shaped case of tests/policy (16 resources: a
workflow, its roles and policies, a REST route, an audit rule) under distinct module names and ARNs,
in the `tofu show -json` format, and written to a file. Both tools start from that file: the engine
time is reading it, building the plan model and running every engine rule; the checkov time is the
`checkov -f FILE --framework terraform_plan --skip-download` process (offline, built-in checks).
Prints seconds per size for both, the ratio and the engine's cost per resource; no asserts.
Targets (issue 2): 1,000 resources in < 1 s for the engine, >= 10x faster than checkov, linear growth.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "policy"))

from snippets import build_plan  # noqa: E402  (test helper that writes the tofu plan format)

from stepgate.plan import load_plan  # noqa: E402
from stepgate.rules import run_engine  # noqa: E402

BASE = (REPO / "tests" / "policy" / "cases" / "base.yaml").read_text()
CHECKOV = REPO / ".venv" / "bin" / "checkov"


def generate(size: int) -> dict[str, Any]:
    """A plan of exactly `size` resources: whole copies of the base case, the last one cut short."""
    resources: list[dict[str, Any]] = []
    copy = 0
    while len(resources) < size:
        text = BASE.replace("module.workflow.", f"module.workflow_{copy}.").replace("module.api.", f"module.api_{copy}.")
        text = text.replace("module.audit.", f"module.audit_{copy}.").replace("demo-orders", f"demo-orders-{copy}")
        text = text.replace("demo-api-integration", f"demo-api-integration-{copy}").replace("demo-execution-status", f"demo-execution-status-{copy}")
        resources.extend(yaml.safe_load(text)["resources"])
        copy += 1
    return build_plan(resources[:size])


def time_engine(path: Path) -> tuple[float, int, int]:
    """(seconds, resources in the model, findings)."""
    start = time.perf_counter()
    plan = load_plan(path)
    findings = run_engine(plan)
    return time.perf_counter() - start, len(plan), len(findings)


@dataclass(frozen=True)
class CheckovRun:
    seconds: float
    resources: int  # what checkov says it scanned, to show it really read the plan
    checks: int  # passed + failed check results
    error: str = ""


def time_checkov(path: Path) -> CheckovRun:
    command = [str(CHECKOV), "-f", str(path), "--framework", "terraform_plan", "--skip-download", "--quiet", "--compact", "-o", "json"]
    env = {**os.environ, "BC_SKIP_DOWNLOAD": "TRUE"}
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=path.parent, env=env)
    seconds = time.perf_counter() - start
    if result.returncode not in (0, 1):  # 1 means "some check failed", anything else means checkov broke
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return CheckovRun(seconds, 0, 0, f"checkov exited {result.returncode}: {last}")
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        return CheckovRun(seconds, 0, 0, "checkov printed no JSON report")
    summary = (report[0] if isinstance(report, list) else report).get("summary", {})
    return CheckovRun(seconds, int(summary.get("resource_count", 0)), int(summary.get("passed", 0)) + int(summary.get("failed", 0)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--no-checkov", action="store_true", help="time the engine only")
    args = parser.parse_args()
    if not args.no_checkov and not CHECKOV.exists():
        print(f"check_speed: {CHECKOV} not found; run `make venv` or pass --no-checkov", file=sys.stderr)
        return 2
    header = f"{'resources':>9} {'engine s':>9} {'engine us/res':>13} {'findings':>8} {'checkov s':>9} {'ckv resources':>13} {'ckv checks':>10} {'ratio':>8}"
    print(header)
    with tempfile.TemporaryDirectory(prefix="stepgate-bench-") as scratch:
        for size in args.sizes:
            path = Path(scratch) / f"plan-{size}.json"
            path.write_text(json.dumps(generate(size)))
            engine, modelled, findings = time_engine(path)
            row = f"{modelled:>9} {engine:9.3f} {engine / modelled * 1e6:13.0f} {findings:>8}"
            if args.no_checkov:
                print(f"{row} {'-':>9} {'-':>13} {'-':>10} {'-':>8}", flush=True)
                continue
            checkov = time_checkov(path)
            if checkov.error:
                print(f"{row} {checkov.error}", flush=True)
                continue
            print(f"{row} {checkov.seconds:9.2f} {checkov.resources:>13} {checkov.checks:>10} {checkov.seconds / engine:7.1f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
