data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region
  partition  = data.aws_partition.current.partition
  tags       = { "stepgate:example" = "ecs-task" }

  cluster_name             = "${var.name}-reports"
  family                   = "${var.name}-report"
  container_name           = "report"
  task_role_name           = "${var.name}-report-task"
  task_execution_role_name = "${var.name}-report-task-exec"
  log_group_name           = "/ecs/${var.name}/report"

  # Literal ARNs, so the workflow definition and every IAM policy are fully known at plan time. The
  # family ARN (no revision) runs the latest ACTIVE revision; the module grants ecs:RunTask on FAMILY:*.
  cluster_arn             = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:cluster/${local.cluster_name}"
  task_definition_arn     = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:task-definition/${local.family}"
  task_role_arn           = "arn:${local.partition}:iam::${local.account_id}:role/${local.task_role_name}"
  task_execution_role_arn = "arn:${local.partition}:iam::${local.account_id}:role/${local.task_execution_role_name}"
  log_group_arn           = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"
  image_repository_arn    = "arn:${local.partition}:ecr:${local.region}:${local.account_id}:repository/${var.image_repository}"
  image                   = "${local.account_id}.dkr.ecr.${local.region}.${data.aws_partition.current.dns_suffix}/${var.image_repository}:${var.image_tag}"
  ecs_trust_source_arn    = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"
  account_root_arn        = "arn:${local.partition}:iam::${local.account_id}:root"

  # Runs the report as a Fargate task and waits for it to stop (.sync). The request body reaches the
  # container as the REPORT_REQUEST environment variable, the request id as REQUEST_ID.
  definition = jsonencode({
    Comment = "Run a report as an ECS Fargate task and wait for it to finish"
    StartAt = "RunReport"
    States = {
      RunReport = {
        Type     = "Task"
        Resource = "arn:aws:states:::ecs:runTask.sync"
        Parameters = {
          LaunchType     = "FARGATE"
          Cluster        = local.cluster_arn
          TaskDefinition = local.task_definition_arn
          NetworkConfiguration = {
            AwsvpcConfiguration = {
              Subnets        = var.subnet_ids
              SecurityGroups = var.security_group_ids
              AssignPublicIp = "DISABLED"
            }
          }
          Overrides = {
            ContainerOverrides = [{
              Name = local.container_name
              Environment = [
                { Name = "REPORT_REQUEST", "Value.$" = "States.JsonToString($.body)" },
                { Name = "REQUEST_ID", "Value.$" = "$.meta.requestId" },
              ]
            }]
          }
        }
        TimeoutSeconds = 3600
        ResultSelector = {
          "taskArn.$"    = "$.TaskArn"
          "lastStatus.$" = "$.LastStatus"
        }
        ResultPath = "$.task"
        Retry = [{
          ErrorEquals     = ["ECS.AmazonECSException", "States.TaskFailed"]
          IntervalSeconds = 10
          MaxAttempts     = 2
          BackoffRate     = 2
        }]
        Catch = [{
          ErrorEquals = ["States.ALL"]
          ResultPath  = "$.error"
          Next        = "ReportFailed"
        }]
        Next = "ReportDone"
      }
      ReportDone = {
        Type = "Succeed"
      }
      ReportFailed = {
        Type  = "Fail"
        Error = "ReportTaskFailed"
        Cause = "The report task failed after its retries"
      }
    }
  })

  request_schema = jsonencode({
    "$schema"            = "http://json-schema.org/draft-04/schema#"
    title                = "RunReportRequest"
    type                 = "object"
    required             = ["reportId"]
    additionalProperties = false
    properties = {
      reportId = { type = "string", pattern = "^[A-Za-z0-9_-]{1,64}$" }
      period   = { type = "string", pattern = "^[0-9]{4}-[0-9]{2}$" }
    }
  })
}

resource "aws_ecs_cluster" "reports" {
  name = local.cluster_name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = local.tags
}

# Both roles are assumed by ECS tasks only, and only for tasks of this account and region (confused deputy).
data "aws_iam_policy_document" "ecs_tasks_trust" {
  statement {
    sid     = "EcsTasksOfThisAccountOnly"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.ecs_trust_source_arn]
    }
  }
}

# The role the report's code runs with. This report touches no AWS API, so it has no policy at all.
resource "aws_iam_role" "task" {
  name                 = local.task_role_name
  description          = "Task role of the ${local.family} report task (no permissions)"
  assume_role_policy   = data.aws_iam_policy_document.ecs_tasks_trust.json
  max_session_duration = 3600
  tags                 = local.tags
}

