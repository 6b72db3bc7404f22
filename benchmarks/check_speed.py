"""Time the stepgate engine and `checkov -f plan.json` on the same generated plans.

    .venv/bin/python benchmarks/check_speed.py [--sizes 100 1000 5000] [--no-checkov]

Plans are built by repeating the compliant module-shaped case of tests/policy (16 resources: a
workflow, its roles and policies, a REST route, an audit rule) under distinct module names and ARNs,
in the `tofu show -json` format. Prints seconds per size for both tools and the ratio; no asserts.
Targets: 1,000 resources in < 1 s for the engine, >= 10x faster than checkov, linear growth.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "policy"))

from snippets import build_plan  # noqa: E402  (test helper that writes the tofu plan format)

from stepgate.plan import load_plan  # noqa: E402
from stepgate.rules import run_engine  # noqa: E402

BASE = (REPO / "tests" / "policy" / "cases" / "base.yaml").read_text()


def generate(size: int) -> dict:
    resources: list[dict] = []
    copy = 0
    while len(resources) < size:
        text = BASE.replace("module.workflow.", f"module.workflow_{copy}.").replace("module.api.", f"module.api_{copy}.")
        text = text.replace("module.audit.", f"module.audit_{copy}.").replace("demo-orders", f"demo-orders-{copy}")
        text = text.replace("demo-api-integration", f"demo-api-integration-{copy}").replace("demo-execution-status", f"demo-execution-status-{copy}")
        resources.extend(yaml.safe_load(text)["resources"])
        copy += 1
    return build_plan(resources[:size])


def time_engine(document: dict) -> tuple[float, int]:
    start = time.perf_counter()
    findings = run_engine(load_plan(document))
    return time.perf_counter() - start, len(findings)


def time_checkov(path: Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(REPO / ".venv" / "bin" / "checkov"), "-f", str(path), "--framework", "terraform_plan", "--skip-download",
                    "--quiet", "--compact", "-o", "json"], capture_output=True, text=True, check=False, cwd=path.parent)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--no-checkov", action="store_true", help="time the engine only")
    args = parser.parse_args()
    print(f"{'resources':>9} {'engine s':>9} {'findings':>8} {'checkov s':>9} {'ratio':>7} {'engine us/resource':>18}")
    with tempfile.TemporaryDirectory(prefix="stepgate-bench-") as scratch:
        for size in args.sizes:
            document = generate(size)
            path = Path(scratch) / f"plan-{size}.json"
            path.write_text(json.dumps(document))
            engine, count = time_engine(document)
            checkov = None if args.no_checkov else time_checkov(path)
            ratio = f"{checkov / engine:6.1f}x" if checkov else "      -"
            checkov_text = f"{checkov:9.2f}" if checkov else "        -"
            print(f"{size:>9} {engine:9.3f} {count:>8} {checkov_text} {ratio} {engine / size * 1e6:18.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
