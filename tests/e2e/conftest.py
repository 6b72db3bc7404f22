"""The e2e tier deploys the examples exactly as a user's repository deploys its configuration: through the
stepgate pytest plugin's `stepgate_deployment` fixture (applied once a session, destroyed at its end)
and the scenario file next to each example."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from stepgate.e2e.checks import CheckResult
from stepgate.e2e.runner import Deployed
from stepgate.e2e.scenario import DEFAULT_FILE, Scenario, load_scenario

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def example_scenario(name: str) -> Scenario:
    return load_scenario(EXAMPLES / name / DEFAULT_FILE)


@pytest.fixture(scope="session")
def deploy_example(stepgate_deployment: Callable[..., Deployed]) -> Callable[[str], Deployed]:
    """examples/<name> applied with its scenario's variables (once a session)."""
    return lambda name: stepgate_deployment(EXAMPLES / name, vars=example_scenario(name).variables)


def assert_checks(results: list[CheckResult]) -> None:
    failed = [f"{check.name}: {check.detail}" for check in results if not check.ok]
    assert results and not failed, "\n".join(failed)
