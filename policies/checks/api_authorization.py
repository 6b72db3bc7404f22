"""SG-API-001: every API Gateway method and route requires authorization (OPTIONS preflight exempt)."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from sg_values import first, is_unresolved_scalar


class ApiAuthorization(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Every method and route requires authorization",
            id="SG-API-001",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_api_gateway_method", "aws_apigatewayv2_route"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if self.entity_type == "aws_api_gateway_method":
            if str(first(conf, "http_method", "")).upper() == "OPTIONS":
                return CheckResult.PASSED  # CORS preflight carries no credentials by design
            value = first(conf, "authorization")
        else:
            if str(first(conf, "route_key", "")).upper().startswith("OPTIONS "):
                return CheckResult.PASSED
            value = first(conf, "authorization_type", "NONE")
        if is_unresolved_scalar(value):
            return CheckResult.UNKNOWN
        return CheckResult.FAILED if value is None or str(value).upper() == "NONE" else CheckResult.PASSED


check = ApiAuthorization()
