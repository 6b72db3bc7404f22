locals {
  ctx            = var.arn_context
  rule_name      = "${var.name}-execution-audit"
  rule_arn       = "arn:${local.ctx.partition}:events:${local.ctx.region}:${local.ctx.account_id}:rule/${local.rule_name}"
  log_group_name = "/aws/events/${var.name}/executions"
  log_group_arn  = "arn:${local.ctx.partition}:logs:${local.ctx.region}:${local.ctx.account_id}:log-group:${local.log_group_name}"

  # Terminal statuses only: each finished execution yields exactly one audit record (RUNNING would add a
  # second, unfinished one).
  event_pattern = {
    source        = ["aws.states"]
    "detail-type" = ["Step Functions Execution Status Change"]
    detail = {
      status          = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]
      stateMachineArn = sort(var.state_machine_arns)
    }
  }
}

resource "aws_cloudwatch_log_group" "audit" {
  name              = local.log_group_name
  retention_in_days = var.retention_in_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

# EventBridge writes to CloudWatch Logs under a resource policy, not a role; scoped to this log group and
# to this rule.
data "aws_iam_policy_document" "delivery" {
  statement {
    sid       = "EventBridgeAuditDelivery"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:*"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com", "delivery.logs.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [local.rule_arn]
    }
  }
}

resource "aws_cloudwatch_log_resource_policy" "audit" {
  policy_name     = "${var.name}-execution-audit"
  policy_document = data.aws_iam_policy_document.delivery.json
}

resource "aws_cloudwatch_event_rule" "audit" {
  name          = local.rule_name
  description   = "Terminal status of every execution of ${var.name}'s STANDARD state machines"
  event_pattern = jsonencode(local.event_pattern)
  state         = "ENABLED"
  tags          = var.tags
}

resource "aws_cloudwatch_event_target" "audit_log" {
  rule      = aws_cloudwatch_event_rule.audit.name
  target_id = "audit-log-group"
  arn       = aws_cloudwatch_log_group.audit.arn

  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }

  depends_on = [aws_cloudwatch_log_resource_policy.audit]
}

resource "aws_cloudwatch_event_target" "extra" {
  for_each = var.extra_targets

  rule      = aws_cloudwatch_event_rule.audit.name
  target_id = each.key
  arn       = each.value.arn
  role_arn  = each.value.role_arn

  retry_policy {
    maximum_event_age_in_seconds = 86400
    maximum_retry_attempts       = 185
  }
}
