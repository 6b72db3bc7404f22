"""What a user waits for: `stepgate check plan.json` against `checkov -f plan.json`, whole processes, side by side.

    .venv/bin/python benchmarks/check_speed.py [--sizes 100 1000 5000] [--rounds 3] [--baseline DIR]

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

`--baseline DIR` adds a fourth command in the same rounds: `stepgate check` with the `stepgate` package in
DIR first on PYTHONPATH (e.g. `git archive HEAD stepgate | tar -x -C DIR` before a change), so a change is
measured before/after side by side; a second table gives its seconds and the ratio stepgate / baseline.
"""

from __future__ import annotations

import argparse
import compileall
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
    stderr: str = ""


def run(command: list[str], cwd: Path, extra_env: dict[str, str] | None = None) -> Run:
    """One whole process: wall time and its own peak resident memory (wait4 reports it per child)."""
    env = {**os.environ, "BC_SKIP_DOWNLOAD": "TRUE", **(extra_env or {})}
    with tempfile.TemporaryFile(mode="w+") as errors:  # a file, not a pipe: no deadlock on a chatty command
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=errors, text=True)
        assert process.stdout is not None
        stdout = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read()
    return Run(seconds, usage.ru_maxrss / 1024, process.returncode, stdout, stderr)


def commands(path: Path, baseline: Path | None = None) -> dict[str, list[str]]:
    stepgate = [str(BIN / "stepgate"), "check", str(path), "--format", "json", "--min-severity", "info"]
    found = {
        "stepgate": stepgate,
        "checkov": [str(BIN / "checkov"), "-f", str(path), "--framework", "terraform_plan", "--skip-download", "--quiet",
                    "--compact", "-o", "json"],
        "floor": [sys.executable, "-c", "import json, sys; json.load(open(sys.argv[1]))", str(path)],
    }
    if baseline is not None:
        found["baseline"] = stepgate  # run with `baseline` first on PYTHONPATH (ENVIRONMENTS)
    return found


def environments(baseline: Path | None) -> dict[str, dict[str, str]]:
    """Extra environment per command: the baseline's package directory first on PYTHONPATH."""
    return {} if baseline is None else {"baseline": {"PYTHONPATH": str(baseline)}}


def sanity(name: str, result: Run) -> str:
    """What shows the command really read the plan, or why it broke."""
    if name in ("stepgate", "baseline"):
        if result.code not in (0, 1) or not result.stdout.strip():
            last = result.stderr.strip().splitlines()[-1:] or ["no output"]
            return f"{name} exited {result.code}: {last[0][:200]}"
        return f"{name}: {len(json.loads(result.stdout)['findings'])} findings"
    if name == "checkov":
        if result.code not in (0, 1):
            return f"checkov exited {result.code}"
        report = json.loads(result.stdout)
        summary = (report[0] if isinstance(report, list) else report).get("summary", {})
        return f"{summary.get('resource_count', 0)} resources, {int(summary.get('passed', 0)) + int(summary.get('failed', 0))} checks"
    return "" if result.code == 0 else f"floor exited {result.code}"


def _note(name: str, runs: list[Run]) -> str:
    """The sanity note of a run that broke (its time is in the median too), else of the last run."""
    notes = [sanity(name, r) for r in runs]
    return next((note for note in notes if " exited " in note), notes[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--rounds", type=int, default=3, help="runs of each command per size (median reported)")
    parser.add_argument("--baseline", type=Path, help="a directory holding another stepgate package, run side by side")
    args = parser.parse_args()
    missing = [str(BIN / name) for name in ("stepgate", "checkov") if not (BIN / name).exists()]
    if missing:
        print(f"check_speed: {', '.join(missing)} not found; run `make setup`", file=sys.stderr)
        return 2
    baseline = args.baseline.resolve() if args.baseline else None
    if baseline is not None and not (baseline / "stepgate" / "__init__.py").is_file():
        print(f"check_speed: {baseline} holds no stepgate package", file=sys.stderr)
        return 2
    if baseline is not None:  # its bytecode written once, as an installed package has it
        compileall.compile_dir(baseline / "stepgate", quiet=1)
    extra_env = environments(baseline)
    compared: list[str] = []
    print(f"{'resources':>9} {'stepgate s':>10} {'MB':>5} {'checkov s':>9} {'MB':>5} {'floor s':>8} {'MB':>4} "
          f"{'checkov/stepgate':>16} {'stepgate/floor':>14} {'stepgate ms/100 res':>19}  read")
    previous: tuple[int, float] | None = None
    with tempfile.TemporaryDirectory(prefix="stepgate-bench-") as scratch:
        for size in args.sizes:
            path = Path(scratch) / f"plan-{size}.json"
            path.write_text(json.dumps(generate(size)))
            results: dict[str, list[Run]] = {name: [] for name in commands(path, baseline)}
            for _ in range(args.rounds):
                for name, command in commands(path, baseline).items():
                    results[name].append(run(command, Path(scratch), extra_env.get(name)))
            seconds = {name: statistics.median(r.seconds for r in runs) for name, runs in results.items()}
            memory = {name: max(r.peak_mb for r in runs) for name, runs in results.items()}
            notes = "; ".join(note for name, runs in results.items() if (note := _note(name, runs)))
            growth = "-" if previous is None else f"{(seconds['stepgate'] - previous[1]) / (size - previous[0]) * 1e5:.1f}"
            previous = (size, seconds["stepgate"])
            print(f"{size:>9} {seconds['stepgate']:10.2f} {memory['stepgate']:5.0f} {seconds['checkov']:9.2f} {memory['checkov']:5.0f} "
                  f"{seconds['floor']:8.2f} {memory['floor']:4.0f} {seconds['checkov'] / seconds['stepgate']:15.1f}x "
                  f"{seconds['stepgate'] / seconds['floor']:13.1f}x {growth:>19}  {notes}", flush=True)
            if baseline is not None:
                compared.append(f"{size:>9} {seconds['baseline']:10.2f} {memory['baseline']:5.0f} {seconds['stepgate']:10.2f} "
                                f"{seconds['baseline'] / seconds['floor']:14.1f}x {seconds['stepgate'] / seconds['baseline']:17.2f}")
    if compared:
        print(f"\nbaseline: {baseline}")
        print(f"{'resources':>9} {'baseline s':>10} {'MB':>5} {'stepgate s':>10} {'baseline/floor':>15} {'stepgate/baseline':>17}")
        print("\n".join(compared))
    return 0


if __name__ == "__main__":
    sys.exit(main())
