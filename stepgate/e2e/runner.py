"""Deploying any configuration that calls the stepgate module, and one whole end-to-end run over it.

The contract with a configuration: one root output (`stepgate` unless the scenario names another) holds
the module object (`output "stepgate" { value = module.<name> }`); the harness reads the routes, the API
id and stage, the state machines and log groups from it. The configuration is applied from a scratch
mirror (stepgate.workspace) with its own local state, so the user's directory, backend and state are
never touched, and it is always destroyed, with list calls proving nothing of it is left.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stepgate.e2e.caller import Caller, iam_caller, open_caller
from stepgate.e2e.checks import (
    CheckResult,
    Deployment,
    ExecutionRecord,
    Reviewers,
    check_approvals,
    check_audit,
    check_idempotency,
    check_refused,
    check_rejections,
    run_case,
)
from stepgate.e2e.inventory import Inventory, take_inventory
from stepgate.e2e.invoke import EndpointUnreachable, HttpResponse, Invoker, RouteUrls
from stepgate.e2e.scenario import DEFAULT_OUTPUT, Approvals, Route, Scenario, load_scenario, scenario_path
from stepgate.e2e.target import Target, require_sandbox_account
from stepgate.e2e.verify import wait_for_execution
from stepgate.errors import StepgateError
from stepgate.planning import quiet_tftest
from stepgate.sandbox import DEFAULT_REGION, Sandbox, is_alive, render_provider_override, running_sandbox
from stepgate.tf import TfRunner, find_toolchain
from stepgate.workspace import open_workspace

Progress = Callable[[str], None]
MODULE_OUTPUTS = ("api_id", "stage_name", "invoke_url", "routes", "state_machine_arns")


@dataclass
class E2EReport:
    name: str
    target: str
    checks: list[CheckResult] = field(default_factory=list)
    records: list[ExecutionRecord] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)


def module_outputs(outputs: Mapping[str, Any], name: str = DEFAULT_OUTPUT) -> dict[str, Any]:
    """The module object the configuration exposes as root output `name`, with what the harness needs."""
    module = outputs.get(name)
    if not isinstance(module, Mapping):
        raise StepgateError(f"the configuration has no root output {name!r} holding the stepgate module "
                            f"(add: output \"{name}\" {{ value = module.<your module name> }}); its outputs: {', '.join(sorted(outputs)) or 'none'}")
    missing = [key for key in MODULE_OUTPUTS if key not in module]
    if missing:
        raise StepgateError(f"output {name!r} lacks {', '.join(missing)}: it must be the stepgate module object itself")
    return dict(module)


def deployment_from_outputs(module: Mapping[str, Any], target: Target, invoker: Invoker) -> Deployment:
    """The module's outputs -> where to call and what to read back."""
    urls = (RouteUrls.for_emulator(target.endpoint_url or "", module["api_id"], module["stage_name"]) if target.is_local
            else RouteUrls.for_invoke_url(module["invoke_url"]))
    session = target.session()
    return Deployment(
        urls=urls, invoker=invoker, sfn=target.client("stepfunctions", session), logs=target.client("logs", session),
        state_machines=dict(module["state_machine_arns"]),
        # EXPRESS-only configurations have no audit stream (EventBridge emits no status events for EXPRESS).
        audit_log_group=module.get("audit_log_group_name"),
        log_groups=dict(module.get("state_machine_log_group_names") or {}),
        approval_routes=dict(module.get("approval_routes") or {}),
    )


def check_routes_match(scenario: Scenario, routes: Mapping[str, Any]) -> None:
    """The scenario must describe the routes the configuration really deployed (else its expectations are stale)."""
    for route in scenario.routes:
        deployed_route = routes.get(route.workflow)
        if deployed_route is None:
            raise StepgateError(f"scenario {scenario.name}: workflow {route.workflow!r} is not deployed (routes: {sorted(routes)})")
        actual = (deployed_route.get("method"), deployed_route.get("path"), deployed_route.get("invocation"), deployed_route.get("type"))
        expected = (route.method, route.path, route.invocation, route.workflow_type)
        if actual != expected:
            raise StepgateError(f"scenario {scenario.name}: {route.workflow} is deployed as {actual}, the scenario expects {expected}")
    untested = sorted(set(routes) - {route.workflow for route in scenario.routes})
    if untested:
        raise StepgateError(f"scenario {scenario.name} does not cover the deployed route(s) {', '.join(untested)}")


