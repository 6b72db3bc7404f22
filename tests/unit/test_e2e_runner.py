"""Runner logic without a sandbox: the dead-sandbox message, the output contract, scenario/route drift."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from stepgate.e2e.runner import SandboxGuard, check_routes_match, module_outputs
from stepgate.e2e.scenario import DEFAULT_FILE, load_scenario
from stepgate.errors import StepgateError
from stepgate.sandbox import Sandbox

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BASIC = EXAMPLES / "basic" / DEFAULT_FILE
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


MODULE = {"api_id": "a", "stage_name": "v1", "invoke_url": "https://x", "routes": {}, "state_machine_arns": {}}


@pytest.mark.parametrize(("outputs", "message"), [
    ({"api_id": "a"}, "the configuration has no root output 'stepgate' holding the stepgate module "
                      "(add: output \"stepgate\" { value = module.<your module name> }); its outputs: api_id"),
    ({"stepgate": {"api_id": "a"}}, "output 'stepgate' lacks stage_name, invoke_url, routes, state_machine_arns: "
                                     "it must be the stepgate module object itself"),
])
def test_the_module_object_output_is_the_contract(outputs: dict, message: str) -> None:
    with pytest.raises(StepgateError) as raised:
        module_outputs(outputs)
    assert str(raised.value) == message
    assert module_outputs({"reports": MODULE}, "reports") == MODULE


def test_scenario_matches_the_deployed_routes() -> None:
    check_routes_match(load_scenario(BASIC), BASIC_ROUTES)


@pytest.mark.parametrize("routes, message", [
    ({}, "is not deployed"),
    ({"process-report": {**BASIC_ROUTES["process-report"], "invocation": "sync"}}, "is deployed as"),
    ({**BASIC_ROUTES, "other": {}}, "does not cover the deployed route"),
])
def test_scenario_drift_is_refused(routes: dict[str, dict[str, str]], message: str) -> None:
    with pytest.raises(StepgateError, match=message):
        check_routes_match(load_scenario(BASIC), routes)


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


def test_the_configuration_is_applied_and_destroyed_in_a_scratch_copy_with_the_run_region_and_variables(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from stepgate.e2e import runner as runner_module
    from stepgate.e2e.caller import Caller
    from stepgate.e2e.inventory import Inventory
    from stepgate.e2e.invoke import ANONYMOUS
    from stepgate.e2e.target import Target
    from stepgate.workspace import OVERRIDE_FILE

    calls: list[tuple[str, object]] = []

    class FakeRunner:
        def __init__(self, workdir: Path, toolchain: object, **_: object) -> None:
            calls.append(("override", (workdir / OVERRIDE_FILE).read_text().split("provider", 1)[1]))

        def init(self) -> None:
            calls.append(("init", None))

        def apply(self, tf_vars: dict[str, object]) -> None:
            calls.append(("apply", tf_vars))

        def outputs(self) -> dict[str, object]:
            return {"stepgate": MODULE}

        def destroy(self, tf_vars: dict[str, object]) -> None:
            calls.append(("destroy", tf_vars))

    infra = tmp_path / "infra"
    infra.mkdir()
    (infra / "main.tf").write_text('provider "aws" {\n  region = "us-east-1"\n}\n')
    monkeypatch.setattr(runner_module, "TfRunner", FakeRunner)
    monkeypatch.setattr(runner_module, "find_toolchain", lambda: type("T", (), {"mirror": None, "label": "tofu 1.12.6"})())
    monkeypatch.setattr(runner_module, "take_inventory", lambda target: Inventory(frozenset()))
    monkeypatch.setattr(runner_module, "deployment_from_outputs", lambda *args: "deployment")
    caller = Caller(ANONYMOUS, tf_vars={"jwt_issuer": "https://issuer", "jwt_audiences": ["a"]})
    checks: list[object] = []
    with runner_module.deployed(infra, Target("aws", "eu-west-1"), variables={"name": "x"}, caller=caller,
                                teardown=checks) as live:  # type: ignore[arg-type]
        assert (live.deployment, live.module) == ("deployment", MODULE)
    expected = {"name": "x", "jwt_issuer": "https://issuer", "jwt_audiences": ["a"]}
    assert calls[0] == ("override", ' "aws" {\n  region = "eu-west-1"\n}\n')
    assert [call for call in calls if call[0] in ("apply", "destroy")] == [("apply", expected), ("destroy", expected)]
    assert [(check.name, check.ok) for check in checks] == [("destroy leaves nothing behind", True)]  # type: ignore[attr-defined]
    assert sorted(p.name for p in infra.iterdir()) == ["main.tf"]
