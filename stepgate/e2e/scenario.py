"""What to send to an example and what must come back, as data (stepgate/e2e/scenarios/<example>.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stepgate.errors import StepgateError

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
API_TYPES = ("REST", "HTTP")
AUTH_TYPES = ("AWS_IAM", "JWT")
TARGETS = ("local", "aws")


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
    valid_body: Any  # a body that passes validation (used for the idempotency and bad-method checks)
    cases: tuple[Case, ...]
    # A JSON body that violates the route's request_schema; None on HTTP APIs, which cannot validate bodies.
    invalid_body: Any = None
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
    api: str = "REST"  # the example's api_type
    auth: str = "AWS_IAM"  # how its routes authenticate callers
    targets: tuple[str, ...] = TARGETS  # where it can run: the local emulator has no HTTP API (v2)
    jwt_scope: str | None = None  # JWT: the OAuth scope ("resource-server/scope") the routes require

    def require_target(self, kind: str) -> None:
        if kind not in self.targets:
            raise StepgateError(f"examples/{self.example} runs only with --target {' or '.join(self.targets)}"
                                + (": the local emulator has no HTTP API (v2)" if self.api == "HTTP" else ""))

    @property
    def names_executions_by_idempotency_key(self) -> bool:
        """REST routes name an execution by the Idempotency-Key header; HTTP APIs cannot map a header with
        a fallback, so they always use the request id (one execution per request)."""
        return self.api == "REST"

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
        return _scenario(example, data)
    except (KeyError, TypeError, ValueError) as error:
        raise StepgateError(f"{path}: {error}") from error


def _scenario(example: str, data: dict[str, Any]) -> Scenario:
    api, auth = str(data.get("api", "REST")), str(data.get("auth", "AWS_IAM"))
    targets = tuple(str(item) for item in data.get("targets", TARGETS))
    if api not in API_TYPES or auth not in AUTH_TYPES or not targets or not set(targets) <= set(TARGETS):
        raise ValueError(f"api must be one of {API_TYPES}, auth one of {AUTH_TYPES}, targets a non-empty subset of {TARGETS}")
    if api == "HTTP" and "local" in targets:
        raise ValueError("an HTTP API scenario cannot target the local emulator, which has no HTTP API (v2)")
    jwt_scope = data.get("jwt_scope")
    if (auth == "JWT") != (jwt_scope is not None) or (jwt_scope is not None and str(jwt_scope).count("/") != 1):
        raise ValueError("auth JWT needs jwt_scope as 'resource-server/scope' (and only JWT takes one)")
    routes = tuple(_route(item, api) for item in data["routes"])
    return Scenario(example=example, routes=routes, api=api, auth=auth, targets=targets,
                    jwt_scope=None if jwt_scope is None else str(jwt_scope))


def _route(data: dict[str, Any], api: str) -> Route:
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
    # REST routes validate bodies, so a scenario must prove it; HTTP APIs cannot, so one would be meaningless.
    if (api == "REST") != ("invalid_body" in data):
        raise ValueError(f"route {data['route']}: invalid_body is required on REST routes and not accepted on HTTP routes")
    return Route(
        workflow=str(data["workflow"]), method=method.upper(), path=path, invocation=invocation,
        workflow_type=workflow_type, invalid_body=data.get("invalid_body"), valid_body=data["valid_body"], cases=cases,
        request_path=request_path,
    )


def _case(data: dict[str, Any]) -> Case:
    status = str(data["status"])
    if status not in STATUSES:
        raise ValueError(f"case {data.get('name')}: status must be one of {', '.join(STATUSES)}")
    states = tuple(item if isinstance(item, str) else tuple(item) for item in data.get("states", []))
    return Case(name=str(data["name"]), body=data["body"], status=status, states=states,
                output=data.get("output"), error=data.get("error"))
