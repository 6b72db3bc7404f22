"""The plan as `tofu show -json` prints it, turned into resources that know their module and references.

Unknown-after-apply values are absent from `values`; `unknown` keeps the `after_unknown` markers so a rule
can tell "not set" from "set, but only known after apply". Configuration references (the `expressions`
of the configuration section) are what link resources whose names or ARNs are unknown at plan time, such
as an inline policy attached to a role named by `name_prefix`.

What the configuration keeps, and so how precisely an unknown value can be traced back (`Plan.occurrences`):
each attribute's expression lists its references in source order, one entry per use (a traversal such as
`aws_sqs_queue.q["a"].arn` is followed by its shorter prefixes, which are the same use). Nested blocks keep
one expression object per static block (`statement`, `principals`, `condition`); `dynamic` blocks are not
kept at all. Function calls (`jsonencode`, `templatefile`, `concat`) and string templates keep only the
references inside them, so `"${aws_s3_bucket.b.arn}/*"` reads like `aws_s3_bucket.b.arn`. Locals are not
in the configuration section: a value that comes from `local.x` cannot be traced.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from stepgate.errors import StepgateError

T = TypeVar("T")
_INDEX = re.compile(r"\[[^\]]*\]")
_REFERENCE = re.compile(r"^(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)")


def module_path(address: str) -> str:
    """An address without its instance keys: module.wf["a"].module.x -> module.wf.module.x (how the
    configuration and the HCL name a module)."""
    return _INDEX.sub("", address)


@dataclass(frozen=True, slots=True)  # slots: a plan makes one per resource, and a frozen one is set field by field
class Resource:
    address: str  # full instance address, e.g. module.api.aws_iam_role.this["x"]
    module_address: str  # "" for the root module, else e.g. module.api or module.wf["a"]
    mode: str  # "managed" or "data"
    type: str
    name: str
    index: Any
    values: Mapping[str, Any]
    unknown: Mapping[str, Any]  # after_unknown markers (true, or nested dicts/lists of markers)
    references: Mapping[str, tuple[str, ...]]  # top-level attribute -> references in the configuration
    actions: tuple[str, ...] = ()  # planned change actions ("create", "read", "no-op", ...)
    # top-level attribute -> its expression as the configuration section has it (nested blocks as lists)
    expressions: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def config_address(self) -> str:
        """The address inside its module without instance keys: what configuration references name."""
        prefix = "data." if self.mode == "data" else ""
        return f"{prefix}{self.type}.{self.name}"

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def is_unknown(self, key: str) -> bool:
        """True when the attribute (or something inside it) is only known after apply."""
        marker = self.unknown.get(key)
        return marker is True or (bool(marker) and key not in self.values)

    def has_value(self, key: str) -> bool:
        """Set at plan time to something non-empty, or unknown (which means the configuration set it)."""
        value = self.values.get(key)
        return self.is_unknown(key) or value not in (None, "", [], {})

    def block(self, key: str) -> dict[str, Any]:
        """The first element of a nested block (providers model single blocks as one-element lists)."""
        value = self.values.get(key)
        if isinstance(value, list):
            return value[0] if value and isinstance(value[0], dict) else {}
        return value if isinstance(value, dict) else {}


# a NamedTuple, not a frozen dataclass: as immutable, cheaper to import and to make (see stepgate.plan.iamref)
class Target(NamedTuple):
    """A resource attribute a reference reads."""

    resource: Resource
    attribute: str  # "" when the whole resource is referenced (a for expression or splat over it)
    reference: str  # the resource address and attribute, for messages

    @property
    def may_be_unknown(self) -> bool:
        if not self.attribute:
            return True
        if self.resource.is_unknown(self.attribute):
            return True
        value = self.resource.values.get(self.attribute)
        return value is None and self.attribute not in self.resource.values


class Occurrence(NamedTuple):
    """One use of a reference inside an expression, and what it stands for."""

    reference: str  # as written where it is used, e.g. var.queue_arn
    targets: tuple[Target, ...] = ()  # what it reads (several: a splat, a list-valued variable or output)
    unresolved: str = ""  # why stepgate cannot follow it (a local, each.value, a resource not in the plan)


@dataclass
class Plan:
    resources: list[Resource]
    configuration: Mapping[str, Any] = field(default_factory=dict)
    format_version: str = ""
    terraform_version: str = ""
    source: str = ""
    document: Mapping[str, Any] = field(default_factory=dict, repr=False)  # the plan JSON, for checkov
    # the HCL the plan was made from (stepgate.source.SourceTree), when known: values only known after
    # apply can then be evaluated from their expressions (stepgate.plan.sourced)
    sources: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_address = {r.address: r for r in self.resources}
        self._by_module_config: dict[tuple[str, str], list[Resource]] = {}
        self._by_type: dict[tuple[str, str], list[Resource]] = {}
        self._derived: dict[str, Any] = {}
        self._resolved: dict[tuple[str, str], list[Resource]] = {}
        for resource in self.resources:
            self._by_module_config.setdefault((resource.module_address, resource.config_address), []).append(resource)
            self._by_type.setdefault((resource.type, resource.mode), []).append(resource)
        self._module_addresses = tuple(dict.fromkeys(r.module_address for r in self.resources))

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def get(self, address: str) -> Resource | None:
        return self._by_address.get(address)

    def of_type(self, *types: str, mode: str = "managed") -> list[Resource]:
        return [r for rtype in types for r in self._by_type.get((rtype, mode), [])]

    def instances(self, module_address: str, config_address: str) -> list[Resource]:
        """The instances of a resource block in a module instance (one, or one per count/for_each key)."""
        return list(self._by_module_config.get((module_address, config_address), []))

    def module_instances(self, module_address: str, call: str) -> list[str]:
        """The instance addresses of a module call inside a module instance, e.g. module.wf["a"]."""
        return self._child_instances(module_address, call)

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """A view computed once per plan (role links, routes) and shared by every rule that needs it."""
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

    # --- references ---------------------------------------------------------------------------------

    def resolve(self, resource: Resource, attribute: str) -> list[Resource]:
        """Resources the configuration expression of `attribute` points at, following module variables
        and module outputs, preferring the instance with the same key when both sides are indexed."""
        if self._by_address.get(resource.address) is not resource:  # not this plan's: nothing to remember it by
            return self._resolve(resource, attribute)
        key = (resource.address, attribute)
        if key not in self._resolved:  # several rules follow the same links (a machine's role, a policy's role)
            self._resolved[key] = self._resolve(resource, attribute)
        return list(self._resolved[key])

    def _resolve(self, resource: Resource, attribute: str) -> list[Resource]:
        found: dict[str, Resource] = {}
        for reference in resource.references.get(attribute, ()):
            for target in self._resolve_reference(reference, resource.module_address, depth=0):
                found[target.resource.address] = target.resource
        return _same_key(resource, list(found.values()), lambda r: r)

    def occurrences(self, resource: Resource, expression: Any) -> list[Occurrence]:
        """Each use of a reference in `expression` (an expression object of `resource.expressions`, or a
        part of one) that may be unknown at plan time, with what it stands for: the resource attributes it
        reads (several for a splat, a for expression or a list-valued variable or output), or why stepgate
        cannot follow it. Uses whose value is known at plan time are left out: they are not what an
        unknown element of the value can be."""
        found: list[Occurrence] = []
        for reference in _uses(_expression_references(expression)):
            found.extend(self._occurrences_of(reference, resource, resource.module_address, 0))
        return found

    def describe_unknown(self, resource: Resource, attribute: str) -> str:
        """`" (built from X, Y)"` naming what an unknown attribute is built from, or "" when nothing is referenced."""
        names = [o.unresolved or ", ".join(t.reference for t in o.targets) for o in self.occurrences(resource, resource.expressions.get(attribute))]
        names = [n for n in dict.fromkeys(names) if n]
        return f" (built from {', '.join(names[:6])}{' and more' if len(names) > 6 else ''})" if names else ""

    def _occurrences_of(self, reference: str, resource: Resource, module_address: str, depth: int) -> list[Occurrence]:
        parts = reference.split(".")
        if depth > 12:
            return [Occurrence(reference, (), f"{reference} (nested too deeply to follow)")]
        if parts[0] in _KNOWN_ROOTS:
            return []  # count.index, each.key, path.module, terraform.workspace: known at plan time
        if parts[0] == "each":
            return [Occurrence(reference, (), reference)]
        if parts[0] == "local":
            return [Occurrence(reference, (), f"{reference} (locals are not in the plan)")]
        if parts[0] == "var":
            if not module_address:
                return []  # root module variables are known at plan time
            parent, call = split_module(module_address)
            expression = ((self._module_call_config(parent, call) or {}).get("expressions", {}) or {}).get(parts[1], {})
            return [o for ref in _uses(_expression_references(expression)) for o in self._occurrences_of(ref, resource, parent, depth + 1)]
        if parts[0] == "module":
            child, key, output = _module_reference(reference)
            if not output:
                return []
            child_config = self._module_call_config(module_address, child)
            output_config = ((child_config or {}).get("module", {}).get("outputs", {}) or {}).get(output, {})
            found: list[Occurrence] = []
            for child_address in self._child_instances(module_address, child):
                if key is not None and not child_address.endswith(f"[{key}]"):
                    continue
                for ref in _uses(_expression_references(output_config.get("expression", {}))):
                    found.extend(self._occurrences_of(ref, resource, child_address, depth + 1))
            return found or [Occurrence(reference, (), f"{reference} (not in this plan)")]
        targets = self._resolve_reference(reference, module_address, depth)
        if not _REFERENCE.match(reference):
            return [Occurrence(reference, (), reference)]
        if not targets:
            return [Occurrence(reference, (), f"{reference} (not in this plan)")]
        targets = _same_key(resource, targets, lambda t: t.resource)
        unknown = tuple(t for t in targets if t.may_be_unknown)
        return [Occurrence(reference, unknown)] if unknown else []

    def _resolve_reference(self, reference: str, module_address: str, depth: int) -> list[Target]:
        if depth > 12:  # module recursion deeper than any sane configuration; stop rather than loop
            return []
        parts = reference.split(".")
        if parts[0] == "var" and len(parts) >= 2 and module_address:
            parent, call = split_module(module_address)
            call_config = self._module_call_config(parent, call)
            expression = (call_config or {}).get("expressions", {}).get(parts[1], {})
            return [t for ref in _expression_references(expression) for t in self._resolve_reference(ref, parent, depth + 1)]
        if parts[0] == "module" and len(parts) >= 3:
            child_name, key, output = _module_reference(reference)
            child_config = self._module_call_config(module_address, child_name)
            output_config = ((child_config or {}).get("module", {}).get("outputs", {}) or {}).get(output, {})
            results: list[Target] = []
            for child_address in self._child_instances(module_address, child_name):
                if key is not None and not child_address.endswith(f"[{key}]"):
                    continue
                for ref in _expression_references(output_config.get("expression", {})):
                    results.extend(self._resolve_reference(ref, child_address, depth + 1))
            return results
        parsed = _resource_reference(reference)
        if parsed is None:
            return []
        config_address, index, attribute = parsed
        instances = self._by_module_config.get((module_address, config_address), [])
        if index is not None:
            instances = [r for r in instances if r.index == index]
        return [Target(r, attribute, f"{r.address}.{attribute}" if attribute else r.address) for r in instances]

    def _module_call_config(self, module_address: str, call: str) -> Mapping[str, Any] | None:
        node: Mapping[str, Any] = self.configuration.get("root_module", {}) if self.configuration else {}
        for name in _module_names(module_address):
            node = node.get("module_calls", {}).get(name, {}).get("module", {})
        return node.get("module_calls", {}).get(call)

    def _child_instances(self, module_address: str, child_name: str) -> list[str]:
        prefix = f"{module_address}.module.{child_name}" if module_address else f"module.{child_name}"
        instances = {address for address in self._module_addresses if _instance_prefix(address, prefix)}
        return sorted({_cut_to(prefix, address) for address in instances})


_KNOWN_ROOTS = ("count", "path", "terraform", "self")
_INDEX_LITERAL = re.compile(r'^\[(?:"((?:[^"\\]|\\.)*)"|(\d+))\]')


@lru_cache(maxsize=4096)
def _resource_reference(reference: str) -> tuple[str, Any, str] | None:
    """A reference to a resource -> (its config address, its literal instance key or None, the attribute or
    ""); None for what names no resource (locals, each, count, var, ...). The same few references recur
    in every instance of a module."""
    match = _REFERENCE.match(reference)
    if not match or reference.split(".", 1)[0] in ("local", "each", "count", "path", "terraform", "self", "var"):
        return None
    config_address = f"{match.group(1) or ''}{match.group(2)}.{match.group(3)}"
    index, rest = _leading_index(reference[match.end():])
    attribute = rest[1:].split(".")[0].split("[")[0] if rest.startswith(".") else ""
    return config_address, index, attribute


def _leading_index(rest: str) -> tuple[Any, str]:
    """A literal instance key at the start of what follows a resource in a reference: ["k"] or [0]."""
    match = _INDEX_LITERAL.match(rest)
    if not match:
        return None, rest
    key: Any = json.loads(f'"{match.group(1)}"') if match.group(1) is not None else int(match.group(2))
    return key, rest[match.end():]


def _module_reference(reference: str) -> tuple[str, str | None, str]:
    """module.NAME["key"].OUTPUT -> (NAME, '"key"' or None, OUTPUT); OUTPUT is "" for a bare module."""
    rest = reference[len("module."):]
    name = re.match(r"[A-Za-z0-9_-]+", rest)
    if not name:
        return "", None, ""
    rest = rest[name.end():]
    key: str | None = None
    match = _INDEX_LITERAL.match(rest)
    if match:
        key = match.group(0)[1:-1]
        rest = rest[match.end():]
    output = rest[1:].split(".")[0].split("[")[0] if rest.startswith(".") else ""
    return name.group(0), key, output


def _uses(references: list[str]) -> list[str]:
    """One entry per use: a traversal is listed before its shorter prefixes, which are the same use."""
    uses: list[str] = []
    for reference in references:
        if uses and _is_prefix(reference, uses[-1]):
            continue
        uses.append(reference)
    return uses


def _is_prefix(short: str, long: str) -> bool:
    return long != short and long.startswith(short) and long[len(short)] in ".["


def _same_key(resource: Resource, items: list[T], of: Callable[[T], Resource]) -> list[T]:
    """Prefer the instances with the referencing resource's own key (for_each pairs across modules)."""
    same = [item for item in items if resource.index is not None and of(item).index == resource.index]
    return same or items


