"""Evaluation of HCL expressions where some values are only known after apply.

A reference the scope cannot know is an `Unknown`; it flows through lists and objects as itself. Inside a
string (a template, `jsonencode`, `templatefile`) it becomes a marker, `\\ue000N\\ue001`, that the caller maps
back to the unknown with `Evaluation.unknowns[N]`; so a policy or a definition rendered from references
keeps, at each place, which reference stands there. What needs a known value (a condition, a function of
an unknown argument) gives an Unknown for its whole result: never a guess.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from stepgate.hcl.syntax import (
    Access,
    Call,
    Conditional,
    For,
    Literal,
    Node,
    ObjectNode,
    Operation,
    Splat,
    SyntaxProblem,
    Template,
    Traversal,
    TupleNode,
    parse_expression,
    parse_template,
)

# private-use code points: valid unescaped in JSON strings and in no real configuration
MARKER = re.compile("\ue000(\\d+)\ue001")


class EvaluationProblem(ValueError):
    """The expression uses something stepgate does not evaluate (a function, a directive, a type error)."""


@dataclass(frozen=True)
class Unknown:
    why: str  # what it is, for messages: e.g. aws_sqs_queue.jobs.arn
    origin: Any = None  # what the scope knows it stands for (a resource attribute), for the caller


class Scope(Protocol):
    @property
    def root_directory(self) -> Path:
        """Relative paths in file() and templatefile() are relative to it (the directory tofu runs in)."""
        ...

    def named(self, root: str, name: str) -> Any:
        """var.NAME, local.NAME, module.NAME, path.NAME, each.NAME, count.NAME, terraform.NAME."""
        ...

    def resource(self, kind: str, name: str) -> Any:
        """A resource (kind = its type) or data source (kind = data.TYPE): one instance, or a list/map of them.
        An instance (like a module call from named()) may be any object with `attribute(name)` and
        `index(key)`, looked up only as far as the expression goes."""
        ...


NAMED_ROOTS = ("var", "local", "module", "path", "each", "count", "terraform", "self")


@dataclass
class Evaluation:
    """One evaluation of an attribute: the unknowns its strings mark, shared by every scope it passes."""

    unknowns: list[Unknown] = field(default_factory=list)

    def evaluate(self, node: Node, scope: Scope, bindings: Mapping[str, Any] | None = None) -> Any:
        return _Evaluator(self, scope, dict(bindings or {})).value(node)

    def marker(self, unknown: Unknown) -> str:
        self.unknowns.append(unknown)
        return f"\ue000{len(self.unknowns) - 1}\ue001"

    def text(self, value: Any) -> str:
        """A value interpolated into a string: unknowns become markers."""
        if isinstance(value, Unknown):
            return self.marker(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return _number_text(value)
        if isinstance(value, str):
            return value
        if value is None:
            raise EvaluationProblem("a null value in a string template")
        raise EvaluationProblem(f"a {_type(value)} in a string template")


def has_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, str):
        return "\ue000" in value
    if isinstance(value, Mapping):
        return any(has_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_unknown(v) for v in value)
    return False


def _number_text(value: float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _type(value: Any) -> str:
    return {dict: "object", list: "list", str: "string", bool: "bool", int: "number", float: "number"}.get(type(value), type(value).__name__)


class _Evaluator:
    def __init__(self, evaluation: Evaluation, scope: Scope, bindings: dict[str, Any]) -> None:
        self.evaluation = evaluation
        self.scope = scope
        self.bindings = bindings

    def value(self, node: Node) -> Any:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Template):
            return self._template(node)
        if isinstance(node, Traversal):
            return self._traversal(node)
        if isinstance(node, Access):
            return self._steps(self.value(node.base), node.steps)
        if isinstance(node, TupleNode):
            return [self.value(item) for item in node.items]
        if isinstance(node, ObjectNode):
            return self._object(node)
        if isinstance(node, Call):
            return self._call(node)
        if isinstance(node, Conditional):
            condition = self.value(node.condition)
            if not isinstance(condition, bool):
                return Unknown("a condition only known after apply") if has_unknown(condition) else fail("a condition that is not a bool")
            return self.value(node.then if condition else node.otherwise)
        if isinstance(node, Operation):
            return self._operation(node)
        if isinstance(node, For):
            return self._for(node)
        raise EvaluationProblem(f"{type(node).__name__} is not evaluated")

    def _template(self, node: Template) -> Any:
        if len(node.parts) == 1 and not isinstance(node.parts[0], str):
            return self.value(node.parts[0])  # "${x}" alone is x itself, of any type
        return "".join(part if isinstance(part, str) else self.evaluation.text(self.value(part)) for part in node.parts)

    def _object(self, node: ObjectNode) -> Any:
        result: dict[str, Any] = {}
        for key_node, value_node in node.items:
            key = key_node.value if isinstance(key_node, Literal) else self.value(key_node)
            if not isinstance(key, str) or has_unknown(key):
                return Unknown("an object key only known after apply") if has_unknown(key) else fail("an object key that is not a string")
            result[key] = self.value(value_node)
        return result

    def _traversal(self, node: Traversal) -> Any:
        steps = list(node.steps)
        if node.root in self.bindings:
            return self._steps(self.bindings[node.root], steps)
        scope = self.scope
        if node.root in NAMED_ROOTS:
            if not steps or not isinstance(steps[0], str):
                raise EvaluationProblem(f"{node.root} needs an attribute")
            return self._steps(scope.named(node.root, steps[0]), steps[1:])
        if node.root == "data":
            if len(steps) < 2 or not isinstance(steps[0], str) or not isinstance(steps[1], str):
                raise EvaluationProblem("data needs a type and a name")
            return self._steps(scope.resource(f"data.{steps[0]}", steps[1]), steps[2:])
        if not steps or not isinstance(steps[0], str):
            raise EvaluationProblem(f"unknown name {node.root}")
        return self._steps(scope.resource(node.root, steps[0]), steps[1:])

    def _steps(self, value: Any, steps: Any) -> Any:
        for position, step in enumerate(steps):
            if isinstance(step, Splat):
                rest = list(steps[position + 1 :])
                items = value if isinstance(value, list) else list(value.values()) if isinstance(value, Mapping) else [value]
                return [self._steps(item, rest) for item in items] if not isinstance(value, Unknown) else value
            key = step if isinstance(step, str) else self.value(step)
            value = _step(value, key, isinstance(step, str))
        return value

    def _call(self, node: Call) -> Any:
        function = FUNCTIONS.get(node.name)
        if function is None:
            raise EvaluationProblem(f"function {node.name}() is not evaluated")
        if node.name in ("try", "can"):
            return function(self, node.arguments)
        arguments = [self.value(argument) for argument in node.arguments]
        if node.expand:
            if not isinstance(arguments[-1], list):
                return Unknown(f"{node.name}() of a list only known after apply")
            arguments = arguments[:-1] + arguments[-1]
        if node.name not in _UNKNOWN_AWARE and any(has_unknown(argument) for argument in arguments):
            return Unknown(f"{node.name}() of a value only known after apply")
        return function(self, arguments)

    def _operation(self, node: Operation) -> Any:
        operands = [self.value(operand) for operand in node.operands]
        if any(has_unknown(operand) for operand in operands):
            return Unknown(f"'{node.operator}' of a value only known after apply")
        operator = node.operator
        try:
            if operator == "!":
                return not operands[0]
            if operator == "neg":
                return -operands[0]
            left, right = operands
            if operator == "&&":
                return bool(left and right)
            if operator == "||":
                return bool(left or right)
            return _BINARY[operator](left, right)
        except (TypeError, ZeroDivisionError) as error:
            raise EvaluationProblem(f"'{operator}': {error}") from error

    def _for(self, node: For) -> Any:
        collection = self.value(node.collection)
        if has_unknown(collection) and not isinstance(collection, (list, dict)):
            return Unknown("a for expression over a value only known after apply")
        # HCL iterates a map in the lexical order of its keys
        pairs = sorted(collection.items()) if isinstance(collection, Mapping) else list(enumerate(collection)) if isinstance(collection, list) else None
        if pairs is None:
            raise EvaluationProblem(f"a for expression over a {_type(collection)}")
        listed: list[Any] = []
        mapped: dict[str, Any] = {}
        for key, item in pairs:
            bindings = {**self.bindings, node.value_name: item}
            if node.key_name:
                bindings[node.key_name] = key
            inner = _Evaluator(self.evaluation, self.scope, bindings)
            if node.condition is not None:
                keep = inner.value(node.condition)
                if not isinstance(keep, bool):
                    return Unknown("a for condition only known after apply")
                if not keep:
                    continue
            if node.key is None:
                listed.append(inner.value(node.value))
                continue
            name = inner.value(node.key)
            if not isinstance(name, str) or has_unknown(name):
                return Unknown("a for key only known after apply")
            value = inner.value(node.value)
            if node.grouped:
                mapped.setdefault(name, []).append(value)
            else:
                mapped[name] = value
        return listed if node.key is None else mapped


def fail(why: str) -> Any:
    """Raise EvaluationProblem from inside an expression (a lambda, a conditional)."""
    raise EvaluationProblem(why)


def _step(value: Any, key: Any, attribute: bool) -> Any:
    if isinstance(value, Unknown):
        return value
    if has_unknown(key):
        return Unknown("an index only known after apply")
    if hasattr(value, "attribute") and hasattr(value, "index"):
        return value.attribute(key) if attribute else value.index(key)
    if isinstance(value, Mapping):
        if key not in value:
            raise EvaluationProblem(f"no attribute {key}")
        return value[key]
    if isinstance(value, list):
        if isinstance(key, float) and key.is_integer():
            key = int(key)
        if not isinstance(key, int) or not 0 <= key < len(value):
            raise EvaluationProblem(f"index {key} out of range")
        return value[key]
    raise EvaluationProblem(f"{key} of a {_type(value)}")


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
    "+": lambda a, b: a + b if not isinstance(a, str) else fail("'+' of strings"),
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "%": operator.mod,
}


# --- functions ---------------------------------------------------------------------------------------


def _json_value(evaluation: Evaluation, value: Any) -> Any:
    """A value as JSON data: unknowns become marker strings, whole numbers integers."""
    if isinstance(value, Unknown):
        return evaluation.marker(value)
    if isinstance(value, Mapping):
        return {str(k): _json_value(evaluation, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(evaluation, v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "attribute"):
        raise EvaluationProblem("jsonencode() of a whole resource or module")
    return value


def _jsonencode(context: _Evaluator, arguments: list[Any]) -> str:
    (value,) = arguments
    return json.dumps(_json_value(context.evaluation, value), separators=(",", ":"), ensure_ascii=False)


def _jsondecode(context: _Evaluator, arguments: list[Any]) -> Any:
    try:
        return json.loads(_string(arguments[0]))
    except json.JSONDecodeError as error:
        raise EvaluationProblem(f"jsondecode(): {error.msg}") from error


def _yamldecode(context: _Evaluator, arguments: list[Any]) -> Any:
    import yaml  # only a configuration that keeps its definition or body in YAML loads the parser

    try:
        return yaml.safe_load(_string(arguments[0]))
    except yaml.YAMLError as error:
        raise EvaluationProblem(f"yamldecode(): {str(error).splitlines()[0]}") from error


def _path(context: _Evaluator, value: Any) -> Path:
    path = Path(_string(value))
    return path if path.is_absolute() else context.scope.root_directory / path


def _read(context: _Evaluator, value: Any) -> str:
    path = _path(context, value)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise EvaluationProblem(f"cannot read {path}: {error}") from error


def _file(context: _Evaluator, arguments: list[Any]) -> str:
    return _read(context, arguments[0])


def _templatefile(context: _Evaluator, arguments: list[Any]) -> Any:
    path, variables = arguments
    if not isinstance(variables, Mapping):
        raise EvaluationProblem("templatefile() variables are not an object")
    try:
        template = parse_template(_read(context, path))
    except SyntaxProblem as error:
        raise EvaluationProblem(f"template {path}: {error}") from error
    return _Evaluator(context.evaluation, _TemplateScope(context.scope.root_directory), dict(variables)).value(template) if template.parts else ""


@dataclass(frozen=True)
class _TemplateScope:
    """A template file sees only the variables templatefile() passes it, not the module's names."""

    root_directory: Path

    def named(self, root: str, name: str) -> Any:
        raise EvaluationProblem(f"{root}.{name} in a template file (only its variables are in scope)")

    def resource(self, kind: str, name: str) -> Any:
        raise EvaluationProblem(f"{kind}.{name} in a template file (only its variables are in scope)")


