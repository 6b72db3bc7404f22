"""pytest plugin (entry point `stepgate`): plan checks and end-to-end deployments in a few lines.

    def test_infra_is_compliant(stepgate_plan):
        assert_compliant(stepgate_plan("infra/", sandbox=True), min_severity="medium")

    def test_report_is_processed(stepgate_deployment):
        live = stepgate_deployment("infra/")
        response = live.request("POST", "/processReport", {"reportId": "r-1"})
        execution = live.wait(response.json()["executionArn"])
        assert execution["status"] == "SUCCEEDED"

`stepgate_sandbox` (session) is where deployments go: a local emulator started once per session, or
the guarded real sandbox account with `--stepgate-target aws`. `stepgate_deployment` (session) applies
a configuration once per session and variables, and destroys every deployment at the end of the
session, concurrently, failing the session if anything is left behind. Imports of the harness happen
inside the fixtures, so merely having stepgate installed costs pytest nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from stepgate.e2e.runner import Deployed
    from stepgate.e2e.target import Target
    from stepgate.findings import Finding
    from stepgate.plan import Plan


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("stepgate")
    group.addoption("--stepgate-target", choices=("local", "aws"), default="local",
                    help="where stepgate_deployment applies: a local emulator (default) or the sandbox account "
                         "named by STEPGATE_SANDBOX_ACCOUNT_ID")
    group.addoption("--stepgate-region", default="us-east-1", help="AWS region for --stepgate-target aws")


def assert_compliant(
    subject: "Plan | Sequence[Finding] | str | Path",
    min_severity: str = "low",
    config: "str | Path | None" = None,
    with_checkov: bool = False,
    source_dir: "str | Path | None" = None,
    sandbox: bool = False,
) -> None:
    """Fail with one readable line per finding at/above `min_severity` (suppressed findings never fail).

    `subject` is a Plan, a plan JSON file or configuration directory (planned against a local emulator
    with `sandbox=True`), or findings already computed. File:line and inline `# stepgate:ignore` comments
    come from `source_dir`, which defaults to the directory the plan was made from.
    """
    from stepgate.engine import CheckOptions, run_checks
    from stepgate.errors import StepgateError
    from stepgate.findings import Severity
    from stepgate.plan import Plan, load_plan
    from stepgate.planning import plan_document_from_path

    try:
        threshold = Severity.parse(min_severity)
        if isinstance(subject, (str, Path)):
            subject = load_plan(plan_document_from_path(Path(subject), sandbox=sandbox), label=str(subject))
        if isinstance(subject, Plan):
            planned_from = Path(subject.source) if subject.source else None
            source = Path(source_dir) if source_dir else planned_from if planned_from and planned_from.is_dir() else None
            options = CheckOptions(config_path=Path(config) if config else None, with_checkov=with_checkov, source_dir=source)
            findings = run_checks(subject, options)
        else:
            findings = list(subject)
    except StepgateError as error:
        pytest.fail(f"stepgate could not check: {error}", pytrace=False)
    failing = [f for f in findings if f.suppressed is None and f.severity >= threshold]
    if failing:
        lines = [f"  {f.severity.name:<8} {f.rule_id} {f.address}{f' ({f.location})' if f.location else ''}: {f.message}" for f in failing]
        pytest.fail(f"stepgate found {len(failing)} finding(s) at or above {threshold.name}:\n" + "\n".join(lines), pytrace=False)


@pytest.fixture
def stepgate_plan() -> Callable[..., "Plan"]:
    """Factory: a plan JSON file or a configuration directory -> Plan (`sandbox=True`: no credentials needed)."""
    from stepgate.errors import StepgateError
    from stepgate.plan import load_plan
    from stepgate.planning import plan_document_from_path

    def factory(path: "str | Path", tf_vars: Mapping[str, Any] | None = None, sandbox: bool = False) -> "Plan":
        try:
            return load_plan(plan_document_from_path(Path(path), tf_vars=tf_vars, sandbox=sandbox), label=str(path))
        except StepgateError as error:
            pytest.fail(f"stepgate could not plan {path}: {error}", pytrace=False)

    return factory


@pytest.fixture
def stepgate_assert_compliant() -> Callable[..., None]:
    return assert_compliant


@pytest.fixture(scope="session")
def stepgate_sandbox(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator["Target"]:
    """The target deployments go to: a local emulator for the session, or the guarded sandbox account."""
    from stepgate.e2e.runner import open_target
    from stepgate.errors import StepgateError

    kind, region = request.config.getoption("--stepgate-target"), request.config.getoption("--stepgate-region")
    try:
        with open_target(kind, region, tmp_path_factory.mktemp("stepgate-sandbox")) as (target, sandbox):
            request.config.stash[_SANDBOX] = sandbox
            yield target
    except StepgateError as error:
        pytest.fail(f"stepgate sandbox cannot run: {error}", pytrace=False)


_SANDBOX = pytest.StashKey[Any]()


@pytest.fixture(scope="session")
def stepgate_deployment(request: pytest.FixtureRequest, stepgate_sandbox: "Target") -> Iterator[Callable[..., "Deployed"]]:
    """Factory: `stepgate_deployment(DIR, vars={...}, output="stepgate")` applies DIR once per session (and
    variables) and returns it live: `.module` (the module's outputs), `.outputs` (every root output),
    `.request(method, path, body)` (signed for AWS_IAM routes), `.url(path)`, `.wait(execution_arn)`,
    `.deployment.sfn` / `.deployment.logs` (boto3 clients). Everything is destroyed at session end."""
    from stepgate.e2e.checks import CheckResult
    from stepgate.e2e.runner import deployed
    from stepgate.errors import StepgateError

    live: dict[str, Deployed] = {}
    teardowns: dict[str, list[CheckResult]] = {}
    exits: list[Callable[[], Any]] = []

    def factory(directory: "str | Path", vars: Mapping[str, Any] | None = None, output: str = "stepgate") -> "Deployed":
        key = json.dumps([str(Path(directory).resolve()), vars or {}, output], sort_keys=True, default=str)
        if key not in live:
            teardowns[key] = []
            manager = deployed(Path(directory), stepgate_sandbox, sandbox=request.config.stash.get(_SANDBOX, None),
                               variables=vars, output=output, teardown=teardowns[key])
            try:
                live[key] = manager.__enter__()
            except StepgateError as error:
                pytest.fail(f"stepgate could not deploy {directory}: {error}", pytrace=False)
            exits.append(partial(manager.__exit__, None, None, None))
        return live[key]

    yield factory
    # Destroys overlap: each one mostly waits on the provider's deletion waiters.
    with ThreadPoolExecutor(max_workers=max(1, len(exits))) as pool:
        errors = [error for error in pool.map(_run_quietly, exits) if error]
    failed = [f"{check.name}: {check.detail}" for checks in teardowns.values() for check in checks if not check.ok]
    if errors or failed:
        pytest.fail("stepgate teardown: " + "; ".join(errors + failed), pytrace=False)


def _run_quietly(call: Callable[[], Any]) -> str:
    try:
        call()
    except Exception as error:  # noqa: BLE001 - every teardown runs; all failures are reported together
        return f"{error.__class__.__name__}: {error}"
    return ""