def _instance_prefix(address: str, prefix: str) -> bool:
    return address == prefix or address.startswith(prefix + ".") or address.startswith(prefix + "[")


def _cut_to(prefix: str, address: str) -> str:
    """The module instance address (with its key, if any) of `prefix` inside the longer `address`."""
    rest = address[len(prefix) :]
    if rest.startswith("["):
        depth = 0
        for position, char in enumerate(rest):
            depth += char == "["
            depth -= char == "]"
            if depth == 0:
                return prefix + rest[: position + 1]
    return prefix


def module_key(module_address: str) -> Any:
    """The instance key of the innermost module call in an address (None when it has none)."""
    marker = module_address.rfind(".module.")
    last = module_address[marker + 1 :] if marker >= 0 else module_address
    bracket = last.find("[")
    return _leading_index(last[bracket:])[0] if bracket >= 0 else None


def split_module(module_address: str) -> tuple[str, str]:
    """module.a.module.b["k"] -> ("module.a", "b")."""
    names = module_path(module_address).split(".")
    call = names[-1]
    marker = module_address.rfind(".module.")
    parent = module_address[:marker] if marker >= 0 else ""
    return parent, call


def _module_names(module_address: str) -> list[str]:
    if not module_address:
        return []
    names = module_path(module_address).split(".")
    return [names[i + 1] for i in range(0, len(names) - 1, 2) if names[i] == "module"]


