locals {
  async_arns = sort(distinct([for route in values(var.routes) : route.state_machine_arn if !route.sync]))
  sync_arns  = sort(distinct([for route in values(var.routes) : route.state_machine_arn if route.sync]))
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "ApiGatewayForThisApiOnly"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [var.source_arn_pattern]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  description          = "Lets one API Gateway API start exactly its routed state machines"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "start" {
  dynamic "statement" {
    for_each = length(local.async_arns) > 0 ? [1] : []
    content {
      sid       = "StartAsyncRoutes"
      effect    = "Allow"
      actions   = ["states:StartExecution"]
      resources = local.async_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.sync_arns) > 0 ? [1] : []
    content {
      sid       = "StartSyncRoutes"
      effect    = "Allow"
      actions   = ["states:StartSyncExecution"]
      resources = local.sync_arns
    }
  }
}

resource "aws_iam_role_policy" "start" {
  name   = "start-routed-state-machines"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.start.json
}

# Callback routes (approvals) answer task tokens with a role of their own, trusted the same way: for this
# API only. The start role above stays unchanged.
resource "aws_iam_role" "callback" {
  count = var.callback_role_name == null ? 0 : 1

  name                 = var.callback_role_name
  description          = "Lets one API Gateway API answer Step Functions task tokens (approve / reject)"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "callback" {
  count = var.callback_role_name == null ? 0 : 1

  # Exactly what the callback routes call (approve: SendTaskSuccess, reject: SendTaskFailure). These
  # actions support no resource-level permissions: AWS only grants them on "*". The task token is the only
  # scope: a caller can answer only a task whose token it holds, and only while that task waits.
  statement {
    sid       = "AnswerTaskTokens"
    effect    = "Allow"
    actions   = ["states:SendTaskFailure", "states:SendTaskSuccess"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "callback" {
  count = var.callback_role_name == null ? 0 : 1

  name   = "answer-task-tokens"
  role   = aws_iam_role.callback[0].id
  policy = data.aws_iam_policy_document.callback[0].json
}
