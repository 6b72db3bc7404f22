locals {
  ctx = var.arn_context

  # Built from partition/region/account/name rather than read from the resource, so the ARN is known at
  # plan time and every policy that names it can be analysed before apply.
  arn             = "arn:${local.ctx.partition}:states:${local.ctx.region}:${local.ctx.account_id}:stateMachine:${var.name}"
  alias_arn       = "${local.arn}:${var.alias_name}"
  log_group_name  = "/aws/vendedlogs/states/${var.name}"
  log_group_arn   = "arn:${local.ctx.partition}:logs:${local.ctx.region}:${local.ctx.account_id}:log-group:${local.log_group_name}"
  events_rule_arn = "arn:${local.ctx.partition}:events:${local.ctx.region}:${local.ctx.account_id}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"

  i = var.integrations

  # Executions of nested state machines, for the .sync pattern's Describe/Stop calls.
  nested_execution_arns = [
    for arn in local.i.state_machine_sync_arns :
    "${replace(arn, ":stateMachine:", ":execution:")}:*"
  ]
  lambda_resources = flatten([for arn in local.i.lambda_function_arns : [arn, "${arn}:*"]])
  kms_key_arns     = distinct(compact(concat(local.i.kms_key_arns, [var.encryption_kms_key_arn])))

  # ECS: a family ARN stands for every revision of the family, a revision ARN for itself only.
  ecs                  = local.i.ecs
  ecs_sync             = local.ecs == null ? false : local.ecs.sync
  ecs_cluster_arns     = local.ecs == null ? [] : sort(distinct(local.ecs.cluster_arns))
  ecs_pass_role_arns   = local.ecs == null ? [] : local.ecs.pass_role_arns
  ecs_task_definitions = local.ecs == null ? [] : [for arn in local.ecs.task_definition_arns : can(regex(":[0-9]+$", arn)) ? arn : "${arn}:*"]
  # .sync describes and, on abort, stops the tasks it started: the tasks of exactly the declared clusters
  # (RunTask without a Cluster parameter runs on the cluster named "default").
  ecs_sync_task_arns = !local.ecs_sync ? [] : (
    length(local.ecs_cluster_arns) > 0
    ? [for arn in local.ecs_cluster_arns : "${replace(arn, ":cluster/", ":task/")}/*"]
    : ["arn:${local.ctx.partition}:ecs:${local.ctx.region}:${local.ctx.account_id}:task/default/*"]
  )
  ecs_events_rule_arn = "arn:${local.ctx.partition}:events:${local.ctx.region}:${local.ctx.account_id}:rule/StepFunctionsGetEventsForECSTaskRule"

  # Exactly the actions each Task integration calls, on exactly the declared ARNs. An entry may carry
  # conditions ({test, variable, values}); an entry without resources emits no statement.
  integration_statements = [
    { sid = "SqsSendMessage", actions = ["sqs:SendMessage"], resources = local.i.sqs_queue_arns },
    { sid = "SnsPublish", actions = ["sns:Publish"], resources = local.i.sns_topic_arns },
    { sid = "DynamoDbItems", actions = sort(local.i.dynamodb_actions), resources = local.i.dynamodb_table_arns },
    { sid = "LambdaInvoke", actions = ["lambda:InvokeFunction"], resources = local.lambda_resources },
    { sid = "EventBridgePutEvents", actions = ["events:PutEvents"], resources = local.i.event_bus_arns },
    {
      sid       = "StartNestedExecutions"
      actions   = ["states:StartExecution"]
      resources = distinct(concat(local.i.state_machine_arns, local.i.state_machine_sync_arns))
    },
    # The .sync integration pattern polls and, on abort, stops the nested execution, and relies on a
    # managed EventBridge rule for completion events.
    {
      sid       = "TrackNestedSyncExecutions"
      actions   = ["states:DescribeExecution", "states:StopExecution"]
      resources = local.nested_execution_arns
    },
    {
      sid       = "ManagedRuleForNestedSyncExecutions"
      actions   = ["events:DescribeRule", "events:PutRule", "events:PutTargets"]
      resources = length(local.i.state_machine_sync_arns) > 0 ? [local.events_rule_arn] : []
    },
    { sid = "KmsForEncryptedData", actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = local.kms_key_arns },
    {
      sid       = "EcsRunTask"
      actions   = ["ecs:RunTask"]
      resources = local.ecs_task_definitions
      # Only on the declared clusters, when clusters are declared.
      conditions = length(local.ecs_cluster_arns) > 0 ? [{ test = "ArnEquals", variable = "ecs:cluster", values = local.ecs_cluster_arns }] : []
    },
    # The .sync pattern polls and, on abort, stops the task, and relies on a managed EventBridge rule for
    # its completion events.
    { sid = "TrackEcsSyncTasks", actions = ["ecs:DescribeTasks", "ecs:StopTask"], resources = local.ecs_sync_task_arns },
    {
      sid       = "ManagedRuleForEcsSyncTasks"
      actions   = ["events:DescribeRule", "events:PutRule", "events:PutTargets"]
      resources = local.ecs_sync ? [local.ecs_events_rule_arn] : []
    },
    # RunTask hands the task role and task execution role to ECS: exactly the declared roles, and only to
    # ECS tasks. No role declared, no PassRole statement.
    {
      sid        = "PassTaskRolesToEcs"
      actions    = ["iam:PassRole"]
      resources  = local.ecs_pass_role_arns
      conditions = [{ test = "StringEquals", variable = "iam:PassedToService", values = ["ecs-tasks.amazonaws.com"] }]
    },
  ]

  # What the policy gets: only the kinds the workflow declares, resources sorted, conditions spelled out.
  execution_integration_statements = [
    for s in local.integration_statements : {
      sid        = s.sid
      actions    = s.actions
      resources  = sort(s.resources)
      conditions = lookup(s, "conditions", [])
    } if length(s.resources) > 0
  ]
}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.logging.retention_in_days
  kms_key_id        = var.logging.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "StepFunctionsForThisStateMachineOnly"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.ctx.account_id]
    }

    # The state machine itself and its versions/aliases (name:N, name:alias).
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.arn, "${local.arn}:*"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name                 = "${var.name}-exec"
  description          = "Execution role of Step Functions state machine ${var.name}"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

