"""SG-AUD-003: API stages write JSON access logs with the request id, the caller identity and the status."""

from __future__ import annotations

import json
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from sg_values import as_text, block, is_unresolved_scalar

REQUEST_ID = ("$context.requestId", "$context.extendedRequestId")
CALLER = (
    "$context.identity.caller", "$context.identity.userArn", "$context.identity.user",
    "$context.identity.accountId", "$context.authorizer.principalId", "$context.authorizer.claims.sub",
    "$context.authorizer.jwt.claims.sub", "$context.authorizer.iam.userArn", "$context.authorizer.iam.callerId",
)
STATUS = ("$context.status",)


class AccessLogging(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="API access logs are JSON with request id, caller and status",
            id="SG-AUD-003",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_api_gateway_stage", "aws_apigatewayv2_stage"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        settings = block(conf, "access_log_settings")
        if not settings:
            return CheckResult.FAILED
        fmt = settings.get("format")
        fmt = fmt[0] if isinstance(fmt, list) and fmt else fmt
        if fmt is None:
            return CheckResult.FAILED
        if is_unresolved_scalar(fmt):
            return CheckResult.UNKNOWN
        text = as_text(fmt)
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            return CheckResult.FAILED  # CLF/XML formats cannot be queried field by field
        if not isinstance(parsed, dict):
            return CheckResult.FAILED
        values = " ".join(as_text(v) for v in parsed.values())
        wanted = (REQUEST_ID, CALLER, STATUS)
        return CheckResult.PASSED if all(any(v in values for v in group) for group in wanted) else CheckResult.FAILED


check = AccessLogging()
