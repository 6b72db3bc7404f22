# Rules that tie several variables together are checked here, before anything is planned.
data "aws_partition" "current" {
  lifecycle {
    precondition {
      condition     = var.api_type == "HTTP" || var.authorization.type != "JWT"
      error_message = "JWT authorization is only available with api_type = \"HTTP\" (REST APIs use COGNITO_USER_POOLS)."
    }
    precondition {
      condition     = var.api_type == "REST" || var.authorization.type != "COGNITO_USER_POOLS"
      error_message = "COGNITO_USER_POOLS authorization is only available with api_type = \"REST\" (HTTP APIs use JWT with the user pool as issuer)."
    }
    precondition {
      condition     = var.api_type == "REST" || alltrue([for wf in values(var.workflows) : wf.request_schema == null])
      error_message = "request_schema needs api_type = \"REST\": HTTP APIs cannot validate request bodies."
    }
    precondition {
      condition     = var.api_type == "REST" || (var.api.resource_policy == null && var.api.endpoint_type == "REGIONAL")
      error_message = "resource_policy and PRIVATE endpoints are REST features."
    }
    # A REST API resource per path segment, created level by level (modules/rest-api builds five levels).
    precondition {
      condition     = var.api_type == "HTTP" || alltrue([for wf in values(var.workflows) : length(split("/", trimprefix(split(" ", wf.route)[1], "/"))) <= 5])
      error_message = "REST route paths may have at most 5 segments."
    }
    # Callback routes answer task tokens through API Gateway's AWS integration with Step Functions, which
    # HTTP APIs lack (they have no SendTaskSuccess / SendTaskFailure integration subtype).
    precondition {
      condition     = !var.approvals.enabled || var.api_type == "REST"
      error_message = "approvals need api_type = \"REST\": HTTP APIs have no SendTaskSuccess / SendTaskFailure integration."
    }
    precondition {
      condition     = !var.approvals.enabled || var.authorization.type != "NONE"
      error_message = "approvals need authenticated callers: the callback routes decide executions, so authorization.type cannot be NONE."
    }
    precondition {
      condition     = !var.approvals.enabled || length(local.standard_keys) > 0
      error_message = "approvals need at least one STANDARD workflow: EXPRESS workflows cannot wait for a task token."
    }
    precondition {
      condition     = length(var.approvals.reviewer_scopes) == 0 || var.authorization.type == "COGNITO_USER_POOLS"
      error_message = "approvals.reviewer_scopes need authorization.type = \"COGNITO_USER_POOLS\" (scopes are what the user pool authorizer checks)."
    }
    precondition {
      condition     = length(var.approvals.reviewer_principal_arns) == 0 || var.authorization.type == "AWS_IAM"
      error_message = "approvals.reviewer_principal_arns need authorization.type = \"AWS_IAM\" (the resource policy matches signed callers' aws:PrincipalArn)."
    }
    precondition {
      condition     = !var.approvals.enabled || length(setintersection([for wf in values(var.workflows) : wf.route], values(local.approval_route_keys))) == 0
      error_message = "approvals.path collides with a workflow route: POST <path>/approve and POST <path>/reject must stay free."
    }
  }
}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  arn_context = {
    partition  = data.aws_partition.current.partition
    region     = data.aws_region.current.region
    account_id = data.aws_caller_identity.current.account_id
  }

  tags = merge(var.tags, {
    "stepgate:module"  = var.name
    "stepgate:version" = var.version_label
  })

  alias_name = "live"

  state_machine_names = { for key in keys(var.workflows) : key => "${var.name}-${key}" }

  standard_keys = sort([for key, wf in var.workflows : key if wf.type == "STANDARD"])

  log_kms_key_arn = var.logging.kms_key_arn != null ? var.logging.kms_key_arn : one(aws_kms_key.logs[*].arn)

  approval_route_keys = { for action in ["approve", "reject"] : action => "POST ${var.approvals.path}/${action}" }

  routes = {
    for key, wf in var.workflows : key => {
      method            = split(" ", wf.route)[0]
      path              = split(" ", wf.route)[1]
      state_machine_arn = module.state_machine[key].invocation_arn
      sync              = wf.invocation == "sync"
      request_schema    = wf.request_schema
    }
  }

  # Every log group this module creates, for the KMS key policy's encryption-context condition.
  log_group_arn_patterns = [
    for name in [
      "/aws/vendedlogs/states/${var.name}-*",
      "/aws/apigateway/${var.name}/*",
      "/aws/events/${var.name}/*",
      "API-Gateway-Execution-Logs_*",
    ] : "arn:${local.arn_context.partition}:logs:${local.arn_context.region}:${local.arn_context.account_id}:log-group:${name}"
  ]
}