@contextlib.contextmanager
def open_target(kind: str, region: str = DEFAULT_REGION, state_root: Path | None = None) -> Iterator[tuple[Target, Sandbox | None]]:
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


def provider_override(target: Target) -> str:
    """The aws provider configuration a deployment runs with: the emulator's, or the run's region on AWS."""
    if target.is_local:
        return render_provider_override(target.endpoint_url or "", target.region)
    return f'  region = "{target.region}"\n'


@dataclass
class Deployed:
    """An applied configuration; `deployed()` destroys it when its block ends."""

    directory: Path
    target: Target
    deployment: Deployment
    module: dict[str, Any]  # the stepgate module object
    outputs: dict[str, Any]  # every root output
    runner: TfRunner
    before: Inventory

    def url(self, path: str) -> str:
        return self.deployment.urls.url(path)

    def request(self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None) -> HttpResponse:
        """A request to a route of the stage, as the run's caller (SigV4-signed for AWS_IAM routes)."""
        return self.deployment.invoker.request(method.upper(), self.url(path), body, headers=headers)

    def wait(self, execution_arn: str, timeout: float = 120) -> dict[str, Any]:
        """DescribeExecution once the execution has finished."""
        return wait_for_execution(self.deployment.sfn, execution_arn, timeout)


@contextlib.contextmanager
def deployed(directory: Path, target: Target, *, sandbox: Sandbox | None = None, variables: Mapping[str, Any] | None = None,
             output: str = DEFAULT_OUTPUT, caller: Caller | None = None, progress: Progress = lambda _: None,
             teardown: list[CheckResult] | None = None) -> Iterator[Deployed]:
    """Apply `directory` against the target, yield it, and always destroy it and prove nothing is left (the
    result goes to `teardown`, or raises when no list is given). Routes are called as `caller` (default:
    the run's own IAM credentials)."""
    caller = caller or iam_caller(target)
    tf_vars = {**(variables or {}), **caller.tf_vars}
    guard = SandboxGuard(sandbox)
    toolchain = find_toolchain()
    results: list[CheckResult] = [] if teardown is None else teardown
    with open_workspace(directory, provider_override(target), keep_lock_file=toolchain.mirror is None) as workspace, quiet_tftest():
        runner = TfRunner(workspace.workdir, toolchain, progress=progress, disposable=True)
        with guard.phase("taking the resource inventory"):
            before = take_inventory(target)
        progress(f"init {Path(directory).name} ({toolchain.label})")
        with guard.phase("init"):
            runner.init()
        invoker = Invoker(caller.auth)
        applied = False
        try:
            progress(f"apply {Path(directory).name} in {target.endpoint_url or 'the sandbox account'}")
            with guard.phase("apply"):
                applied = True
                runner.apply(tf_vars)
                outputs = runner.outputs()
            with guard.phase("reading the outputs"):
                module = module_outputs(outputs, output)
                deployment = deployment_from_outputs(module, target, invoker)
            with guard.phase("verifying"):
                yield Deployed(Path(directory), target, deployment, module, outputs, runner, before)
        finally:
            invoker.close()
            if applied and guard.alive():
                progress(f"destroy {Path(directory).name}")
                results.append(destroy_and_verify(runner, target, before, tf_vars, guard))
    if teardown is None and not results[-1].ok:
        raise StepgateError(f"{results[-1].name}: {results[-1].detail}")


def destroy_and_verify(runner: TfRunner, target: Target, before: Inventory, tf_vars: Mapping[str, Any],
                       guard: SandboxGuard) -> CheckResult:
    """A failed destroy is a failed check, so it never hides the error that got us here."""
    name = "destroy leaves nothing behind"
    try:
        with guard.phase("destroy"):
            runner.destroy(tf_vars)
            left = take_inventory(target) - before
    except StepgateError as error:
        return CheckResult(name, False, str(error))
    return CheckResult(name, not left, f"left: {sorted(left)}" if left else "list calls show no resource of the deployment")


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


