"""One end-to-end run: sandbox up, apply, invoke and verify, destroy, prove nothing is left, sandbox down."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stepgate.e2e.caller import Caller, iam_caller, open_caller
from stepgate.e2e.checks import (
    CheckResult,
    Deployment,
    ExecutionRecord,
    check_audit,
    check_idempotency,
    check_refused,
    check_rejections,
    run_case,
)
from stepgate.e2e.inventory import Inventory, take_inventory
from stepgate.e2e.invoke import EndpointUnreachable, Invoker, RouteUrls
from stepgate.e2e.scenario import Scenario, load_scenario
from stepgate.e2e.target import Target, require_sandbox_account
from stepgate.errors import StepgateError
from stepgate.sandbox import DEFAULT_REGION, Sandbox, is_alive, prepare_workdir, running_sandbox
from stepgate.tf import TfRunner, find_toolchain

Progress = Callable[[str], None]


@dataclass
class E2EReport:
    example: str
    target: str
    checks: list[CheckResult] = field(default_factory=list)
    records: list[ExecutionRecord] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)


@dataclass(frozen=True)
class Example:
    repo_root: Path
    name: str

    @classmethod
    def from_dir(cls, example_dir: Path) -> Example:
        path = Path(example_dir).resolve()
        if not path.is_dir():
            raise StepgateError(f"{example_dir} is not a directory")
        if path.parent.name != "examples":
            raise StepgateError(f"{example_dir} is not an examples/<name> directory of the module repository")
        return cls(repo_root=path.parent.parent, name=path.name)


def deployment_from_outputs(outputs: dict[str, Any], target: Target, invoker: Invoker, scenario: Scenario) -> Deployment:
    """The example's outputs (the module's, re-exported) -> where to call and what to read back."""
    required = ("api_id", "stage_name", "invoke_url", "routes", "state_machine_arns")
    missing = [name for name in required if name not in outputs]
    if missing:
        raise StepgateError(f"the example's outputs lack {', '.join(missing)} (has: {', '.join(sorted(outputs))})")
    check_routes_match(scenario, outputs["routes"])
    urls = (RouteUrls.for_emulator(target.endpoint_url or "", outputs["api_id"], outputs["stage_name"]) if target.is_local
            else RouteUrls.for_invoke_url(outputs["invoke_url"]))
    session = target.session()
    return Deployment(
        urls=urls, invoker=invoker, sfn=target.client("stepfunctions", session), logs=target.client("logs", session),
        state_machines=dict(outputs["state_machine_arns"]),
        # EXPRESS-only examples have no audit stream (EventBridge emits no status events for EXPRESS).
        audit_log_group=outputs.get("audit_log_group_name"),
        log_groups=dict(outputs.get("state_machine_log_group_names") or {}),
    )


def check_routes_match(scenario: Scenario, routes: dict[str, Any]) -> None:
    """The scenario must describe the routes the example really deployed (else its expectations are stale)."""
    for route in scenario.routes:
        deployed_route = routes.get(route.workflow)
        if deployed_route is None:
            raise StepgateError(f"scenario {scenario.example}: workflow {route.workflow!r} is not deployed (routes: {sorted(routes)})")
        actual = (deployed_route.get("method"), deployed_route.get("path"), deployed_route.get("invocation"), deployed_route.get("type"))
        expected = (route.method, route.path, route.invocation, route.workflow_type)
        if actual != expected:
            raise StepgateError(f"scenario {scenario.example}: {route.workflow} is deployed as {actual}, the scenario expects {expected}")
    untested = sorted(set(routes) - {route.workflow for route in scenario.routes})
    if untested:
        raise StepgateError(f"scenario {scenario.example} does not cover the deployed route(s) {', '.join(untested)}")


@contextlib.contextmanager
def open_target(kind: str, region: str, state_root: Path | None) -> Iterator[tuple[Target, Sandbox | None]]:
    """A local sandbox for the duration of the run, or the guarded real sandbox account."""
    if kind == "local":
        with running_sandbox(state_root) as sandbox:
            yield Target("local", sandbox.region, sandbox.endpoint_url), sandbox
    elif kind == "aws":
        target = Target("aws", region)
        require_sandbox_account(target.client("sts"))
        yield target, None
    else:
        raise StepgateError(f"unknown target {kind!r} (expected local or aws)")


@dataclass
class Deployed:
    """An applied example: destroy it with `teardown()` (always, in a finally)."""

    runner: TfRunner
    target: Target
    deployment: Deployment
    before: Inventory
    outputs: dict[str, Any]


@contextlib.contextmanager
def deployed(example: Example, scenario: Scenario, target: Target, sandbox: Sandbox | None, progress: Progress,
             checks: list[CheckResult], caller: Caller | None = None) -> Iterator[Deployed]:
    """Apply the example against the target, yield it, and always destroy it and prove nothing is left.
    Routes are called as `caller` (default: the run's own IAM credentials)."""
    caller = caller or iam_caller(target)
    # The examples' provider takes its region from var.region: the run's region must be the one applied to.
    tf_vars = {"region": target.region, **caller.tf_vars}
    guard = SandboxGuard(sandbox)
    workdir = prepare_workdir(example.repo_root, example.name, target.endpoint_url, target.region)
    runner = TfRunner(workdir, find_toolchain())
    with guard.phase("taking the resource inventory"):
        before = take_inventory(target)
    progress(f"init {example.name} ({runner.toolchain.kind} {runner.toolchain.version})")
    with guard.phase("init"):
        runner.init()
    invoker = Invoker(caller.auth)
    applied = False
    try:
        progress(f"apply {example.name} in {target.endpoint_url or 'the sandbox account'}")
        with guard.phase("apply"):
            applied = True
            runner.apply(tf_vars)
            outputs = runner.outputs()
        with guard.phase("reading the outputs"):
            deployment = deployment_from_outputs(outputs, target, invoker, scenario)
        with guard.phase("verifying"):
            yield Deployed(runner, target, deployment, before, outputs)
    finally:
        invoker.close()
        if applied and guard.alive():
            progress(f"destroy {example.name}")
            # A failed destroy is reported as a failed check, so it never hides the error that got us here.
            try:
                with guard.phase("destroy"):
                    runner.destroy(tf_vars)
                    left = take_inventory(target) - before
            except StepgateError as error:
                checks.append(CheckResult("destroy leaves nothing behind", False, str(error)))
            else:
                checks.append(CheckResult(
                    "destroy leaves nothing behind", not left,
                    f"left: {sorted(left)}" if left else "list calls show no resource of the example",
                ))


class SandboxGuard:
    """Turns any failure while the local emulator is gone into one clear line naming the phase."""

    def __init__(self, sandbox: Sandbox | None):
        self._sandbox = sandbox

    def alive(self) -> bool:
        return self._sandbox is None or is_alive(self._sandbox)

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        try:
            yield
        except Exception as error:  # whatever broke (tofu, boto3, HTTP), a dead emulator is the cause to report
            if not self.alive():
                assert self._sandbox is not None
                raise StepgateError(
                    f"the sandbox stopped during {name} (LocalStack pid {self._sandbox.pid} is gone; log: {self._sandbox.log_path})"
                ) from error
            if isinstance(error, EndpointUnreachable):
                raise StepgateError(f"{name}: {error}") from error
            raise


def verify_scenario(deployment: Deployment, scenario: Scenario, caller: Caller, progress: Progress) -> list[CheckResult]:
    """Steps 2-5 of the e2e run: refused callers, every case of every route, bad input, idempotency, audit."""
    results: list[CheckResult] = []
    for route in scenario.routes:
        for refused in caller.refused:
            progress(f"{route.label}: {refused.label}")
            results.append(check_refused(deployment, route, refused))
        for case in route.cases:
            progress(f"{route.label}: {case.name}")
            results.append(run_case(deployment, route, case))
        progress(f"{route.label}: bad input")
        results += check_rejections(deployment, route)
        if route.invocation == "async" and scenario.names_executions_by_idempotency_key:
            progress(f"{route.label}: Idempotency-Key")
            results.append(check_idempotency(deployment, route))
    progress("audit stream")
    results += check_audit(deployment, deployment.records)
    return results


def run_e2e(example_dir: Path, target_kind: str = "local", region: str = DEFAULT_REGION,
            state_root: Path | None = None, progress: Progress = lambda _: None) -> E2EReport:
    example = Example.from_dir(example_dir)
    scenario = load_scenario(example.name)
    report = E2EReport(example=example.name, target=target_kind)
    scenario.require_target(target_kind)  # before an emulator starts or an account is touched
    with open_target(target_kind, region, state_root) as (target, sandbox):
        if sandbox is not None:
            progress(f"sandbox up at {sandbox.endpoint_url} in {sandbox.start_seconds:.1f} s (pid {sandbox.pid})")
        if scenario.auth == "JWT":
            progress(f"disposable Cognito issuer for scope {scenario.jwt_scope}")
        with open_caller(scenario, target) as caller, \
                deployed(example, scenario, target, sandbox, progress, report.checks, caller) as live:
            report.checks += verify_scenario(live.deployment, scenario, caller, progress)
            report.records = list(live.deployment.records)
    return report
