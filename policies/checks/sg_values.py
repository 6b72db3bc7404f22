"""Reading checkov resource configurations, which wrap every attribute value in a one-element list.

Values that are still Terraform interpolations (`${...}`) after checkov's evaluation are unknown to a
single-resource check; the checks answer UNKNOWN for them instead of guessing.
"""

from __future__ import annotations

import json
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


def is_unresolved(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


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
