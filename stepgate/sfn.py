"""Step Functions facts the rules and the e2e harness share, written once."""

from __future__ import annotations

# How an execution can end; the audit stream records exactly these (RUNNING would add a second,
# unfinished record per execution).
TERMINAL_STATUSES: tuple[str, ...] = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
STATUS_CHANGE_EVENT = "Step Functions Execution Status Change"

# What a state machine's role needs for logging at any level but OFF (vended log delivery) and for
# X-Ray tracing. These actions support no resource-level permissions: AWS grants them only on "*".
LOG_DELIVERY_ACTIONS: tuple[str, ...] = (
    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
)
XRAY_ACTIONS: tuple[str, ...] = (
    "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
)
