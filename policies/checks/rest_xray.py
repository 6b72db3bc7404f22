"""SG-API-003: REST API stages have X-Ray tracing enabled."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from sg_values import first, is_unresolved_scalar


class RestXray(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="REST stages have X-Ray tracing on",
            id="SG-API-003",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_api_gateway_stage"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        value = first(conf, "xray_tracing_enabled", False)
        if is_unresolved_scalar(value):
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if value is True or str(value).lower() == "true" else CheckResult.FAILED


check = RestXray()