def verify_scenario(live: Deployed, scenario: Scenario, caller: Caller, progress: Progress) -> list[CheckResult]:
    """Refused callers, every case of every route, bad input, idempotency, the approval routes, audit."""
    deployment = live.deployment
    reviewers = reviewers_for(live, scenario.approvals) if scenario.approvals else None
    results: list[CheckResult] = []
    for route in scenario.routes:
        waits = reviewers if _waits_for_review(route) else None
        for refused in caller.refused:
            progress(f"{route.label}: {refused.label}")
            results.append(check_refused(deployment, route, refused))
        for case in route.cases:
            progress(f"{route.label}: {case.name}")
            results.append(run_case(deployment, route, case, waits))
        progress(f"{route.label}: bad input")
        results += check_rejections(deployment, route)
        if route.invocation == "async" and scenario.names_executions_by_idempotency_key:
            progress(f"{route.label}: Idempotency-Key")
            results.append(check_idempotency(deployment, route, waits))
    if reviewers is not None:
        results += _approval_checks(deployment, scenario, reviewers, progress)
    progress("audit stream")
    results += check_audit(deployment, deployment.records)
    return results


def reviewers_for(live: Deployed, approvals: Approvals) -> Reviewers:
    """The run as reviewer: the queue named by the scenario's approvals.queue_output root output, and the
    caller's identity a decision must record (on AWS; the emulator records none)."""
    queue_url = live.outputs.get(approvals.queue_output)
    if not isinstance(queue_url, str) or not queue_url:
        raise StepgateError(f"approvals.queue_output: the configuration has no root output {approvals.queue_output!r} with the "
                            f"reviewer queue URL; its outputs: {', '.join(sorted(live.outputs)) or 'none'}")
    identity = None if live.target.is_local else str(live.target.client("sts").get_caller_identity()["Arn"])
    return Reviewers(live.target.client("sqs"), queue_url, approvals.token_field, identity)


def _waits_for_review(route: Route) -> bool:
    return any(case.review is not None for case in route.cases)


def _approval_checks(deployment: Deployment, scenario: Scenario, reviewers: Reviewers, progress: Progress) -> list[CheckResult]:
    """Once per scenario, on the first route whose executions wait for a reviewer."""
    route = next((route for route in scenario.routes if _waits_for_review(route)), None)
    if route is None:
        return [CheckResult("approvals", False, "the scenario declares approvals but no case has a review: no route is known to wait")]
    progress(f"{route.label}: approval routes")
    return check_approvals(deployment, route, reviewers)


def run_e2e(directory: Path, scenario_file: Path | None = None, target_kind: str = "local", region: str = DEFAULT_REGION,
            state_root: Path | None = None, variables: Mapping[str, Any] | None = None,
            progress: Progress = lambda _: None) -> E2EReport:
    directory = Path(directory)
    if not directory.is_dir():
        raise StepgateError(f"{directory} is not a directory")
    scenario = load_scenario(scenario_path(directory, scenario_file), name=directory.resolve().name)
    report = E2EReport(name=scenario.name, target=target_kind)
    scenario.require_target(target_kind)  # before an emulator starts or an account is touched
    with open_target(target_kind, region, state_root) as (target, sandbox):
        if sandbox is not None:
            progress(f"sandbox up at {sandbox.endpoint_url} in {sandbox.start_seconds:.1f} s (pid {sandbox.pid})")
        if scenario.auth == "JWT":
            progress(f"disposable Cognito issuer for scope {scenario.jwt_scope}")
        with open_caller(scenario, target) as caller, \
                deployed(directory, target, sandbox=sandbox, variables={**scenario.variables, **(variables or {})},
                         output=scenario.output, caller=caller, progress=progress, teardown=report.checks) as live:
            check_routes_match(scenario, live.module["routes"])
            report.checks += verify_scenario(live, scenario, caller, progress)
            report.records = list(live.deployment.records)
    return report