def _expression_references(expression: Any) -> list[str]:
    """All references in an expression, including those nested in blocks and objects."""
    if isinstance(expression, dict):
        refs = list(expression.get("references", []))
        for key, value in expression.items():
            if key != "references" and isinstance(value, (dict, list)):
                refs.extend(_expression_references(value))
        return refs
    if isinstance(expression, list):
        return [ref for item in expression for ref in _expression_references(item)]
    return []


# --- loading ----------------------------------------------------------------------------------------


def read_plan_json(path: Path) -> Any:
    """The parsed content of a plan JSON file, or one clear StepgateError line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise StepgateError(f"cannot read plan file {path}: {error}") from error
    if not text.strip():
        raise StepgateError(f"{path} is empty, expected the output of `tofu show -json PLANFILE`")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise StepgateError(f"{path} is not valid JSON ({error.msg}, line {error.lineno}); is it truncated?") from error


def load_plan(source: Path | str | Mapping[str, Any], label: str | None = None) -> Plan:
    """A Plan from a plan JSON file or an already parsed dict; StepgateError for anything that is not one."""
    document = source if isinstance(source, Mapping) else read_plan_json(Path(source))
    label = label or (str(source) if not isinstance(source, Mapping) else "the plan")
    if not isinstance(document, Mapping) or "format_version" not in document or not (
        "planned_values" in document or "resource_changes" in document
    ):
        raise StepgateError(f"{label} is not a plan JSON (no format_version/planned_values): use `tofu show -json PLANFILE`")
    try:
        resources = list(_resources(document))
    except (AttributeError, TypeError, KeyError, ValueError) as error:
        # valid JSON with the plan keys but the wrong shapes inside: hand-edited or cut by a broken pipe
        raise StepgateError(f"{label} is not a well-formed plan JSON ({error.__class__.__name__}: {error}); regenerate it with `tofu show -json PLANFILE`") from error
    return Plan(
        resources=resources,
        configuration=document.get("configuration") or {},
        format_version=str(document.get("format_version", "")),
        terraform_version=str(document.get("terraform_version", "")),
        source=label,
        document=document,
    )


def _resources(document: Mapping[str, Any]) -> Iterable[Resource]:
    changes = {c["address"]: c for c in document.get("resource_changes") or [] if isinstance(c, dict) and "address" in c}
    expressions = _configuration_expressions(document.get("configuration") or {})
    references = {key: {attr: tuple(_expression_references(value)) for attr, value in exprs.items()} for key, exprs in expressions.items()}
    seen: set[str] = set()
    planned = (document.get("planned_values") or {}).get("root_module") or {}
    prior = ((document.get("prior_state") or {}).get("values") or {}).get("root_module") or {}
    # planned values first; prior_state adds the data sources that were read during planning
    for module in (planned, prior):
        for item, module_address in _walk_module(module, ""):
            address = item.get("address")
            if not address or address in seen:
                continue
            seen.add(address)
            change = changes.get(address, {}).get("change", {})
            if "delete" in change.get("actions", []) and "create" not in change.get("actions", []):
                continue  # being destroyed: not part of what this plan deploys
            yield _resource({"module_address": module_address, **item}, change, references, expressions)
    for address, entry in changes.items():
        change = entry.get("change", {})
        actions = change.get("actions", [])
        if address in seen or actions == ["delete"] or change.get("after") is None:
            continue
        seen.add(address)
        yield _resource({**entry, "values": change.get("after") or {}}, change, references, expressions)


def _walk_module(module: Mapping[str, Any], address: str) -> Iterable[tuple[Mapping[str, Any], str]]:
    for item in module.get("resources") or []:
        yield item, address
    for child in module.get("child_modules") or []:
        yield from _walk_module(child, str(child.get("address", "")))


def _resource(item: Mapping[str, Any], change: Mapping[str, Any], references: Mapping[tuple[str, str], Any],
              expressions: Mapping[tuple[str, str], Any]) -> Resource:
    address = str(item["address"])
    module_address = str(item.get("module_address") or _module_of(address))
    mode = str(item.get("mode", "managed"))
    rtype, name = str(item.get("type", "")), str(item.get("name", ""))
    config_address = f"{'data.' if mode == 'data' else ''}{rtype}.{name}"
    key_free = module_path(module_address)
    unknown = change.get("after_unknown")
    return Resource(
        address=address,
        module_address=module_address,
        mode=mode,
        type=rtype,
        name=name,
        index=item.get("index"),
        values=dict(item.get("values") or {}),
        unknown=unknown if isinstance(unknown, dict) else {},
        references=references.get((key_free, config_address), {}),
        actions=tuple(change.get("actions", ())),
        expressions=expressions.get((key_free, config_address), {}),
    )


def _module_of(address: str) -> str:
    parts = address.split(".")
    # module.a["k"].module.b.aws_x.y -> keep pairs that start with "module"
    kept: list[str] = []
    i = 0
    while i + 1 < len(parts) and parts[i] == "module":
        kept.extend(parts[i : i + 2])
        i += 2
    # only used for resource_changes without module_address (older formats); keys with dots are rare there
    return ".".join(kept)


def _configuration_expressions(configuration: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(module path without keys, config address) -> attribute -> expression."""
    table: dict[tuple[str, str], dict[str, Any]] = {}

    def visit(module: Mapping[str, Any], path: str) -> None:
        for resource in module.get("resources") or []:
            expressions = resource.get("expressions") or {}
            table[(path, resource.get("address", ""))] = dict(expressions) if isinstance(expressions, Mapping) else {}
        for name, call in (module.get("module_calls") or {}).items():
            visit(call.get("module") or {}, f"{path}.module.{name}" if path else f"module.{name}")

    visit(configuration.get("root_module") or {}, "")
    return table