data "aws_iam_policy_document" "log_key" {
  count = var.logging.kms_key_arn == null && var.logging.create_kms_key ? 1 : 0

  # Key administration stays with the account (IAM decides who); without it the key becomes unmanageable.
  # In a key policy "*" as the resource means this key only.
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
      identifiers = ["arn:${local.arn_context.partition}:iam::${local.arn_context.account_id}:root"]
    }
  }

  statement {
    sid    = "CloudWatchLogsEncryptsThisModulesLogGroups"
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
      identifiers = ["logs.${local.arn_context.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = local.log_group_arn_patterns
    }
  }
}

resource "aws_kms_key" "logs" {
  count = var.logging.kms_key_arn == null && var.logging.create_kms_key ? 1 : 0

  description             = "Encrypts the log groups of ${var.name} (state machines, API access/execution, audit)"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy                  = data.aws_iam_policy_document.log_key[0].json
  tags                    = local.tags
}

resource "aws_kms_alias" "logs" {
  count = var.logging.kms_key_arn == null && var.logging.create_kms_key ? 1 : 0

  name          = "alias/${var.name}-logs"
  target_key_id = aws_kms_key.logs[0].key_id
}

module "state_machine" {
  source   = "./modules/state-machine"
  for_each = var.workflows

  name        = local.state_machine_names[each.key]
  arn_context = local.arn_context
  definition  = each.value.definition
  type        = each.value.type

  logging = {
    level                  = each.value.logging_level
    include_execution_data = each.value.include_execution_data
    retention_in_days      = var.logging.retention_in_days
    kms_key_arn            = local.log_kms_key_arn
  }

  tracing_enabled        = each.value.tracing
  publish                = each.value.publish
  alias_name             = local.alias_name
  encryption_kms_key_arn = each.value.kms_key_arn
  integrations           = each.value.integrations
  tags                   = merge(local.tags, { "stepgate:workflow" = each.key })
}

module "rest_api" {
  source = "./modules/rest-api"
  count  = var.api_type == "REST" ? 1 : 0

  name          = var.name
  arn_context   = local.arn_context
  version_label = var.version_label
  stage_name    = var.api.stage_name
  routes        = local.routes

  authorization = {
    type                   = var.authorization.type
    cognito_user_pool_arns = var.authorization.cognito_user_pool_arns
    authorization_scopes   = var.authorization.authorization_scopes
  }

  throttling              = var.api.throttling
  xray_tracing_enabled    = var.api.xray_tracing
  execution_logging_level = var.api.execution_logging_level

  logging = {
    retention_in_days = var.logging.retention_in_days
    kms_key_arn       = local.log_kms_key_arn
    access_log_format = var.logging.access_log_format
  }

  endpoint = {
    type             = var.api.endpoint_type
    vpc_endpoint_ids = var.api.vpc_endpoint_ids
  }

  resource_policy = var.api.resource_policy

  # Callback routes: the API's own authorizer, with the reviewer scopes in place of the route scopes when
  # given; for AWS_IAM the resource policy denies them to everyone but the reviewer principals when given.
  approvals = !var.approvals.enabled ? null : {
    path                    = var.approvals.path
    authorization_scopes    = length(var.approvals.reviewer_scopes) > 0 ? var.approvals.reviewer_scopes : var.authorization.authorization_scopes
    reviewer_principal_arns = var.approvals.reviewer_principal_arns
  }

  tags = local.tags
}

module "http_api" {
  source = "./modules/http-api"
  count  = var.api_type == "HTTP" ? 1 : 0

  name          = var.name
  arn_context   = local.arn_context
  version_label = var.version_label
  routes        = { for key, route in local.routes : key => { method = route.method, path = route.path, state_machine_arn = route.state_machine_arn, sync = route.sync } }

  authorization = {
    type                 = var.authorization.type
    jwt                  = var.authorization.jwt
    authorization_scopes = var.authorization.authorization_scopes
  }

  throttling = var.api.throttling

  logging = {
    retention_in_days = var.logging.retention_in_days
    kms_key_arn       = local.log_kms_key_arn
    access_log_format = var.logging.access_log_format
  }

  tags = local.tags
}

module "audit_stream" {
  source = "./modules/audit-stream"
  count  = var.audit.enabled && length(local.standard_keys) > 0 ? 1 : 0

  name               = var.name
  arn_context        = local.arn_context
  state_machine_arns = [for key in local.standard_keys : module.state_machine[key].arn]
  retention_in_days  = var.logging.retention_in_days
  kms_key_arn        = local.log_kms_key_arn
  extra_targets      = var.audit.extra_targets
  tags               = local.tags
}
