"""Finding, Severity and Location: what every rule produces and every report writer consumes."""

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
class Location:
    """Where a finding's resource is written: a file (relative to the checked directory) and a 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: Severity
    title: str
    address: str
    message: str
    source: str = "stepgate"  # "stepgate" (engine) or "checkov" (checkov's own built-in checks)
    suppressed: str | None = None  # the reason given, when a suppression matched
    location: Location | None = None

    @property
    def key(self) -> tuple[str, str]:
        """Identity used for de-duplication and baselines: the same rule on the same resource."""
        return (self.rule_id, self.address)

    def with_suppression(self, reason: str) -> "Finding":
        return replace(self, suppressed=reason)

    def located(self, location: Location | None) -> "Finding":
        return replace(self, location=location) if location is not None else self

    def to_dict(self) -> dict[str, object]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.name.lower(),
            "title": self.title,
            "address": self.address,
            "message": self.message,
            "source": self.source,
            "suppressed": self.suppressed,
            "file": self.location.file if self.location else None,
            "line": self.location.line if self.location else None,
        }
