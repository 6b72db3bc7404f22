"""What to send to a configuration's routes and what must come back, as data (DIR/stepgate.e2e.yaml).

The file is validated against the JSON Schema shipped in the package (scenario.schema.json); a mistake
is one line naming the field, e.g. `routes[0].cases[1].status: 'DONE' is not one of [...]`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from stepgate.errors import StepgateError

DEFAULT_FILE = "stepgate.e2e.yaml"
DEFAULT_OUTPUT = "stepgate"
TARGETS = ("local", "aws")


@dataclass(frozen=True)
class Review:
    """A reviewer's decision on a waiting execution, sent through the approvals routes."""

    decision: str  # approve | reject
    comment: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Case:
    """One request and the execution it must produce."""

    name: str
    body: Any
    status: str
    states: tuple[str | tuple[str, ...], ...] | None = None  # None: the states entered are not checked
    output: Any = None  # a subset the execution output (async) or the response body (sync) must contain
    error: str | None = None
    review: Review | None = None


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
    request_path: str = ""  # the path requests go to when `path` has {parameters}, e.g. /orders/o-1001/refunds

    @property
    def url_path(self) -> str:
        return self.request_path or self.path

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Approvals:
    queue_output: str  # root output with the reviewer queue URL
    token_field: str = "taskToken"


@dataclass(frozen=True)
class Scenario:
    name: str  # what reports call it: the configuration directory's name
    routes: tuple[Route, ...]
    output: str = DEFAULT_OUTPUT  # the root output holding the stepgate module object
    api: str = "REST"  # the module's api_type
    auth: str = "AWS_IAM"  # how its routes authenticate callers
    targets: tuple[str, ...] = TARGETS  # where it can run: the local emulator has no HTTP API (v2)
    jwt_scope: str | None = None  # JWT: the OAuth scope ("resource-server/scope") the routes require
    variables: Mapping[str, Any] = field(default_factory=dict)
    approvals: Approvals | None = None

    def require_target(self, kind: str) -> None:
        if kind not in self.targets:
            raise StepgateError(f"the scenario of {self.name} runs only with --target {' or '.join(self.targets)}"
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
        raise StepgateError(f"scenario {self.name} has no route for workflow {workflow!r}")


@cache
def schema() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(files("stepgate.e2e").joinpath("scenario.schema.json").read_text(encoding="utf-8"))
    return document


def scenario_path(directory: Path, scenario: Path | None = None) -> Path:
    path = Path(scenario) if scenario is not None else Path(directory) / DEFAULT_FILE
    if not path.is_file():
        hint = f"; write a starter with `stepgate scenario init {directory}`" if scenario is None else ""
        raise StepgateError(f"no e2e scenario at {path}{hint}")
    return path


def load_scenario(path: Path, name: str | None = None) -> Scenario:
    """The scenario in `path` (YAML), validated; `name` labels it (default: the directory holding it)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise StepgateError(f"cannot read scenario {path}: {error.strerror or error}") from error
    except yaml.YAMLError as error:
        raise StepgateError(f"{path} is not valid YAML: {str(error).splitlines()[0]}") from error
    return parse_scenario(data, name or Path(path).resolve().parent.name, str(path))


def parse_scenario(data: Any, name: str, origin: str = "the scenario") -> Scenario:
    import jsonschema

    errors = sorted(jsonschema.Draft202012Validator(schema()).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        raise StepgateError(f"{origin}: {_field(first.absolute_path)}: {first.message}")
    try:
        return _scenario(data, name)
    except ValueError as error:
        raise StepgateError(f"{origin}: {error}") from error


def _field(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _scenario(data: Mapping[str, Any], name: str) -> Scenario:
    api, auth = str(data.get("api", "REST")), str(data.get("auth", "AWS_IAM"))
    targets = tuple(str(item) for item in data.get("targets", TARGETS))
    if api == "HTTP" and "local" in targets:
        raise ValueError("targets: an HTTP API scenario cannot target the local emulator, which has no HTTP API (v2); use targets: [aws]")
    jwt_scope = data.get("jwt_scope")
    if (auth == "JWT") != (jwt_scope is not None):
        raise ValueError("jwt_scope: auth JWT needs jwt_scope ('resource-server/scope'), and only JWT takes one")
    approvals = data.get("approvals")
    routes = tuple(_route(item, number, api) for number, item in enumerate(data["routes"]))
    if approvals is None and any(case.review for route in routes for case in route.cases):
        raise ValueError("approvals: cases with a review need approvals.queue_output (the reviewer queue)")
    return Scenario(
        name=name, routes=routes, output=str(data.get("output", DEFAULT_OUTPUT)), api=api, auth=auth, targets=targets,
        jwt_scope=None if jwt_scope is None else str(jwt_scope), variables=dict(data.get("variables") or {}),
        approvals=None if approvals is None else Approvals(str(approvals["queue_output"]), str(approvals.get("token_field", "taskToken"))),
    )


def _route(data: Mapping[str, Any], number: int, api: str) -> Route:
    where = f"routes[{number}]"
    method, path = str(data["route"]).split(" ", 1)
    request_path = str(data.get("request_path", ""))
    if "{" in (request_path or path):
        raise ValueError(f"{where}.request_path: {data['route']} has path parameters; give a request_path with every {{parameter}} filled in")
    # REST routes validate bodies, so a scenario must prove it; HTTP APIs cannot, so one would be meaningless.
    if (api == "REST") != ("invalid_body" in data):
        raise ValueError(f"{where}.invalid_body: required on REST routes and not accepted on HTTP routes")
    return Route(
        workflow=str(data["workflow"]), method=method.upper(), path=path, invocation=str(data.get("invocation", "async")),
        workflow_type=str(data.get("type", "STANDARD")), invalid_body=data.get("invalid_body"), valid_body=data["valid_body"],
        cases=tuple(_case(item) for item in data["cases"]), request_path=request_path,
    )


def _case(data: Mapping[str, Any]) -> Case:
    states = data.get("states")
    review = data.get("review")
    return Case(
        name=str(data["name"]), body=data["body"], status=str(data["status"]),
        states=None if states is None else tuple(item if isinstance(item, str) else tuple(item) for item in states),
        output=data.get("output"), error=data.get("error"),
        review=None if review is None else Review(str(review["decision"]), str(review.get("comment", "")), str(review.get("reason", ""))),
    )
