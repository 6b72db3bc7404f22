"""Reading checkov resource configurations, which wrap every attribute value in a one-element list.

Values that are still Terraform expressions after checkov's evaluation (see is_unresolved) are unknown
to a single-resource check; the checks answer UNKNOWN for them instead of guessing. The plan scan sees
the evaluated values, so nothing goes unchecked.
"""

from __future__ import annotations

import json
import re
from typing import Any


def first(conf: dict[str, Any], key: str, default: Any = None) -> Any:
    value = conf.get(key, default)
    if isinstance(value, list):
        return value[0] if value else default
    return value


def block(conf: dict[str, Any], key: str) -> dict[str, Any]:
    value = first(conf, key)
    if isinstance(value, list):
        value = value[0] if value else {}
    return value if isinstance(value, dict) else {}


# What checkov leaves of an expression it could not evaluate: `${...}`, or the bare expression text, such
# as `var.xray_tracing_enabled` (an object variable with optional() defaults), `module.x.arn`,
# `aws_iam_role.this.arn` (resource types carry a provider prefix) or `coalesce(var.a, local.b)`.
# Literal values (ARNs, "POST /x", "NONE", host names) never start like that.
_EXPRESSION = re.compile(
    r"\$\{"
    r"|^(var|local|module|data|each|count|path|terraform)\."
    r"|^[a-z][a-z0-9]*_[a-z0-9_]*\.[A-Za-z_][\w-]*(\[[^\]]*\])?\.[A-Za-z_]"
    r"|^[a-z][a-z0-9_]*\("
)


def is_unresolved(value: Any) -> bool:
    return isinstance(value, str) and bool(_EXPRESSION.search(value))


def is_unresolved_scalar(value: Any) -> bool:
    """For attributes holding a string, number or bool (a jsonencode()d document included): also the
    empty `{}` checkov puts for an optional() attribute of an object variable it could not evaluate.
    A plan never holds a map in such an attribute, and an evaluated jsonencode() is not empty."""
    return is_unresolved(value) or (isinstance(value, (dict, list)) and not value)


def as_text(value: Any) -> str:
    """Templates and formats may arrive as strings or, after jsonencode() evaluation, as objects."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def mapping_values(value: Any) -> list[str]:
    """The values of a map attribute (request_templates, request_parameters) as text, without checkov's
    bookkeeping keys (__file__, start_line, ...) and list wrappers."""
    if isinstance(value, list):
        value = value[0] if value else {}
    if not isinstance(value, dict):
        return [as_text(value)] if value is not None else []
    texts = []
    for key, item in value.items():
        if key.startswith("__") or key in ("start_line", "end_line"):
            continue
        if isinstance(item, list) and len(item) == 1:
            item = item[0]
        texts.append(as_text(item))
    return texts


def mapping_get(value: Any, key: str) -> Any:
    if isinstance(value, list):
        value = value[0] if value else {}
    item = value.get(key) if isinstance(value, dict) else None
    return item[0] if isinstance(item, list) and len(item) == 1 else item
