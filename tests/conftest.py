"""Fixtures every tier shares, and the tier marks.

A test's tier follows its folder (unit and policy tests need no binaries, plan tests need tofu and the
locally built provider, e2e tests need the emulator). A fixture whose prerequisite is missing fails the
test with the reason: a missing toolchain must turn the run red, never into skips.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from stepgate.errors import StepgateError

REPO_ROOT = Path(__file__).resolve().parent.parent
TIER_BY_FOLDER = {"unit": "unit", "policy": "unit", "plan": "plan", "e2e": "e2e"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).relative_to(REPO_ROOT / "tests").parts
        tier = TIER_BY_FOLDER.get(parts[0]) if len(parts) > 1 else None
        if tier is None:
            raise pytest.UsageError(f"{item.nodeid}: tests must live in one of tests/{{{','.join(TIER_BY_FOLDER)}}}/")
        item.add_marker(getattr(pytest.mark, tier))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def toolchain() -> Any:
    from stepgate.tf import find_toolchain, installed_aws_provider_versions

    try:
        found = find_toolchain()
    except StepgateError as error:
        pytest.fail(f"plan tier cannot run: {error}", pytrace=False)
    if not installed_aws_provider_versions(found.plugin_dir):
        pytest.fail(f"plan tier cannot run: no hashicorp/aws build under {found.plugin_dir} (run `make setup`)", pytrace=False)
    return found


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from stepgate.sandbox import running_sandbox

    try:
        with running_sandbox(state_root=tmp_path_factory.mktemp("sandbox")) as running:
            yield running
    except StepgateError as error:
        pytest.fail(f"sandbox cannot run: {error}", pytrace=False)


@pytest.fixture(scope="session")
def plan_example(toolchain: Any, sandbox: Any) -> Callable[..., dict[str, Any]]:
    """Plan an example in a temp copy of the repo against the emulator (so account id and region are
    literal offline) and return the plan JSON; each (example, variables) pair is planned once a session."""
    from stepgate.sandbox import prepare_workdir
    from stepgate.tf import TfRunner

    plans: dict[str, dict[str, Any]] = {}

    def plan(example: str, tf_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        key = json.dumps([example, tf_vars], sort_keys=True)
        if key not in plans:
            workdir = prepare_workdir(REPO_ROOT, example, sandbox.endpoint_url, sandbox.region)
            runner = TfRunner(workdir, toolchain)
            runner.init()
            plans[key] = runner.plan(tf_vars)
        return plans[key]

    return plan