# The role ECS uses to start the task: pull its image and write its own log group, nothing else.
resource "aws_iam_role" "task_execution" {
  name                 = local.task_execution_role_name
  description          = "Task execution role of the ${local.family} report task (image pull, its log group)"
  assume_role_policy   = data.aws_iam_policy_document.ecs_tasks_trust.json
  max_session_duration = 3600
  tags                 = local.tags
}

data "aws_iam_policy_document" "task_execution" {
  # ecr:GetAuthorizationToken has no resource-level permissions: AWS only grants it on "*". The token
  # alone reads nothing; what may be pulled is the next statement.
  statement {
    sid       = "EcrAuthorizationToken"
    effect    = "Allow"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullTheReportImage"
    effect    = "Allow"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [local.image_repository_arn]
  }

  statement {
    sid       = "WriteTheTaskLogGroup"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn}:log-stream:*"]
  }
}

# stepgate:ignore SG-IAM-002 ecr:GetAuthorizationToken supports no resource-level permissions; image pulls are scoped to one repository
resource "aws_iam_role_policy" "task_execution" {
  name   = "pull-image-write-logs"
  role   = aws_iam_role.task_execution.id
  policy = data.aws_iam_policy_document.task_execution.json
}

# The task's log group has its own key, usable by CloudWatch Logs for this log group only.
data "aws_iam_policy_document" "task_logs_key" {
  #checkov:skip=CKV_AWS_109:A key policy, not an identity policy: Resource "*" is this key, and key administration stays with the account root (IAM decides who).
  #checkov:skip=CKV_AWS_111:A key policy, not an identity policy: Resource "*" is this key; CloudWatch Logs may use it only for the task's log group (encryption-context condition).
  #checkov:skip=CKV_AWS_356:A key policy, not an identity policy: Resource "*" is this key and nothing else.
  # Key administration stays with the account (IAM decides who). In a key policy "*" means this key.
  statement {
    sid    = "AccountAdministersKey"
    effect = "Allow"
    actions = [
      "kms:CancelKeyDeletion",
      "kms:CreateAlias",
      "kms:DeleteAlias",
      "kms:DescribeKey",
      "kms:DisableKey",
      "kms:DisableKeyRotation",
      "kms:EnableKey",
      "kms:EnableKeyRotation",
      "kms:GetKeyPolicy",
      "kms:GetKeyRotationStatus",
      "kms:ListResourceTags",
      "kms:PutKeyPolicy",
      "kms:ScheduleKeyDeletion",
      "kms:TagResource",
      "kms:UntagResource",
      "kms:UpdateKeyDescription",
    ]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [local.account_root_arn]
    }
  }

  statement {
    sid    = "CloudWatchLogsEncryptsTheTaskLogGroup"
    effect = "Allow"
    actions = [
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = [local.log_group_arn]
    }
  }
}

resource "aws_kms_key" "task_logs" {
  description             = "Encrypts the log group of the ${local.family} report task"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy                  = data.aws_iam_policy_document.task_logs_key.json
  tags                    = local.tags
}

resource "aws_cloudwatch_log_group" "task" {
  name              = local.log_group_name
  retention_in_days = 365
  kms_key_id        = aws_kms_key.task_logs.arn
  tags              = local.tags
}

resource "aws_ecs_task_definition" "report" {
  family                   = local.family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  task_role_arn            = local.task_role_arn
  execution_role_arn       = local.task_execution_role_arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([{
    name                   = local.container_name
    image                  = local.image
    essential              = true
    readonlyRootFilesystem = true
    user                   = "1000:1000"
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = local.log_group_name
        awslogs-region        = local.region
        awslogs-stream-prefix = local.container_name
      }
    }
  }])

  tags = local.tags

  # The roles and the log group are named literally above (so the plan is fully known); they must exist
  # before the first task starts.
  depends_on = [aws_iam_role.task, aws_iam_role_policy.task_execution, aws_cloudwatch_log_group.task]
}

module "stepgate" {
  source = "../.."

  name          = var.name
  version_label = var.version_label
  tags          = local.tags

  api = {
    stage_name              = "v1"
    xray_tracing            = true
    execution_logging_level = "INFO"
  }

  workflows = {
    run-report = {
      route          = "POST /runReport"
      definition     = local.definition
      type           = "STANDARD"
      invocation     = "async"
      request_schema = local.request_schema
      # The secure defaults, spelled out so static scanners that cannot evaluate optional() see them.
      logging_level          = "ALL"
      include_execution_data = true
      tracing                = true
      integrations = {
        ecs = {
          task_definition_arns = [local.task_definition_arn]
          cluster_arns         = [local.cluster_arn]
          pass_role_arns       = [local.task_role_arn, local.task_execution_role_arn]
          sync                 = true
        }
      }
    }
  }
}
