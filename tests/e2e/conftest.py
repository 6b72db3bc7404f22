"""Fixtures only the e2e tier uses: an example applied in the session sandbox, destroyed at module end."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from stepgate.e2e.checks import CheckResult
from stepgate.e2e.runner import Deployed, Example, deployed
from stepgate.e2e.scenario import Scenario, load_scenario
from stepgate.e2e.target import Target

Deploy = Callable[[str], AbstractContextManager[tuple[Deployed, Scenario]]]


@pytest.fixture(scope="session")
def deploy_example(sandbox: Any, toolchain: Any, repo_root: Path) -> Deploy:
    """Apply examples/<name> in the session sandbox; on exit destroy it and fail unless nothing is left."""

    @contextmanager
    def deploy(name: str) -> Iterator[tuple[Deployed, Scenario]]:
        scenario = load_scenario(name)
        target = Target("local", sandbox.region, sandbox.endpoint_url)
        teardown: list[CheckResult] = []
        with deployed(Example(repo_root, name), scenario, target, sandbox, lambda message: None, teardown) as live:
            yield live, scenario
        failed = [f"{check.name}: {check.detail}" for check in teardown if not check.ok]
        if failed:
            pytest.fail("; ".join(failed), pytrace=False)

    return deploy


def assert_checks(results: list[CheckResult]) -> None:
    failed = [f"{check.name}: {check.detail}" for check in results if not check.ok]
    assert results and not failed, "\n".join(failed)
