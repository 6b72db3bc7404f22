"""Values only known after apply, evaluated from the HCL they are written in.

The plan keeps of `jsonencode({...})`, `templatefile(...)` or a heredoc only the references inside, so a
policy or a definition built from references is unknown as a whole. When the plan's source directory is
known (`Plan.sources`), the attribute's expression is evaluated here: variables, locals, module outputs
and known resource attributes take their values, and each remaining unknown is, at its place in the
rendered JSON, the symbol of the resource attribute it reads (stepgate.plan.iam.arns.Symbol) or an
Unresolved value saying what it is. So least privilege is judged element by element, as for literal
policies; only what truly cannot be followed stays "not evaluated".
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from stepgate.plan.iam.arns import Unresolved
from stepgate.plan.model import Plan, Resource, module_path

@dataclass(frozen=True)
class Evaluated:
    """An attribute's value from its HCL: JSON data with symbols in place of unknowns, or why not."""

    value: Any = None
    problem: str = ""  # why stepgate could not evaluate it ("" when `value` is set)


def evaluate_json(plan: Plan, resource: Resource, attribute: str, load: Callable[[str], Any] = json.loads,
                  nested: tuple[str, str | None] | None = None) -> Evaluated:
    """The value of a JSON-string (or object) attribute of `resource` evaluated from its HCL; `load` reads
    the rendered text (JSON; YAML too for an OpenAPI body). `nested` (block type, its `name` or None):
    the attribute of a nested block, such as a role's inline_policy."""
    tree = plan.sources
    if tree is None:
        return Evaluated(problem="")
    blocks = tree.blocks(module_path(resource.module_address), "data" if resource.mode == "data" else "resource", resource.type, resource.name)
    if not blocks:
        return Evaluated(problem="")  # a remote module, or HCL that stepgate.hcl cannot read
    body = blocks[0].body
    if nested is not None:
        kind, name = nested
        candidates = [b for b in body.blocks if b.kind == kind and (name is None or _literal(b.body.attributes.get("name")) == name)]
        if len(candidates) != 1:
            return Evaluated(problem=f"stepgate cannot tell which {kind} block of the HCL it is")
        body = candidates[0].body
    source = body.attributes.get(attribute)
    if source is None:
        return Evaluated(problem=f"{attribute} is not set in the {resource.type}.{resource.name} block")
    from stepgate.plan.scope import evaluate_in_module  # the evaluator loads only for a value only known after apply

    return evaluate_in_module(plan, resource, source, load)


def _literal(source: str | None) -> str | None:
    """A quoted string without interpolation as its value (a block's name), else None."""
    if source is None or not source.startswith('"') or "${" in source:
        return None
    try:
        value = json.loads(source)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, str) else None


# --- OpenAPI bodies ---------------------------------------------------------------------------------------


def with_sourced_bodies(plan: Plan) -> Plan:
    """The plan with each OpenAPI body that is only known after apply replaced by its evaluation, so that
    every API rule (single-resource ones too, which see only the resource) reads its routes."""
    from stepgate.plan import openapi
    from stepgate.plan.api import API_TYPES

    if plan.sources is None:
        return plan
    resources, changed = [], False
    for resource in plan.resources:
        if resource.type in API_TYPES and resource.is_unknown("body"):
            evaluated = evaluate_json(plan, resource, "body", openapi.load)
            if evaluated.value is not None:
                body = _with_unknowns(evaluated.value, openapi.UNKNOWN)
                resource = dataclasses.replace(resource, values={**resource.values, "body": body},
                                               unknown={k: v for k, v in resource.unknown.items() if k != "body"})
                changed = True
        resources.append(resource)
    if not changed:
        return plan
    return dataclasses.replace(plan, resources=resources)  # its indexes are rebuilt, its sources kept


def _with_unknowns(value: Any, unknown: Any) -> Any:
    if isinstance(value, Unresolved):
        return unknown
    if isinstance(value, Mapping):
        return {k: _with_unknowns(v, unknown) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_unknowns(v, unknown) for v in value]
    return value


# --- state machine definitions -------------------------------------------------------------------------


@dataclass(frozen=True)
class MachineDefinition:
    """A state machine's definition as every rule reads it: from the plan, else evaluated from its HCL."""

    definition: Mapping[str, Any] | None  # None: invalid (`error`) or only known after apply (`unknown`)
    error: str | None = None
    unknown: str = ""  # for an unknown definition: " (built from ...)" and why it was not evaluated


def machine_definition(plan: Plan, machine: Resource) -> MachineDefinition:
    from stepgate.plan import asl  # asl builds on the IAM reference, which only a check needs loaded

    def build() -> MachineDefinition:
        if not machine.is_unknown("definition"):
            return MachineDefinition(*asl.parse_definition(machine.get("definition")))
        evaluated = evaluate_json(plan, machine, "definition")
        if evaluated.value is not None:
            return MachineDefinition(*asl.parse_definition(evaluated.value))
        problem = f"; {evaluated.problem}" if evaluated.problem else ""
        return MachineDefinition(None, None, plan.describe_unknown(machine, "definition") + problem)

    return plan.derived(f"definition {machine.address}", build)
