"""The single-resource stepgate rules as checkov checks, for teams that run checkov themselves.

    checkov -d infra/ --external-checks-dir "$(stepgate policies-dir)" --skip-download

checkov executes every module file of this directory (`stepgate_checks.py`) as an external check file;
each check there calls its rule's `evaluate` from `stepgate.rules`, the same function `stepgate check`
runs, on the resource configuration checkov hands it, turned into the plan model's Resource by
`resource_from_conf` below. This package file itself is not loaded by checkov (it skips __init__.py),
so importing it costs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

from stepgate.plan.model import Resource

# What checkov puts for a planned value known only after apply (checkov.terraform.plan_parser), when
# EVAL_TF_PLAN_AFTER_UNKNOWN is set.
TRUE_AFTER_UNKNOWN = "true_after_unknown"

# What checkov leaves of an HCL expression it could not evaluate: `${...}`, or the bare expression text,
# such as `var.xray_tracing_enabled`, `module.x.arn`, `aws_iam_role.this.arn` or `coalesce(var.a, local.b)`.
# Literal values (ARNs, "POST /x", "NONE", host names) never start like that.
_EXPRESSION = re.compile(
    r"\$\{"
    r"|^(var|local|module|data|each|count|path|terraform)\."
    r"|^[a-z][a-z0-9]*_[a-z0-9_]*\.[A-Za-z_][\w-]*(\[[^\]]*\])?\.[A-Za-z_]"
    r"|^[a-z][a-z0-9_]*\("
)
# checkov's bookkeeping keys in a resource configuration, and meta-arguments that are not attributes
_NOT_ATTRIBUTES = {"start_line", "end_line", "count", "for_each", "depends_on", "lifecycle", "provider", "provisioner"}


def directory() -> Path:
    """The directory to pass to checkov's --external-checks-dir (inside the installed package)."""
    return Path(str(files(__name__)))


def is_unresolved(value: Any) -> bool:
    return value == TRUE_AFTER_UNKNOWN or (isinstance(value, str) and bool(_EXPRESSION.search(value)))


def _unwrap(value: Any) -> Any:
    """checkov wraps every attribute value in a one-element list, at every level (a single block becomes
    its body; several blocks stay a list, which Resource.block() reads the same way)."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _normalise(value: Any) -> tuple[Any, Any]:
    """(known value, after-unknown markers) in the shapes of a `tofu show -json` plan."""
    value = _unwrap(value)
    # `{}` is what checkov puts for an optional() attribute of an object variable it could not evaluate;
    # an evaluated attribute is never an empty map where a rule reads it.
    if is_unresolved(value) or value == {}:
        return None, True
    if isinstance(value, Mapping):
        known: dict[str, Any] = {}
        markers: dict[str, Any] = {}
        for key, item in value.items():
            if key.startswith("__") or key in ("start_line", "end_line"):
                continue
            inner, marker = _normalise(item)
            if marker:
                markers[key] = marker
            if inner is not None or not marker:
                known[key] = inner
        return known, markers or False
    if isinstance(value, list):
        pairs = [_normalise(item) for item in value]
        markers_list = [marker for _, marker in pairs]
        return [inner for inner, _ in pairs], markers_list if any(markers_list) else False
    return value, False


def resource_from_conf(resource_type: str, conf: Mapping[str, Any], address: str = "") -> Resource:
    """A checkov resource configuration (HCL or plan scan) as the plan model's Resource."""
    values: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    for key, raw in conf.items():
        if key.startswith("__") or key in _NOT_ATTRIBUTES:
            continue
        value, marker = _normalise(raw)
        if marker is True:
            unknown[key] = True
            continue
        if marker:
            unknown[key] = marker
        values[key] = value
    name = address.rsplit(".", 1)[-1] if address else ""
    return Resource(address=address or resource_type, module_address="", mode="managed", type=resource_type, name=name,
                    index=None, values=values, unknown=unknown, references={})
