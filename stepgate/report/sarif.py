"""SARIF 2.1.0 for code-scanning UIs: the resource as a logical location, and its file:line as a physical one
where the configuration's HCL gives it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from stepgate import __version__
from stepgate.findings import Finding, Severity

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note", Severity.INFO: "note"}


def _location(f: Finding) -> dict[str, Any]:
    location: dict[str, Any] = {"logicalLocations": [{"fullyQualifiedName": f.address, "kind": "resource"}]}
    if f.location is not None:
        location["physicalLocation"] = {"artifactLocation": {"uri": f.location.file, "uriBaseId": "%SRCROOT%"},
                                        "region": {"startLine": f.location.line}}
    return location


def render(findings: Sequence[Finding]) -> str:
    rules: dict[str, dict[str, Any]] = {}
    for f in findings:
        rules.setdefault(f.rule_id, {
            "id": f.rule_id,
            "name": f.rule_id.replace("-", ""),
            "shortDescription": {"text": f.title},
            "help": {"text": f"stepgate explain {f.rule_id}"},
            "defaultConfiguration": {"level": _LEVEL[f.severity]},
            "properties": {"security-severity": {4: "9.0", 3: "7.5", 2: "5.0", 1: "3.0", 0: "1.0"}[int(f.severity)]},
        })
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.rule_id,
            "ruleIndex": list(rules).index(f.rule_id),
            "level": _LEVEL[f.severity],
            "message": {"text": f"{f.address}: {f.message}"},
            "locations": [_location(f)],
            "properties": {"source": f.source, "severity": f.severity.name.lower()},
        }
        if f.suppressed is not None:
            result["suppressions"] = [{"kind": "external", "justification": f.suppressed}]
        results.append(result)
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "stepgate", "version": __version__, "rules": list(rules.values())}}, "results": results}],
    }
    return json.dumps(document, indent=2) + "\n"
