"""What to send to an example and what must come back, as data (stepgate/e2e/scenarios/<example>.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stepgate.errors import StepgateError

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


@dataclass(frozen=True)
class Case:
    """One request and the execution it must produce."""

    name: str
    body: Any
    status: str
    states: tuple[str | tuple[str, ...], ...]
    output: Any = None  # a subset the execution output (async) or the response body (sync) must contain
    error: str | None = None


@dataclass(frozen=True)
class Route:
    workflow: str  # key of the module's `workflows` map
    method: str
    path: str  # the route as deployed, e.g. /orders/{orderId}/refunds
    invocation: str  # async | sync
    workflow_type: str  # STANDARD | EXPRESS
    invalid_body: Any  # a JSON body that violates the route's request_schema
    valid_body: Any  # a body that passes validation (used for the idempotency and bad-method checks)
    cases: tuple[Case, ...]
    request_path: str = ""  # the path requests go to when `path` has {parameters}, e.g. /orders/o-1/refunds

    @property
    def url_path(self) -> str:
        return self.request_path or self.path

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Scenario:
    example: str
    routes: tuple[Route, ...]

    def route(self, workflow: str) -> Route:
        for route in self.routes:
            if route.workflow == workflow:
                return route
        raise StepgateError(f"scenario {self.example} has no route for workflow {workflow!r}")


def load_scenario(example: str, directory: Path = SCENARIO_DIR) -> Scenario:
    path = directory / f"{example}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in directory.glob("*.yaml"))) or "none"
        raise StepgateError(f"no e2e scenario for example {example!r} (have: {known}); add {path}")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise StepgateError(f"{path} is not valid YAML: {str(error).splitlines()[0]}") from error
    try:
        return Scenario(example=example, routes=tuple(_route(item) for item in data["routes"]))
    except (KeyError, TypeError, ValueError) as error:
        raise StepgateError(f"{path}: {error}") from error


def _route(data: dict[str, Any]) -> Route:
    method, path = str(data["route"]).split(" ", 1)
    invocation = data.get("invocation", "async")
    workflow_type = data.get("type", "STANDARD")
    if invocation not in ("async", "sync") or workflow_type not in ("STANDARD", "EXPRESS"):
        raise ValueError(f"route {data['route']}: invocation must be async|sync and type STANDARD|EXPRESS")
    cases = tuple(_case(item) for item in data["cases"])
    if not cases:
        raise ValueError(f"route {data['route']} has no cases")
    request_path = str(data.get("request_path", ""))
    if "{" in (request_path or path):
        raise ValueError(f"route {data['route']}: give a request_path with every {{parameter}} filled in")
    return Route(
        workflow=str(data["workflow"]), method=method.upper(), path=path, invocation=invocation,
        workflow_type=workflow_type, invalid_body=data["invalid_body"], valid_body=data["valid_body"], cases=cases,
        request_path=request_path,
    )


def _case(data: dict[str, Any]) -> Case:
    status = str(data["status"])
    if status not in STATUSES:
        raise ValueError(f"case {data.get('name')}: status must be one of {', '.join(STATUSES)}")
    states = tuple(item if isinstance(item, str) else tuple(item) for item in data.get("states", []))
    return Case(name=str(data["name"]), body=data["body"], status=status, states=states,
                output=data.get("output"), error=data.get("error"))
