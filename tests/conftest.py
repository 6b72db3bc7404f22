"""Fixtures every tier shares, and the tier marks.

A test's tier follows its folder (unit and policy tests need no binaries, plan tests need tofu/terraform
and the locally built provider, e2e tests need the emulator, consumer tests install the wheel into a
fresh virtualenv). A fixture whose prerequisite is missing fails the test with the reason: a missing
toolchain must turn the run red, never into skips.

The repository's own tests use the harness through its public interface, as a user's repository would:
examples are planned with `stepgate.planning.plan_directory` (against the session's emulator, so account
id and region are literal offline) and deployed with the plugin's `stepgate_deployment` fixture.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from stepgate.errors import StepgateError

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples"
TIER_BY_FOLDER = {"unit": "unit", "policy": "unit", "plan": "plan", "e2e": "e2e", "consumer": "consumer"}
# The plan tier runs once per binary; the README says which versions are tested.
BINARIES = ("tofu", "terraform")
# A user's repository the consumer tier runs in its own virtualenv; its tests are not this repository's.
collect_ignore_glob = ["consumer/repo/*"]


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups off the items
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(str(item.fspath)).relative_to(REPO_ROOT / "tests").parts
        tier = TIER_BY_FOLDER.get(parts[0]) if len(parts) > 1 else None
        if tier is None:
            raise pytest.UsageError(f"{item.nodeid}: tests must live in one of tests/{{{','.join(TIER_BY_FOLDER)}}}/")
        item.add_marker(getattr(pytest.mark, tier))
        # `make test` runs the tiers side by side (pytest-xdist, --dist loadgroup): each group on one worker
        # with its own sandbox, the plan tier split by binary. Most of the time is spent waiting on tofu,
        # the provider's deletion waiters and the emulator, not on this machine's two cores.
        item.add_marker(pytest.mark.xdist_group(_group(item, tier, parts)))


# e2e modules that share session deployments (basic, multi-workflow) stay together; the others deploy
# their own and form a second group.
E2E_SHARED = {"test_basic.py", "test_trace.py", "test_multi_workflow.py"}


def _group(item: pytest.Item, tier: str, parts: tuple[str, ...]) -> str:
    if tier == "plan":
        return "plan-" + (item.callspec.params.get("toolchain", BINARIES[0]) if hasattr(item, "callspec") else BINARIES[0])
    if tier == "e2e":
        return "e2e-shared" if parts[-1] in E2E_SHARED else "e2e-own"
    return tier


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


def _toolchain(binary: str) -> Any:
    from stepgate.tf import find_toolchain

    path = shutil.which(binary)
    if path is None:
        pytest.fail(f"plan tier cannot run: no {binary} on PATH (run `make setup`; the Makefile puts ~/.local/bin on PATH)", pytrace=False)
    try:
        found = find_toolchain({**os.environ, "STEPGATE_TF_BINARY": path})
    except StepgateError as error:
        pytest.fail(f"plan tier cannot run: {error}", pytrace=False)
    if found.mirror is None:
        pytest.fail("plan tier cannot run: STEPGATE_PROVIDER_MIRROR is not set (`make test` sets it to the mirror `make setup` builds)",
                    pytrace=False)
    return found


@pytest.fixture(scope="session", params=BINARIES)
def toolchain(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Each plan-tier test runs with tofu and with terraform: STEPGATE_TF_BINARY names the binary."""
    found = _toolchain(request.param)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STEPGATE_TF_BINARY", str(found.binary))
        yield found


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from stepgate.sandbox import running_sandbox

    try:
        with running_sandbox(state_root=tmp_path_factory.mktemp("sandbox")) as running:
            yield running
    except StepgateError as error:
        pytest.fail(f"sandbox cannot run: {error}", pytrace=False)


_PLANS: dict[str, dict[str, Any]] = {}


def _planner(toolchain: Any, sandbox: Any) -> Callable[..., dict[str, Any]]:
    from stepgate.planning import plan_directory

    def plan(example: str, tf_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        key = json.dumps([toolchain.kind, example, tf_vars], sort_keys=True)
        if key not in _PLANS:
            _PLANS[key] = plan_directory(EXAMPLES / example, tf_vars, sandbox=sandbox, toolchain=toolchain)
        return _PLANS[key]

    return plan


@pytest.fixture(scope="session")
def plan_example(toolchain: Any, sandbox: Any) -> Callable[..., dict[str, Any]]:
    """Plan examples/<name> against the session's emulator and return the plan JSON; each (binary, example,
    variables) is planned once a session."""
    return _planner(toolchain, sandbox)


@pytest.fixture(scope="session")
def tofu_plan_example(sandbox: Any) -> Callable[..., dict[str, Any]]:
    """The same with tofu only, for checks of the plan's content that do not depend on the binary."""
    return _planner(_toolchain("tofu"), sandbox)
