"""SG-AUD-002: EXPRESS state machines log at level ALL (their only audit trail)."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from sg_values import block, first, is_unresolved_scalar


class ExpressLogging(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="EXPRESS state machines log at level ALL",
            id="SG-AUD-002",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_sfn_state_machine"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        kind = first(conf, "type", "STANDARD")
        if is_unresolved_scalar(kind):
            return CheckResult.UNKNOWN
        if str(kind).upper() != "EXPRESS":
            return CheckResult.PASSED
        level = block(conf, "logging_configuration").get("level")
        level = level[0] if isinstance(level, list) and level else level
        if is_unresolved_scalar(level):
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if str(level).upper() == "ALL" else CheckResult.FAILED


check = ExpressLogging()
