"""Evaluation of one attribute's HCL in the scope of its module instance (see stepgate.plan.sourced).

Names resolve as tofu resolves them: root variables from the plan, a module's variables from the calling
block (or their defaults), locals and module outputs from their HCL, resource attributes from the plan's
values; what the plan does not know is an Unknown whose origin is the resource attribute it reads. The
rendered JSON then has, for each unknown, the symbol of that attribute (or an Unresolved value).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from stepgate.hcl.evaluate import MARKER, Evaluation, EvaluationProblem, Unknown, evaluate_source, fail
from stepgate.hcl.syntax import Block
from stepgate.plan.iam.arns import Symbol, Unresolved, name_token, symbol_of
from stepgate.plan.model import Plan, Resource, Target, module_key, module_path, split_module
from stepgate.plan.sourced import Evaluated

_MAX_DEPTH = 24  # locals and module values referring to each other; deeper is a cycle or not worth it


def evaluate_in_module(plan: Plan, resource: Resource, source: str, load: Callable[[str], Any]) -> Evaluated:
    """The value of `source`, an attribute of `resource`, as JSON data with symbols for its unknowns."""
    evaluation = Evaluation()
    try:
        value = evaluate_source(source, _ModuleScope(plan, evaluation, resource.module_address, resource), evaluation)
    except (EvaluationProblem, RecursionError) as error:
        return Evaluated(problem=f"stepgate cannot evaluate its HCL: {error}")
    if isinstance(value, Unknown):
        return Evaluated(problem=f"it is {value.why}, only known after apply")
    if isinstance(value, str):
        try:
            value = load(value)
        except json.JSONDecodeError as error:
            return Evaluated(problem=f"its HCL renders no JSON ({error.msg} at line {error.lineno} column {error.colno})")
        except ValueError as error:
            return Evaluated(problem=f"its HCL renders a text that {error}")
    return Evaluated(_decode(value, evaluation))


def _decode(value: Any, evaluation: Evaluation) -> Any:
    if isinstance(value, str):
        return _decode_string(value, evaluation)
    if isinstance(value, Mapping):
        return {key: _decode(item, evaluation) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item, evaluation) for item in value]
    if isinstance(value, Unknown):
        return _standing_for(value)
    return value


def _standing_for(unknown: Unknown) -> Symbol | Unresolved:
    if isinstance(unknown.origin, Target):
        return symbol_of(unknown.origin)
    return Unresolved(f"{unknown.why} (only known after apply)")


def _decode_string(text: str, evaluation: Evaluation) -> Any:
    markers = list(MARKER.finditer(text))
    if not markers:
        return text
    unknowns = [evaluation.unknowns[int(m.group(1))] for m in markers]
    if len(markers) == 1 and markers[0].start() == 0:
        suffix = text[markers[0].end():]
        symbol = _standing_for(unknowns[0])
        return symbol.derive(suffix) if isinstance(symbol, Symbol) and suffix else symbol
    parts = [_inside_text(u) for u in unknowns]
    unresolved = [part for part in parts if isinstance(part, Unresolved)]
    if unresolved:
        return Unresolved("; ".join(dict.fromkeys(u.why for u in unresolved)))
    return _substitute(text, parts)


def _substitute(text: str, parts: list[str]) -> str:
    pieces = MARKER.split(text)  # literal, marker number, literal, ...: the markers in order of appearance
    return "".join(piece if position % 2 == 0 else parts[position // 2] for position, piece in enumerate(pieces))


def _inside_text(unknown: Unknown) -> str:
    """An unknown inside literal text. An ARN (a state machine in a request template) is its pattern, as
    the route model builds one from a name; anything else (a name in a hand-built ARN) a literal token
    unique to what it reads, the same token the symbols of that resource use for the name."""
    origin = unknown.origin
    if isinstance(origin, Target) and not (origin.attribute == "arn" or origin.attribute.endswith("_arn")):
        return name_token(f"{origin.resource.address}.{origin.attribute}")
    return _standing_for(unknown)


# --- the scope of a module instance --------------------------------------------------------------------


class _ModuleScope:
    """Names as one module instance sees them; `resource` gives each/count for a resource's own block."""

    def __init__(self, plan: Plan, evaluation: Evaluation, module_address: str, resource: Resource | None = None,
                 depth: int = 0, key: Any = None, for_each: tuple[str, str] | None = None) -> None:
        self.plan = plan
        self.evaluation = evaluation
        self.tree = plan.sources
        self.module_address = module_address
        self.module_path = module_path(module_address)
        self.owner = resource
        self.depth = depth
        self.key = resource.index if resource is not None else key
        self.for_each = for_each  # (module path, for_each source) that `each.value` indexes
        self.root_directory: Path = Path(self.tree.root).resolve()

    def _deeper(self, module_address: str, **extra: Any) -> _ModuleScope:
        if self.depth >= _MAX_DEPTH:
            raise EvaluationProblem("references nested too deeply to follow")
        return _ModuleScope(self.plan, self.evaluation, module_address, depth=self.depth + 1, **extra)

    def _evaluate(self, scope: _ModuleScope, source: str) -> Any:
        return evaluate_source(source, scope, self.evaluation)

    def named(self, root: str, name: str) -> Any:
        if root == "path":
            directory = self.tree.directory(self.module_path) if name == "module" else self.tree.root
            if directory is None:
                raise EvaluationProblem(f"path.{name} of a module without a local directory")
            return str(Path(directory).resolve())  # relative paths resolve against the root: absolute is the same file
        if root == "terraform":
            return "default" if name == "workspace" else Unknown(f"terraform.{name}")
        if root == "count":
            return self.key if isinstance(self.key, int) else fail("count.index outside a counted block")
        if root == "each":
            return self._each(name)
        if root == "var":
            return self._variable(name)
        if root == "local":
            return self._local(name)
        if root == "module":
            return _ModuleCall(self, name)
        raise EvaluationProblem(f"{root}.{name} is not evaluated")

    def _each(self, name: str) -> Any:
        if self.key is None:
            raise EvaluationProblem("each outside a for_each block")
        if name == "key":
            return self.key
        if name != "value":
            raise EvaluationProblem(f"each.{name}")
        if self.owner is not None:
            blocks = self.tree.blocks(self.module_path, "data" if self.owner.mode == "data" else "resource", self.owner.type, self.owner.name)
            source = blocks[0].body.attributes.get("for_each") if blocks else None
            collection = self._evaluate(self._deeper(self.module_address), source) if source else None
        elif self.for_each is not None:  # a module call's arguments: its for_each is in the calling module
            collection = self._evaluate(self._deeper(self.for_each[0]), self.for_each[1])
        else:
            collection = None
        if isinstance(collection, Mapping) and self.key in collection:
            return collection[self.key]
        if isinstance(collection, list) and self.key in collection:
            return self.key  # a set of strings: each.value is each.key
        return Unknown(f"each.value of {self.key!r}")

    def _variable(self, name: str) -> Any:
        if not self.module_address:
            variables = self.plan.document.get("variables") or {}
            if name in variables and isinstance(variables[name], Mapping):
                return variables[name].get("value")
            return Unknown(f"var.{name}")
        parent, call = split_module(self.module_address)
        calls = self.tree.blocks(module_path(parent), "module", call)
        if not calls:
            return Unknown(f"var.{name} of module {call}")
        arguments = calls[0].body.attributes
        if name in arguments:
            scope = self._deeper(parent, key=module_key(self.module_address), for_each=_for_each(calls[0], parent))
            return self._evaluate(scope, arguments[name])
        declared = self.tree.blocks(self.module_path, "variable", name)
        default = declared[0].body.attributes.get("default") if declared else None
        return self._evaluate(self._deeper(self.module_address), default) if default is not None else None

    def _local(self, name: str) -> Any:
        for block in self.tree.blocks(self.module_path, "locals"):
            if name in block.body.attributes:
                return self._evaluate(self._deeper(self.module_address), block.body.attributes[name])
        return Unknown(f"local.{name}")

    def resource(self, kind: str, name: str) -> Any:
        config_address = f"{kind}.{name}"
        instances = self.plan.instances(self.module_address, config_address)
        if not instances:
            return Unknown(f"{config_address} (not in this plan)")
        if len(instances) == 1 and instances[0].index is None:
            return _ResourceValue(instances[0])
        if all(isinstance(r.index, int) for r in instances):
            return [_ResourceValue(r) for r in sorted(instances, key=lambda r: r.index)]
        return {str(r.index): _ResourceValue(r) for r in instances}


