"""SG-API-005: the Authorization header is never mapped into Step Functions execution input."""

from __future__ import annotations

import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from sg_values import as_text, first, mapping_values

_LEAKS = re.compile(
    r"params\(\s*['\"]authorization['\"]\s*\)"  # $input.params('Authorization')
    r"|header\.authorization"  # $input.params().header.Authorization, $request.header.Authorization
    r"|get\(\s*['\"]authorization['\"]"  # $input.params().header.get('Authorization')
    r"|params\(\s*\)\.header(?![.\w])"  # the whole header map
    r"|params\(\s*\)\.get\(\s*['\"]header['\"]\s*\)(?![.\w])"
    r"|params\(\s*\)(?![.\w])",  # every parameter, headers included
    re.IGNORECASE,
)


class AuthorizationHeader(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="The Authorization header never reaches execution input",
            id="SG-API-005",
            categories=[CheckCategories.SECRETS],
            supported_resources=["aws_api_gateway_integration", "aws_apigatewayv2_integration"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if self.entity_type == "aws_api_gateway_integration":
            if "states:action/" not in as_text(first(conf, "uri", "")):
                return CheckResult.PASSED
            texts = mapping_values(conf.get("request_templates"))
        else:
            if not str(first(conf, "integration_subtype", "")).startswith("StepFunctions-"):
                return CheckResult.PASSED
            texts = mapping_values(conf.get("request_parameters"))
        return CheckResult.FAILED if any(_LEAKS.search(t) for t in texts) else CheckResult.PASSED


check = AuthorizationHeader()
