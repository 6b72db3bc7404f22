"""Machine-readable JSON: the findings and counts per severity."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from stepgate.findings import Finding


def render(findings: Sequence[Finding]) -> str:
    active = [f for f in findings if f.suppressed is None]
    counts = Counter(f.severity.name.lower() for f in active)
    document = {
        "tool": "stepgate",
        "summary": {"findings": len(active), "suppressed": len(findings) - len(active), "by_severity": dict(sorted(counts.items()))},
        "findings": [f.to_dict() for f in findings],
    }
    return json.dumps(document, indent=2) + "\n"