def _for_each(call: Block, parent: str) -> tuple[str, str] | None:
    source = call.body.attributes.get("for_each")
    return (parent, source) if source else None


class _ResourceValue:
    def __init__(self, resource: Resource) -> None:
        self.resource = resource

    def attribute(self, name: str) -> Any:
        resource = self.resource
        reference = f"{resource.address}.{name}"
        if resource.is_unknown(name) or name not in resource.values:
            return Unknown(reference, Target(resource, name, reference))
        return resource.values[name]

    def index(self, key: Any) -> Any:
        raise EvaluationProblem(f"{self.resource.address} has no instance key {key!r}")


class _ModuleCall:
    """module.NAME: its outputs, evaluated from the child's HCL."""

    def __init__(self, scope: _ModuleScope, name: str, instance: str | None = None) -> None:
        self.scope, self.name, self.instance = scope, name, instance

    def _instances(self) -> list[str]:
        return self.scope.plan.module_instances(self.scope.module_address, self.name)

    def index(self, key: Any) -> Any:
        wanted = [i for i in self._instances() if module_key(i) == key]
        if not wanted:
            raise EvaluationProblem(f"module.{self.name}[{key!r}] is not in this plan")
        return _ModuleCall(self.scope, self.name, wanted[0])

    def attribute(self, output: str) -> Any:
        instance = self.instance
        if instance is None:
            instances = self._instances()
            if len(instances) != 1:
                return Unknown(f"module.{self.name}.{output}")
            instance = instances[0]
        child = self.scope._deeper(instance)
        outputs = self.scope.tree.blocks(child.module_path, "output", output)
        source = outputs[0].body.attributes.get("value") if outputs else None
        if source is None:
            return Unknown(f"module.{self.name}.{output}")
        return self.scope._evaluate(child, source)