def _string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number_text(value)
    raise EvaluationProblem(f"a {_type(value)} where a string is needed")


def _format(context: _Evaluator, arguments: list[Any]) -> str:
    pattern, values = _string(arguments[0]), list(arguments[1:])

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        if not values:
            raise EvaluationProblem("format(): too few arguments")
        value = values.pop(0)
        if match.group(1) == "d":
            return str(int(value))
        return context.evaluation.text(value) if match.group(1) in ("s", "v") else fail(f"format() verb %{match.group(1)}")

    return re.sub(r"%%|%([a-z])", substitute, pattern)


def _join(context: _Evaluator, arguments: list[Any]) -> str:
    separator, *lists = arguments
    return _string(separator).join(context.evaluation.text(v) for items in lists for v in _list(items))


def _list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, Unknown):
        raise EvaluationProblem("a list only known after apply")
    raise EvaluationProblem(f"a {_type(value)} where a list is needed")


def _try(context: _Evaluator, nodes: tuple[Node, ...]) -> Any:
    for node in nodes:
        try:
            return context.value(node)
        except EvaluationProblem:
            continue
    raise EvaluationProblem("try(): no argument evaluates")


def _can(context: _Evaluator, nodes: tuple[Node, ...]) -> Any:
    try:
        value = context.value(nodes[0])
    except EvaluationProblem:
        return False
    return Unknown("can() of a value only known after apply") if has_unknown(value) else True


