"""Turn a compact YAML case (resources with values, unknowns and references) into a `tofu show -json` plan.

The output has the same shape tofu prints: planned_values.root_module with nested child_modules,
resource_changes with after/after_unknown, prior_state for data sources read at plan time, and a
configuration section whose expressions carry the references. Values that are JSON documents may be
given as YAML mappings under `to_json:` keys and are serialised here, so cases stay readable.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

_INDEX = re.compile(r"\[[^\]]*\]")


def _module_of(address: str) -> str:
    parts = address.split(".")
    kept: list[str] = []
    i = 0
    while i + 1 < len(parts) and parts[i].startswith("module"):
        kept.extend(parts[i : i + 2])
        i += 2
    return ".".join(kept)


def _local(address: str) -> str:
    module = _module_of(address)
    return address[len(module) + 1 :] if module else address


def _serialise(values: Any) -> Any:
    """`{"to_json": {...}}` wrappers become JSON strings (policies, definitions, patterns)."""
    if isinstance(values, dict):
        if set(values) == {"to_json"}:
            return json.dumps(values["to_json"])
        return {k: _serialise(v) for k, v in values.items()}
    if isinstance(values, list):
        return [_serialise(v) for v in values]
    return values


def build_plan(resources: list[dict[str, Any]], module_calls: dict[str, Any] | None = None) -> dict[str, Any]:
    """`module_calls` (root-level calls only): name -> {expressions: {var: [refs]}, outputs: {name: [refs]}}."""
    modules: dict[str, dict[str, Any]] = {"": {"resources": [], "child_modules": []}}
    prior: dict[str, dict[str, Any]] = {"": {"resources": [], "child_modules": []}}
    changes: list[dict[str, Any]] = []
    config_root: dict[str, Any] = {"resources": [], "module_calls": {}}
    seen_config: set[tuple[str, str]] = set()

    def module_node(tree: dict[str, dict[str, Any]], module: str) -> dict[str, Any]:
        if module not in tree:
            parent = _module_of(module.rsplit(".module.", 1)[0]) if ".module." in module else ""
            node = {"address": module, "resources": [], "child_modules": []}
            module_node(tree, parent)["child_modules"].append(node)
            tree[module] = node
        return tree[module]

    def config_node(module: str) -> dict[str, Any]:
        node = config_root
        names = _INDEX.sub("", module).split(".")
        for i in range(0, len(names) - 1, 2):
            call = node["module_calls"].setdefault(names[i + 1], {"source": f"./modules/{names[i + 1]}", "module": {"resources": [], "module_calls": {}}})
            node = call["module"]
        return node

    for item in resources:
        address = item["address"]
        module = _module_of(address)
        local = _local(address)
        mode = "data" if local.startswith("data.") else "managed"
        rtype, rest = (local[5:] if mode == "data" else local).split(".", 1)
        name = _INDEX.sub("", rest)
        index_match = _INDEX.search(rest)
        values = _serialise(item.get("values", {}))
        unknown = item.get("unknown", {})
        entry = {"address": address, "mode": mode, "type": rtype, "name": name,
                 "provider_name": "registry.opentofu.org/hashicorp/aws", "schema_version": 0,
                 "values": values, "sensitive_values": {}}
        if index_match:
            key = index_match.group(0)[1:-1]
            entry["index"] = json.loads(key) if key.startswith('"') or key.isdigit() else key
        if mode == "data" and not unknown:
            module_node(prior, module)["resources"].append(entry)
        else:
            module_node(modules, module)["resources"].append(entry)
            change = {"address": address, "mode": mode, "type": rtype, "name": name,
                      "provider_name": "registry.opentofu.org/hashicorp/aws",
                      "change": {"actions": ["read"] if mode == "data" else ["create"], "before": None,
                                 "after": values, "after_unknown": unknown, "before_sensitive": False, "after_sensitive": {}}}
            if module:
                change["module_address"] = module
            if "index" in entry:
                change["index"] = entry["index"]
            changes.append(change)
        config_address = f"{'data.' if mode == 'data' else ''}{rtype}.{name}"
        if (_INDEX.sub("", module), config_address) not in seen_config:
            seen_config.add((_INDEX.sub("", module), config_address))
            expressions = {attr: {"references": refs} for attr, refs in (item.get("references") or {}).items()}
            config_node(module)["resources"].append({"address": config_address, "mode": mode, "type": rtype, "name": name,
                                                     "provider_config_key": "aws", "expressions": expressions, "schema_version": 0})
    for name, call in (module_calls or {}).items():
        node = config_root["module_calls"].setdefault(name, {"source": f"./modules/{name}", "module": {"resources": [], "module_calls": {}}})
        node["expressions"] = {var: {"references": refs} for var, refs in (call.get("expressions") or {}).items()}
        node["module"]["outputs"] = {out: {"expression": {"references": refs}} for out, refs in (call.get("outputs") or {}).items()}
    return {
        "format_version": "1.2",
        "terraform_version": "1.12.6",
        "planned_values": {"root_module": modules[""]},
        "resource_changes": changes,
        "prior_state": {"format_version": "1.0", "terraform_version": "1.12.6", "values": {"root_module": prior[""]}},
        "configuration": {"provider_config": {"aws": {"name": "aws", "full_name": "registry.opentofu.org/hashicorp/aws"}},
                          "root_module": config_root},
        "timestamp": "2026-11-25T06:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }


def with_changes(base: list[dict[str, Any]], variant: dict[str, Any]) -> list[dict[str, Any]]:
    """The base resources with the variant's resources replacing those of the same address, minus `drop`."""
    replaced = {r["address"] for r in variant.get("resources", [])} | set(variant.get("drop", []))
    return [r for r in base if r["address"] not in replaced] + list(variant.get("resources", []))


def load_resources(path: Path) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text())["resources"]
