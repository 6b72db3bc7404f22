"""Runner logic without a sandbox: the dead-sandbox message, example dirs, scenario/route drift."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from stepgate.e2e.runner import Example, SandboxGuard, check_routes_match
from stepgate.e2e.scenario import load_scenario
from stepgate.errors import StepgateError
from stepgate.sandbox import Sandbox

BASIC_ROUTES = {"process-report": {"method": "POST", "path": "/processReport", "invocation": "async", "type": "STANDARD"}}


def dead_sandbox(tmp_path: Path) -> Sandbox:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return Sandbox("http://127.0.0.1:1", "us-east-1", 1, finished.pid, tmp_path / "ls.log", tmp_path)


def test_any_failure_with_a_dead_sandbox_becomes_one_line_naming_the_phase(tmp_path: Path) -> None:
    sandbox = dead_sandbox(tmp_path)
    with pytest.raises(StepgateError) as raised:
        with SandboxGuard(sandbox).phase("apply"):
            raise ConnectionRefusedError("connection refused")
    message = str(raised.value)
    assert message == f"the sandbox stopped during apply (LocalStack pid {sandbox.pid} is gone; log: {tmp_path / 'ls.log'})"


def test_failures_with_a_live_target_pass_through() -> None:
    with pytest.raises(ValueError, match="boom"):
        with SandboxGuard(None).phase("apply"):
            raise ValueError("boom")


def test_example_dir_must_be_under_examples(tmp_path: Path) -> None:
    (tmp_path / "examples" / "basic").mkdir(parents=True)
    assert Example.from_dir(tmp_path / "examples" / "basic") == Example(tmp_path.resolve(), "basic")
    with pytest.raises(StepgateError, match="not an examples/<name> directory"):
        Example.from_dir(tmp_path / "examples")
    with pytest.raises(StepgateError, match="is not a directory"):
        Example.from_dir(tmp_path / "nope")


def test_scenario_matches_the_deployed_routes() -> None:
    check_routes_match(load_scenario("basic"), BASIC_ROUTES)


@pytest.mark.parametrize("routes, message", [
    ({}, "is not deployed"),
    ({"process-report": {**BASIC_ROUTES["process-report"], "invocation": "sync"}}, "is deployed as"),
    ({**BASIC_ROUTES, "other": {}}, "does not cover the deployed route"),
])
def test_scenario_drift_is_refused(routes: dict[str, dict[str, str]], message: str) -> None:
    with pytest.raises(StepgateError, match=message):
        check_routes_match(load_scenario("basic"), routes)


ROUTE_WITH_PARAMETER = """
routes:
  - route: POST /orders/{orderId}/refunds
    workflow: refund
    valid_body: {reason: x}
    invalid_body: {}
    cases: [{name: ok, body: {reason: x}, status: SUCCEEDED}]
"""


def test_a_route_with_a_path_parameter_needs_a_concrete_request_path(tmp_path: Path) -> None:
    (tmp_path / "refunds.yaml").write_text(ROUTE_WITH_PARAMETER)
    with pytest.raises(StepgateError, match="give a request_path"):
        load_scenario("refunds", tmp_path)
    (tmp_path / "refunds.yaml").write_text(ROUTE_WITH_PARAMETER.replace("    workflow:", "    request_path: /orders/o-1/refunds\n    workflow:"))
    route = load_scenario("refunds", tmp_path).routes[0]
    assert (route.path, route.url_path) == ("/orders/{orderId}/refunds", "/orders/o-1/refunds")


def test_every_scenario_loads_and_covers_an_example() -> None:
    from stepgate.e2e.scenario import SCENARIO_DIR

    examples = {p.name for p in (Path(__file__).resolve().parents[2] / "examples").iterdir() if p.is_dir()}
    for path in SCENARIO_DIR.glob("*.yaml"):
        assert path.stem in examples, f"{path.name} describes no example"
        assert load_scenario(path.stem).routes


def test_inventory_lists_customer_kms_aliases_and_custom_event_buses_only() -> None:
    from stepgate.e2e.inventory import take_inventory
    from stepgate.e2e.target import Target

    class FakeClient:
        def __init__(self, service: str) -> None:
            self.service = service

        def get_paginator(self, operation: str) -> "FakeClient":
            self.operation = operation
            return self

        def paginate(self, **_: object) -> list[dict[str, object]]:
            if self.operation == "list_aliases":
                return [{"Aliases": [{"AliasName": "alias/aws/sns"}, {"AliasName": "alias/reports-logs"}]}]
            return [{}]

        def list_queues(self) -> dict[str, object]:
            return {}

        def list_event_buses(self, NextToken: str | None = None) -> dict[str, object]:
            if NextToken is None:
                return {"EventBuses": [{"Name": "default"}], "NextToken": "page-2"}
            return {"EventBuses": [{"Name": "stepgate-jwt-orders"}]}

    class FakeTarget(Target):
        def session(self) -> object:  # type: ignore[override]
            return None

        def client(self, service: str, session: object = None) -> FakeClient:  # type: ignore[override]
            return FakeClient(service)

    items = take_inventory(FakeTarget("local", "us-east-1", "http://127.0.0.1:1")).items
    assert items == frozenset({"kms:alias/reports-logs", "events:bus/stepgate-jwt-orders"})


def test_the_example_is_applied_and_destroyed_in_the_run_region_with_the_caller_variables(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from stepgate.e2e import runner as runner_module
    from stepgate.e2e.caller import Caller
    from stepgate.e2e.inventory import Inventory
    from stepgate.e2e.invoke import ANONYMOUS
    from stepgate.e2e.target import Target

    calls: list[tuple[str, object]] = []

    class FakeRunner:
        toolchain = type("Toolchain", (), {"kind": "tofu", "version": "1.12.6"})()

        def __init__(self, workdir: Path, toolchain: object) -> None:
            calls.append(("workdir", workdir))

        def init(self) -> None:
            calls.append(("init", None))

        def apply(self, tf_vars: dict[str, object]) -> None:
            calls.append(("apply", tf_vars))

        def outputs(self) -> dict[str, object]:
            return {}

        def destroy(self, tf_vars: dict[str, object]) -> None:
            calls.append(("destroy", tf_vars))

    monkeypatch.setattr(runner_module, "TfRunner", FakeRunner)
    monkeypatch.setattr(runner_module, "find_toolchain", lambda: None)
    monkeypatch.setattr(runner_module, "prepare_workdir", lambda root, name, endpoint, region: tmp_path)
    monkeypatch.setattr(runner_module, "take_inventory", lambda target: Inventory(frozenset()))
    monkeypatch.setattr(runner_module, "deployment_from_outputs", lambda *args: "deployment")
    caller = Caller(ANONYMOUS, tf_vars={"jwt_issuer": "https://issuer", "jwt_audiences": ["a"]})
    checks: list[object] = []
    with runner_module.deployed(Example(tmp_path, "http-api-jwt"), load_scenario("http-api-jwt"), Target("aws", "eu-west-1"),
                                None, lambda message: None, checks, caller) as live:  # type: ignore[arg-type]
        assert live.deployment == "deployment"
    expected = {"region": "eu-west-1", "jwt_issuer": "https://issuer", "jwt_audiences": ["a"]}
    assert [call for call in calls if call[0] in ("apply", "destroy")] == [("apply", expected), ("destroy", expected)]
    assert [(check.name, check.ok) for check in checks] == [("destroy leaves nothing behind", True)]  # type: ignore[attr-defined]
