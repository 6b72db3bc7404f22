"""What a user waits for: `stepgate check plan.json` against `checkov -f plan.json`, whole processes, side by side.

    .venv/bin/python benchmarks/check_speed.py [--sizes 100 1000 5000] [--rounds 3]

Plans are built by repeating the compliant module-shaped case of tests/policy (a workflow, its roles and
policies, a REST route, an audit rule) under distinct module names and ARNs, in the `tofu show -json`
format, and written to a file. Three commands start from that file, each a fresh process, interleaved
round by round so drift of a shared machine hits all three alike:
- `stepgate check FILE --format json` (every stepgate rule, the report written),
- `checkov -f FILE --framework terraform_plan --skip-download` (checkov's built-in checks, offline),
- the floor: `python -c 'json.load(...)'` of the same file (interpreter start plus parsing the plan).
Prints median wall seconds and peak memory per command and size, the ratio checkov / stepgate and
stepgate / floor, and stepgate's growth per resource. No asserts: the targets (>= 10x faster than
checkov, within 4x of the floor, linear growth) are read off the table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
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

BASE = (REPO / "tests" / "policy" / "cases" / "base.yaml").read_text()
BIN = Path(sys.executable).parent


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


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    code: int
    stdout: str


def run(command: list[str], cwd: Path) -> Run:
    """One whole process: wall time and its own peak resident memory (wait4 reports it per child)."""
    env = {**os.environ, "BC_SKIP_DOWNLOAD": "TRUE"}
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    stdout = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, usage.ru_maxrss / 1024, process.returncode, stdout)


def commands(path: Path) -> dict[str, list[str]]:
    return {
        "stepgate": [str(BIN / "stepgate"), "check", str(path), "--format", "json", "--min-severity", "info"],
        "checkov": [str(BIN / "checkov"), "-f", str(path), "--framework", "terraform_plan", "--skip-download", "--quiet",
                    "--compact", "-o", "json"],
        "floor": [sys.executable, "-c", "import json, sys; json.load(open(sys.argv[1]))", str(path)],
    }


def sanity(name: str, result: Run) -> str:
    """What shows the command really read the plan, or why it broke."""
    if name == "stepgate":
        if result.code not in (0, 1):
            return f"stepgate exited {result.code}"
        return f"{len(json.loads(result.stdout)['findings'])} findings"
    if name == "checkov":
        if result.code not in (0, 1):
            return f"checkov exited {result.code}"
        report = json.loads(result.stdout)
        summary = (report[0] if isinstance(report, list) else report).get("summary", {})
        return f"{summary.get('resource_count', 0)} resources, {int(summary.get('passed', 0)) + int(summary.get('failed', 0))} checks"
    return "" if result.code == 0 else f"floor exited {result.code}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--rounds", type=int, default=3, help="runs of each command per size (median reported)")
    args = parser.parse_args()
    missing = [str(BIN / name) for name in ("stepgate", "checkov") if not (BIN / name).exists()]
    if missing:
        print(f"check_speed: {', '.join(missing)} not found; run `make setup`", file=sys.stderr)
        return 2
    print(f"{'resources':>9} {'stepgate s':>10} {'MB':>5} {'checkov s':>9} {'MB':>5} {'floor s':>8} {'MB':>4} "
          f"{'checkov/stepgate':>16} {'stepgate/floor':>14} {'stepgate ms/100 res':>19}  read")
    previous: tuple[int, float] | None = None
    with tempfile.TemporaryDirectory(prefix="stepgate-bench-") as scratch:
        for size in args.sizes:
            path = Path(scratch) / f"plan-{size}.json"
            path.write_text(json.dumps(generate(size)))
            results: dict[str, list[Run]] = {name: [] for name in commands(path)}
            for _ in range(args.rounds):
                for name, command in commands(path).items():
                    results[name].append(run(command, Path(scratch)))
            seconds = {name: statistics.median(r.seconds for r in runs) for name, runs in results.items()}
            memory = {name: max(r.peak_mb for r in runs) for name, runs in results.items()}
            notes = "; ".join(note for name, runs in results.items() if (note := sanity(name, runs[-1])))
            growth = "-" if previous is None else f"{(seconds['stepgate'] - previous[1]) / (size - previous[0]) * 1e5:.1f}"
            previous = (size, seconds["stepgate"])
            print(f"{size:>9} {seconds['stepgate']:10.2f} {memory['stepgate']:5.0f} {seconds['checkov']:9.2f} {memory['checkov']:5.0f} "
                  f"{seconds['floor']:8.2f} {memory['floor']:4.0f} {seconds['checkov'] / seconds['stepgate']:15.1f}x "
                  f"{seconds['stepgate'] / seconds['floor']:13.1f}x {growth:>19}  {notes}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