data "aws_iam_policy_document" "execution" {
  # Log delivery and X-Ray actions have no resource-level permissions: AWS only grants them on "*".
  # This is the one wildcard resource the module emits.
  statement {
    sid    = "VendedLogDelivery"
    effect = "Allow"
    actions = [
      "logs:CreateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:DescribeLogGroups",
      "logs:DescribeResourcePolicies",
      "logs:GetLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:UpdateLogDelivery",
    ]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = var.tracing_enabled ? [1] : []
    content {
      sid    = "XRayTracing"
      effect = "Allow"
      actions = [
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
      ]
      resources = ["*"]
    }
  }

  # One statement per integration kind the workflow declares; a kind left empty emits nothing.
  dynamic "statement" {
    for_each = local.execution_integration_statements
    content {
      sid       = statement.value.sid
      effect    = "Allow"
      actions   = statement.value.actions
      resources = statement.value.resources

      dynamic "condition" {
        for_each = statement.value.conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "least-privilege"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_sfn_state_machine" "this" {
  name       = var.name
  role_arn   = aws_iam_role.execution.arn
  definition = var.definition
  type       = var.type
  publish    = var.publish

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.this.arn}:*"
    include_execution_data = var.logging.include_execution_data
    level                  = var.logging.level
  }

  tracing_configuration {
    enabled = var.tracing_enabled
  }

  dynamic "encryption_configuration" {
    for_each = var.encryption_kms_key_arn == null ? [] : [var.encryption_kms_key_arn]
    content {
      type                              = "CUSTOMER_MANAGED_KMS_KEY"
      kms_key_id                        = encryption_configuration.value
      kms_data_key_reuse_period_seconds = 300
    }
  }

  tags = var.tags

  # The role must be able to deliver logs before the state machine is created, or creation fails.
  depends_on = [aws_iam_role_policy.execution]
}

resource "aws_sfn_alias" "this" {
  count = var.publish ? 1 : 0

  name        = var.alias_name
  description = "Latest published version of ${var.name}"

  routing_configuration {
    state_machine_version_arn = aws_sfn_state_machine.this.state_machine_version_arn
    weight                    = 100
  }
}
