"""SG-API-006: StartExecution integrations pass a deterministic execution name."""

from __future__ import annotations

import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from sg_values import as_text, first, is_unresolved, mapping_get, mapping_values

_NAME_KEY = re.compile(r"(\\?[\"'])name\1\s*:", re.IGNORECASE)


class ExecutionName(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="StartExecution integrations set a deterministic execution name",
            id="SG-API-006",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_api_gateway_integration", "aws_apigatewayv2_integration"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if self.entity_type == "aws_api_gateway_integration":
            if "states:action/StartExecution" not in as_text(first(conf, "uri", "")):
                return CheckResult.PASSED
            if is_unresolved(first(conf, "request_templates")):
                return CheckResult.UNKNOWN
            texts = mapping_values(conf.get("request_templates"))
            if any(is_unresolved(t) and not _NAME_KEY.search(t) for t in texts):
                return CheckResult.UNKNOWN
            return CheckResult.PASSED if texts and all(_NAME_KEY.search(t) for t in texts) else CheckResult.FAILED
        if first(conf, "integration_subtype") != "StepFunctions-StartExecution":
            return CheckResult.PASSED
        if is_unresolved(first(conf, "request_parameters")):
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if mapping_get(conf.get("request_parameters"), "Name") else CheckResult.FAILED


check = ExecutionName()
