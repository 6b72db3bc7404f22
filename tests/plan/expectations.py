"""Compare a plan JSON with an example's expectation file (tests/plan/examples/<example>.yaml).

An expectation file holds data, not code:

    example: basic                 # directory under examples/ (default: the file name)
    variables: {version_label: 2.0.0}   # optional -var values for the plan
    counts: {aws_sfn_state_machine: 1}  # managed resources per type, across all modules
    every: {aws_api_gateway_method: {authorization: AWS_IAM}}   # subset every resource of a type matches
    resources: {ADDRESS: SUBSET}        # planned values of one managed resource
    data: {ADDRESS: SUBSET}             # planned read of a data source (what it will be read with)

A SUBSET matches when every key it names matches: mappings recursively, lists element by element with the
same length, scalars by equality. A mapping whose keys are all operators applies each of them:
    {$json: SUBSET}      the string parsed as JSON matches SUBSET
    {$policy: [...]}     the string is an IAM policy whose statements equal these (order-insensitive,
                         single values and lists alike; Sid, Effect, Action, Resource, Principal, Condition)
    {$contains: [...]}   every substring occurs;   {$excludes: [...]}  none occurs
    {$regex: PATTERN}    re.search matches
    {$unknown: true}     the value is only known after apply
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

OPERATORS = {"$json", "$policy", "$contains", "$excludes", "$regex", "$unknown"}
_MISSING = object()


def managed_resources(plan: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """address -> planned values of every managed resource, including those in child modules."""
    found: dict[str, dict[str, Any]] = {}

    def walk(module: Mapping[str, Any]) -> None:
        for resource in module.get("resources", []):
            if resource.get("mode") == "managed":
                found[resource["address"]] = resource
        for child in module.get("child_modules", []):
            walk(child)

    walk(plan.get("planned_values", {}).get("root_module", {}))
    return found


def data_reads(plan: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """address -> {"values": after, "unknown": after_unknown} of data sources read during apply."""
    return {
        change["address"]: {"values": change["change"].get("after") or {}, "unknown": change["change"].get("after_unknown") or {}}
        for change in plan.get("resource_changes", [])
        if change.get("mode") == "data"
    }


def _as_list(value: Any) -> list[Any]:
    return sorted(value) if isinstance(value, list) else [value]


def _normalise_statement(statement: Mapping[str, Any]) -> dict[str, Any]:
    normal: dict[str, Any] = {"Effect": statement.get("Effect", "Allow")}
    for key in ("Sid", "Action", "NotAction", "Resource", "NotResource"):
        if key in statement:
            normal[key] = statement[key] if key == "Sid" else _as_list(statement[key])
    if "Principal" in statement:
        principal = statement["Principal"]
        normal["Principal"] = principal if isinstance(principal, str) else {k: _as_list(v) for k, v in principal.items()}
    if "Condition" in statement:
        normal["Condition"] = {test: {key: _as_list(v) for key, v in values.items()} for test, values in statement["Condition"].items()}
    return normal


def _policy_key(statement: Mapping[str, Any]) -> str:
    return json.dumps(statement, sort_keys=True)


def match(expected: Any, actual: Any, unknown: Any, path: str) -> Iterator[str]:
    """Every mismatch between an expected subset and a planned value, as 'path: why'."""
    if isinstance(expected, Mapping) and expected and all(key in OPERATORS for key in expected):
        for operator, operand in expected.items():
            yield from _match_operator(operator, operand, actual, unknown, path)
        return
    if actual is _MISSING or actual is None and expected is not None:
        state = "known only after apply" if unknown is True or isinstance(unknown, (dict, list)) and unknown else "absent"
        yield f"{path}: expected {expected!r}, value is {state}"
        return
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            yield f"{path}: expected a mapping, got {actual!r}"
            return
        for key, value in expected.items():
            child_unknown = unknown.get(key) if isinstance(unknown, Mapping) else None
            yield from match(value, actual.get(key, _MISSING), child_unknown, f"{path}.{key}")
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            yield f"{path}: expected {len(expected)} items {expected!r}, got {actual!r}"
            return
        for index, (want, have) in enumerate(zip(expected, actual)):
            child_unknown = unknown[index] if isinstance(unknown, list) and index < len(unknown) else None
            yield from match(want, have, child_unknown, f"{path}[{index}]")
    elif expected != actual:
        yield f"{path}: expected {expected!r}, got {actual!r}"


def _match_operator(operator: str, operand: Any, actual: Any, unknown: Any, path: str) -> Iterator[str]:
    if operator == "$unknown":
        is_unknown = unknown is True
        if bool(operand) != is_unknown:
            yield f"{path}: expected the value to be {'unknown' if operand else 'known'} at plan time (value {actual!r})"
        return
    if not isinstance(actual, str):
        yield f"{path}: {operator} needs a planned string, got {'an unknown value' if unknown is True else repr(actual)}"
        return
    if operator == "$contains":
        yield from (f"{path}: does not contain {needle!r}" for needle in operand if needle not in actual)
    elif operator == "$excludes":
        yield from (f"{path}: must not contain {needle!r}" for needle in operand if needle in actual)
    elif operator == "$regex":
        if not re.search(operand, actual):
            yield f"{path}: {actual!r} does not match /{operand}/"
    elif operator == "$json":
        yield from match(operand, json.loads(actual), None, f"{path}(json)")
    elif operator == "$policy":
        statements = json.loads(actual).get("Statement", [])
        have = Counter(_policy_key(_normalise_statement(s)) for s in (statements if isinstance(statements, list) else [statements]))
        want = Counter(_policy_key(_normalise_statement(s)) for s in operand)
        for extra in sorted((have - want).elements()):
            yield f"{path}: unexpected statement {extra}"
        for missing in sorted((want - have).elements()):
            yield f"{path}: missing statement {missing}"


def compare(spec: Mapping[str, Any], plan: Mapping[str, Any]) -> list[str]:
    """All mismatches between an expectation file and a plan; empty when the plan meets it."""
    resources = managed_resources(plan)
    reads = data_reads(plan)
    unknowns = {c["address"]: c["change"].get("after_unknown") or {} for c in plan.get("resource_changes", [])}
    failures: list[str] = []

    counted = Counter(r["type"] for r in resources.values())
    for resource_type, count in (spec.get("counts") or {}).items():
        if counted.get(resource_type, 0) != count:
            failures.append(f"count of {resource_type}: expected {count}, planned {counted.get(resource_type, 0)}")

    for resource_type, subset in (spec.get("every") or {}).items():
        of_type = [r for r in resources.values() if r["type"] == resource_type]
        if not of_type:
            failures.append(f"every {resource_type}: none planned")
        for resource in of_type:
            failures += match(subset, resource.get("values", {}), unknowns.get(resource["address"]), resource["address"])

    for address, subset in (spec.get("resources") or {}).items():
        if address not in resources:
            failures.append(f"{address}: not planned (planned: {len(resources)} resources)")
            continue
        failures += match(subset, resources[address].get("values", {}), unknowns.get(address), address)

    for address, subset in (spec.get("data") or {}).items():
        if address not in reads:
            failures.append(f"{address}: no planned read of this data source (it was fully known at plan time or does not exist)")
            continue
        failures += match(subset, reads[address]["values"], reads[address]["unknown"], address)

    return failures
