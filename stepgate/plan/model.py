"""The plan as `tofu show -json` prints it, turned into resources that know their module and references.

Unknown-after-apply values are absent from `values`; `unknown` keeps the `after_unknown` markers so a rule
can tell "not set" from "set, but only known after apply". Configuration references (the `expressions`
of the configuration section) are what link resources whose names or ARNs are unknown at plan time, such
as an inline policy attached to a role named by `name_prefix`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from stepgate.errors import StepgateError

T = TypeVar("T")
_INDEX = re.compile(r"\[[^\]]*\]")
_REFERENCE = re.compile(r"^(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)")


def _strip_indexes(address: str) -> str:
    return _INDEX.sub("", address)


@dataclass(frozen=True)
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


@dataclass
class Plan:
    resources: list[Resource]
    configuration: Mapping[str, Any] = field(default_factory=dict)
    format_version: str = ""
    terraform_version: str = ""
    source: str = ""
    document: Mapping[str, Any] = field(default_factory=dict, repr=False)  # the plan JSON, for checkov

    def __post_init__(self) -> None:
        self._by_address = {r.address: r for r in self.resources}
        self._by_module_config: dict[tuple[str, str], list[Resource]] = {}
        self._by_type: dict[tuple[str, str], list[Resource]] = {}
        self._derived: dict[str, Any] = {}
        for resource in self.resources:
            self._by_module_config.setdefault((resource.module_address, resource.config_address), []).append(resource)
            self._by_type.setdefault((resource.type, resource.mode), []).append(resource)

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def get(self, address: str) -> Resource | None:
        return self._by_address.get(address)

    def of_type(self, *types: str, mode: str = "managed") -> list[Resource]:
        return [r for rtype in types for r in self._by_type.get((rtype, mode), [])]

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """A view computed once per plan (role links, routes) and shared by every rule that needs it."""
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

    # --- references ---------------------------------------------------------------------------------

    def resolve(self, resource: Resource, attribute: str) -> list[Resource]:
        """Resources the configuration expression of `attribute` points at, following module variables
        and module outputs, preferring the instance with the same key when both sides are indexed."""
        found: dict[str, Resource] = {}
        for reference in resource.references.get(attribute, ()):
            for target in self._resolve_reference(reference, resource.module_address, depth=0):
                found[target.address] = target
        targets = list(found.values())
        same_key = [t for t in targets if resource.index is not None and t.index == resource.index]
        return same_key or targets

    def _resolve_reference(self, reference: str, module_address: str, depth: int) -> list[Resource]:
        if depth > 12:  # module recursion deeper than any sane configuration; stop rather than loop
            return []
        parts = reference.split(".")
        if parts[0] == "var" and len(parts) >= 2 and module_address:
            parent, call = _split_module(module_address)
            call_config = self._module_call_config(parent, call)
            expression = (call_config or {}).get("expressions", {}).get(parts[1], {})
            return [t for ref in _expression_references(expression) for t in self._resolve_reference(ref, parent, depth + 1)]
        if parts[0] == "module" and len(parts) >= 3:
            child_name, output = parts[1], parts[2]
            child_config = self._module_call_config(module_address, child_name)
            output_config = ((child_config or {}).get("module", {}).get("outputs", {}) or {}).get(output, {})
            results: list[Resource] = []
            for child_address in self._child_instances(module_address, child_name):
                for ref in _expression_references(output_config.get("expression", {})):
                    results.extend(self._resolve_reference(ref, child_address, depth + 1))
            return results
        match = _REFERENCE.match(reference)
        if not match or parts[0] in ("local", "each", "count", "path", "terraform", "self", "var"):
            return []
        config_address = f"{match.group(1) or ''}{match.group(2)}.{match.group(3)}"
        return list(self._by_module_config.get((module_address, config_address), []))

    def _module_call_config(self, module_address: str, call: str) -> Mapping[str, Any] | None:
        node: Mapping[str, Any] = self.configuration.get("root_module", {}) if self.configuration else {}
        for name in _module_names(module_address):
            node = node.get("module_calls", {}).get(name, {}).get("module", {})
        return node.get("module_calls", {}).get(call)

    def _child_instances(self, module_address: str, child_name: str) -> list[str]:
        prefix = f"{module_address}.module.{child_name}" if module_address else f"module.{child_name}"
        instances = {r.module_address for r in self.resources if _instance_prefix(r.module_address, prefix)}
        return sorted({_cut_to(prefix, address) for address in instances})


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


def _split_module(module_address: str) -> tuple[str, str]:
    """module.a.module.b["k"] -> ("module.a", "b")."""
    names = _strip_indexes(module_address).split(".")
    call = names[-1]
    marker = module_address.rfind(".module.")
    parent = module_address[:marker] if marker >= 0 else ""
    return parent, call


def _module_names(module_address: str) -> list[str]:
    if not module_address:
        return []
    names = _strip_indexes(module_address).split(".")
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
    references = _configuration_references(document.get("configuration") or {})
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
            yield _resource({"module_address": module_address, **item}, change, references)
    for address, entry in changes.items():
        change = entry.get("change", {})
        actions = change.get("actions", [])
        if address in seen or actions == ["delete"] or change.get("after") is None:
            continue
        seen.add(address)
        yield _resource({**entry, "values": change.get("after") or {}}, change, references)


def _walk_module(module: Mapping[str, Any], address: str) -> Iterable[tuple[Mapping[str, Any], str]]:
    for item in module.get("resources") or []:
        yield item, address
    for child in module.get("child_modules") or []:
        yield from _walk_module(child, str(child.get("address", "")))


def _resource(item: Mapping[str, Any], change: Mapping[str, Any], references: Mapping[tuple[str, str], Any]) -> Resource:
    address = str(item["address"])
    module_address = str(item.get("module_address") or _module_of(address))
    mode = str(item.get("mode", "managed"))
    rtype, name = str(item.get("type", "")), str(item.get("name", ""))
    config_address = f"{'data.' if mode == 'data' else ''}{rtype}.{name}"
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
        references=references.get((_strip_indexes(module_address), config_address), {}),
        actions=tuple(change.get("actions", ())),
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


def _configuration_references(configuration: Mapping[str, Any]) -> dict[tuple[str, str], dict[str, tuple[str, ...]]]:
    """(module path without keys, config address) -> attribute -> references."""
    table: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {}

    def visit(module: Mapping[str, Any], path: str) -> None:
        for resource in module.get("resources") or []:
            expressions = resource.get("expressions") or {}
            table[(path, resource.get("address", ""))] = {
                key: tuple(_expression_references(value)) for key, value in expressions.items()
            }
        for name, call in (module.get("module_calls") or {}).items():
            visit(call.get("module") or {}, f"{path}.module.{name}" if path else f"module.{name}")

    visit(configuration.get("root_module") or {}, "")
    return table
