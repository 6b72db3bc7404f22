"""The Finding type shared by the engine rules, the checkov bridge and the report writers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum

from stepgate.errors import StepgateError


class Severity(IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls)
            raise StepgateError(f"unknown severity {text!r} (expected one of: {names})") from None


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: Severity
    title: str
    address: str
    message: str
    source: str = "stepgate"  # "stepgate" (engine) or "checkov" (policies/ run through checkov)
    suppressed: str | None = None  # the reason given, when a suppression matched

    @property
    def key(self) -> tuple[str, str]:
        """Identity used for de-duplication and baselines: the same rule on the same resource."""
        return (self.rule_id, self.address)

    def with_suppression(self, reason: str) -> "Finding":
        return replace(self, suppressed=reason)

    def to_dict(self) -> dict[str, str | None]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.name.lower(),
            "title": self.title,
            "address": self.address,
            "message": self.message,
            "source": self.source,
            "suppressed": self.suppressed,
        }
