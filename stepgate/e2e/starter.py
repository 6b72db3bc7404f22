"""`stepgate scenario init DIR`: a starter scenario from the routes a configuration plans.

The plan's `stepgate` output (the module object) lists the routes; the API type, the routes' auth and the
request schemas come from the planned API Gateway resources. Bodies are generated from each schema's
required properties, so the starter runs as written for simple schemas; patterns and formats are not
synthesised, so review every body before relying on it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stepgate.e2e.scenario import DEFAULT_FILE, DEFAULT_OUTPUT, parse_scenario
from stepgate.errors import StepgateError
from stepgate.plan import Plan, load_plan
from stepgate.planning import Progress, plan_document_from_path

_HEADER = """\
# stepgate e2e scenario for {name}, written by `stepgate scenario init` from the planned routes.
# Schema: https://stepgate.dev/schemas/stepgate.e2e.json (shipped in the stepgate package).
# Review each valid_body (it must pass the route's request_schema) and add what every case must show:
# `states` (the states entered, in order), `output` (a subset of the execution output), `error`.
"""


def sample_body(schema: Any) -> Any:
    """The smallest body a JSON Schema accepts, as far as types, enums and minimums tell."""
    if not isinstance(schema, Mapping):
        return {}
    if "enum" in schema and isinstance(schema["enum"], list) and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    kind = kind[0] if isinstance(kind, list) and kind else kind
    if kind == "object":
        properties = schema.get("properties")
        described: Mapping[str, Any] = properties if isinstance(properties, Mapping) else {}
        return {name: sample_body(described.get(name, {})) for name in schema.get("required") or [] if isinstance(name, str)}
    if kind == "array":
        return [sample_body(schema.get("items", {})) for _ in range(int(schema.get("minItems", 0) or 0))]
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    return "x" * max(1, int(schema.get("minLength", 1) or 1)) if kind == "string" else None


def _violating(schema: Any) -> Any:
    """A body of the wrong JSON type: every request_schema of the module describes one type."""
    kind = schema.get("type", "object") if isinstance(schema, Mapping) else "object"
    return [] if kind == "object" else {}


def _schemas(plan: Plan) -> dict[str, Any]:
    """Route ("POST /x") -> the request_schema of its REST model (the module describes each model by route)."""
    found = {}
    for model in plan.of_type("aws_api_gateway_model"):
        description = str(model.get("description") or "")
        if description.startswith("Request body of "):
            try:
                found[description.removeprefix("Request body of ")] = json.loads(str(model.get("schema") or "{}"))
            except ValueError:
                continue
    return found


def _auth(plan: Plan) -> tuple[str, list[str]]:
    """The routes' authorization type and scopes, as the plan's methods and routes carry them."""
    kinds = {str(r.get("authorization") or "NONE") for r in plan.of_type("aws_api_gateway_method")}
    kinds |= {str(r.get("authorization_type") or "NONE") for r in plan.of_type("aws_apigatewayv2_route")}
    scopes = sorted({s for r in plan.of_type("aws_apigatewayv2_route") for s in r.get("authorization_scopes") or []})
    if kinds - {"AWS_IAM", "JWT"}:
        raise StepgateError(f"the routes authorize with {', '.join(sorted(kinds))}; stepgate e2e calls AWS_IAM and JWT routes only")
    return ("JWT" if "JWT" in kinds else "AWS_IAM"), scopes


def planned_output(document: Mapping[str, Any], name: str) -> Any:
    """An output's planned value, as far as it is known at plan time: `output_changes` carries the known
    parts of an object that also holds values known only after apply (the module object always does: its
    API id), where `planned_values` leaves the whole output out."""
    change = (document.get("output_changes") or {}).get(name)
    if isinstance(change, Mapping) and change.get("after") is not None:
        return change["after"]
    return (((document.get("planned_values") or {}).get("outputs") or {}).get(name) or {}).get("value")


@dataclass(frozen=True)
class Starter:
    scenario: dict[str, Any]
    todo: tuple[str, ...]  # what the generated bodies could not satisfy, to fill in by hand


def unmet(schema: Any, body: Any, where: str) -> list[str]:
    """Where a generated body still fails its request schema (patterns and formats are not synthesised)."""
    import jsonschema

    return [f"{where}.{'.'.join(str(part) for part in error.absolute_path) or '(body)'}: {error.message}"
            for error in jsonschema.Draft4Validator(schema).iter_errors(body)]


def starter(plan: Plan, name: str, output: str = DEFAULT_OUTPUT) -> Starter:
    outputs = {**((plan.document.get("planned_values") or {}).get("outputs") or {}), **(plan.document.get("output_changes") or {})}
    module = planned_output(plan.document, output)
    routes = module.get("routes") if isinstance(module, Mapping) else None
    if not isinstance(routes, Mapping) or not routes:
        raise StepgateError(f"the plan has no known root output {output!r} with the module's routes "
                            f"(add: output \"{output}\" {{ value = module.<your module name> }}); planned outputs: {', '.join(sorted(outputs)) or 'none'}")
    api = "HTTP" if plan.of_type("aws_apigatewayv2_api") else "REST"
    auth, scopes = _auth(plan)
    schemas = _schemas(plan)
    scenario: dict[str, Any] = {}
    if output != DEFAULT_OUTPUT:
        scenario["output"] = output
    if api == "HTTP" or auth == "JWT":
        scenario.update({"api": api, "auth": auth, "targets": ["aws"]})
        if auth == "JWT":
            scenario["jwt_scope"] = scopes[0] if scopes else "resource-server/scope"
    scenario["routes"] = []
    todo: list[str] = []
    for workflow, route in sorted(routes.items()):
        schema = schemas.get(str(route.get("route")), {"type": "object"})
        body = sample_body(schema)
        todo += unmet(schema, body, f"{route['route']} valid_body")
        entry: dict[str, Any] = {"workflow": workflow, "route": route["route"], "invocation": route["invocation"], "type": route["type"]}
        if "{" in str(route["path"]):
            entry["request_path"] = "/".join("example" if part.startswith("{") else part for part in str(route["path"]).split("/"))
        entry["valid_body"] = body
        if api == "REST":
            entry["invalid_body"] = _violating(schema)
        entry["cases"] = [{"name": f"{workflow} succeeds", "body": copy.deepcopy(body), "status": "SUCCEEDED"}]
        scenario["routes"].append(entry)
    parse_scenario(scenario, name)  # what we write must load
    return Starter(scenario, tuple(todo))


def write_starter(directory: Path, sandbox: bool = False, output: str = DEFAULT_OUTPUT, force: bool = False,
                  variables: Mapping[str, Any] | None = None, progress: Progress = lambda _: None) -> Path:
    directory = Path(directory)
    target = directory / DEFAULT_FILE
    if target.exists() and not force:
        raise StepgateError(f"{target} exists; pass --force to overwrite it")
    plan = load_plan(plan_document_from_path(directory, variables, sandbox=sandbox, progress=progress), label=str(directory))
    made = starter(plan, directory.resolve().name, output)
    todo = "".join(f"# TO FILL IN (the body and the case that repeats it): {item}\n" for item in made.todo)
    text = _HEADER.format(name=directory.resolve().name) + todo + yaml.safe_dump(made.scenario, sort_keys=False, width=120)
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise StepgateError(f"cannot write {target}: {error.strerror or error}") from error
    return target