def _merge(context: _Evaluator, arguments: list[Any]) -> Any:
    merged: dict[str, Any] = {}
    for item in arguments:
        if item is None:
            continue
        if not isinstance(item, Mapping):
            raise EvaluationProblem("merge() of a non-object")
        merged.update(item)
    return merged


def _lookup(context: _Evaluator, arguments: list[Any]) -> Any:
    mapping, key, *default = arguments
    if not isinstance(mapping, Mapping):
        raise EvaluationProblem("lookup() of a non-object")
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise EvaluationProblem(f"lookup(): no key {key}")


def _flatten(value: Any) -> list[Any]:
    return [inner for item in _list(value) for inner in (_flatten(item) if isinstance(item, list) else [item])]


def _distinct(items: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _coalesce(context: _Evaluator, arguments: list[Any]) -> Any:
    for value in arguments:
        if isinstance(value, Unknown):
            return Unknown("coalesce() of a value only known after apply")
        if value not in (None, ""):
            return value
    raise EvaluationProblem("coalesce(): every argument is null or empty")


FUNCTIONS: dict[str, Callable[[_Evaluator, Any], Any]] = {
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "yamldecode": _yamldecode,
    "templatefile": _templatefile,
    "file": _file,
    "format": _format,
    "join": _join,
    "try": _try,
    "can": _can,
    "merge": _merge,
    "lookup": _lookup,
    "coalesce": _coalesce,
    "concat": lambda _c, a: [item for items in a for item in _list(items)],
    "flatten": lambda _c, a: _flatten(a[0]),
    "distinct": lambda _c, a: _distinct(_list(a[0])),
    "compact": lambda _c, a: [item for item in _list(a[0]) if item not in (None, "")],
    "tolist": lambda _c, a: _list(a[0]),
    "toset": lambda _c, a: _distinct(_list(a[0])),
    "tomap": lambda _c, a: dict(a[0]) if isinstance(a[0], Mapping) else fail("tomap() of a non-object"),
    "tostring": lambda _c, a: _string(a[0]),
    "tonumber": lambda _c, a: float(a[0]) if "." in str(a[0]) else int(a[0]),
    "lower": lambda _c, a: _string(a[0]).lower(),
    "upper": lambda _c, a: _string(a[0]).upper(),
    "trimspace": lambda _c, a: _string(a[0]).strip(),
    "replace": lambda _c, a: _string(a[0]).replace(_string(a[1]), _string(a[2])) if not _string(a[1]).startswith("/") else fail("replace() with a regular expression"),
    "split": lambda _c, a: _string(a[1]).split(_string(a[0])),
    "length": lambda _c, a: len(a[0]) if isinstance(a[0], (str, list, dict)) else fail("length() of a non-collection"),
    "keys": lambda _c, a: sorted(a[0]) if isinstance(a[0], Mapping) else fail("keys() of a non-object"),
    "values": lambda _c, a: [a[0][k] for k in sorted(a[0])] if isinstance(a[0], Mapping) else fail("values() of a non-object"),
    "element": lambda _c, a: _list(a[0])[int(a[1]) % len(_list(a[0]))],
    "contains": lambda _c, a: a[1] in _list(a[0]),
    "zipmap": lambda _c, a: dict(zip((_string(k) for k in _list(a[0])), _list(a[1]))),
}
# functions that only move values around, so an unknown argument stays an unknown element of the result
_UNKNOWN_AWARE = {"jsonencode", "templatefile", "format", "join", "merge", "lookup", "coalesce", "concat", "flatten",
                  "compact", "tolist", "toset", "tomap", "element", "zipmap", "length"}


def evaluate_source(text: str, scope: Scope, evaluation: Evaluation) -> Any:
    """The value of an expression's source text; EvaluationProblem when stepgate cannot evaluate it."""
    try:
        node = parse_expression(text)
    except SyntaxProblem as error:
        raise EvaluationProblem(str(error)) from error
    return evaluation.evaluate(node, scope)


__all__ = ["Evaluation", "EvaluationProblem", "MARKER", "Scope", "Unknown", "evaluate_source", "fail", "has_unknown"]
