locals {
  ctx = var.arn_context

  segments = { for key, route in var.routes : key => split("/", trimprefix(route.path, "/")) }

  # Callback routes (approvals): POST <path>/approve -> SendTaskSuccess, POST <path>/reject -> SendTaskFailure.
  # The bodies' schemas are encoded here, per action, so their numbers stay numbers.
  task_token_schema = { type = "string", minLength = 1, maxLength = 1024 }
  callback_actions = var.approvals == null ? {} : {
    approve = {
      action     = "SendTaskSuccess"
      model_name = "StepgateApproveBody"
      template   = "send_task_success.vtl.tftpl"
      decision   = "approved"
      schema = jsonencode({
        "$schema"            = "http://json-schema.org/draft-04/schema#"
        title                = "StepgateApproveBody"
        type                 = "object"
        required             = ["taskToken"]
        additionalProperties = false
        properties = {
          taskToken = local.task_token_schema
          comment   = { type = "string", maxLength = 1024 }
        }
      })
    }
    reject = {
      action     = "SendTaskFailure"
      model_name = "StepgateRejectBody"
      template   = "send_task_failure.vtl.tftpl"
      decision   = "rejected"
      schema = jsonencode({
        "$schema"            = "http://json-schema.org/draft-04/schema#"
        title                = "StepgateRejectBody"
        type                 = "object"
        required             = ["taskToken", "reason"]
        additionalProperties = false
        properties = {
          taskToken = local.task_token_schema
          reason    = { type = "string", minLength = 1, maxLength = 1024 }
        }
      })
    }
  }

  # Who decided, from the authenticated request context (never from the body), as an escaped JSON object.
  reviewer = trimspace(templatefile("${path.module}/templates/reviewer.vtl.tftpl", { authorization = var.authorization.type }))

  callbacks = {
    for name, callback in local.callback_actions : name => merge(callback, {
      method           = "POST"
      path             = "${var.approvals.path}/${name}"
      resource_path    = trimprefix("${var.approvals.path}/${name}", "/")
      request_template = templatefile("${path.module}/templates/${callback.template}", { reviewer = local.reviewer })
      success_template = templatefile("${path.module}/templates/callback_response.vtl.tftpl", { decision = callback.decision })
    })
  }

  # Every path prefix becomes one API resource; resources are created level by level because each
  # level needs its parent's id.
  all_paths = distinct(flatten([
    for segs in concat(values(local.segments), [for c in values(local.callbacks) : split("/", c.resource_path)]) :
    [for depth in range(1, length(segs) + 1) : join("/", slice(segs, 0, depth))]
  ]))
  resources_at = [
    for depth in range(1, 6) : {
      for path in local.all_paths : path => {
        part   = element(split("/", path), depth - 1)
        parent = join("/", slice(split("/", path), 0, depth - 1))
      } if length(split("/", path)) == depth
    }
  ]

  resource_ids = merge(
    { for path, r in aws_api_gateway_resource.level1 : path => r.id },
    { for path, r in aws_api_gateway_resource.level2 : path => r.id },
    { for path, r in aws_api_gateway_resource.level3 : path => r.id },
    { for path, r in aws_api_gateway_resource.level4 : path => r.id },
    { for path, r in aws_api_gateway_resource.level5 : path => r.id },
  )

  default_schema = jsonencode({
    "$schema" = "http://json-schema.org/draft-04/schema#"
    title     = "AnyJsonObject"
    type      = "object"
  })

  routes = {
    for key, route in var.routes : key => merge(route, {
      resource_path   = join("/", local.segments[key])
      model_name      = "${join("", [for part in split("-", key) : title(part)])}Request"
      action          = route.sync ? "StartSyncExecution" : "StartExecution"
      schema          = coalesce(route.request_schema, local.default_schema)
      path_parameters = [for seg in local.segments[key] : trim(seg, "{}") if startswith(seg, "{")]
      request_template = templatefile("${path.module}/templates/start_execution.vtl.tftpl", {
        state_machine_arn = route.state_machine_arn
        path_parameters   = [for seg in local.segments[key] : trim(seg, "{}") if startswith(seg, "{")]
        route             = "${route.method} ${route.path}"
        authorization     = var.authorization.type
      })
      success_template = file("${path.module}/templates/${route.sync ? "sync" : "async"}_response.vtl")
    })
  }

  client_error_template   = file("${path.module}/templates/client_error_response.vtl")
  server_error_template   = file("${path.module}/templates/server_error_response.vtl")
  callback_error_template = file("${path.module}/templates/callback_error_response.vtl")

  # Status codes a method can answer with; 403/409/429/500 are set by the response templates.
  method_status_codes   = ["200", "400", "403", "409", "429", "500", "502"]
  callback_status_codes = ["200", "400", "403", "409", "429", "502"]

  reviewer_principal_arns = var.approvals == null ? [] : sort(var.approvals.reviewer_principal_arns)
  has_resource_policy     = var.resource_policy != null || length(local.reviewer_principal_arns) > 0

  gateway_responses = {
    DEFAULT_4XX = jsonencode({ error = "$context.error.responseType", message = "$context.error.message", requestId = "$context.requestId" })
    DEFAULT_5XX = jsonencode({ error = "$context.error.responseType", message = "$context.error.message", requestId = "$context.requestId" })
  }

  default_access_log_format = jsonencode({
    requestId          = "$context.requestId"
    extendedRequestId  = "$context.extendedRequestId"
    requestTime        = "$context.requestTime"
    httpMethod         = "$context.httpMethod"
    resourcePath       = "$context.resourcePath"
    path               = "$context.path"
    status             = "$context.status"
    protocol           = "$context.protocol"
    responseLength     = "$context.responseLength"
    responseLatency    = "$context.responseLatency"
    integrationLatency = "$context.integration.latency"
    integrationStatus  = "$context.integration.status"
    integrationError   = "$context.integration.error"
    errorType          = "$context.error.responseType"
    errorMessage       = "$context.error.message"
    sourceIp           = "$context.identity.sourceIp"
    userAgent          = "$context.identity.userAgent"
    caller             = "$context.identity.caller"
    user               = "$context.identity.user"
    userArn            = "$context.identity.userArn"
    accountId          = "$context.identity.accountId"
    principalId        = "$context.authorizer.principalId"
    stage              = "$context.stage"
    version            = "$stageVariables.version"
  })

  access_log_group_name    = "/aws/apigateway/${var.name}/access"
  execution_log_group_name = "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.this.id}/${var.stage_name}"

  # Callback routes only enter the deployment fingerprint when there are any, so an API without
  # approvals keeps its deployment.
  callback_fingerprint = {
    for key, value in {
      approvals      = var.approvals
      callback_error = local.callback_error_template
      callbacks = {
        for name, callback in local.callbacks : name => {
          path             = callback.path
          schema           = callback.schema
          request_template = callback.request_template
          success_template = callback.success_template
        }
      }
    } : key => value if var.approvals != null
  }

  # Anything routed or exposed: when it changes, a new deployment is created.
  deployment_fingerprint = sha1(jsonencode(merge(local.callback_fingerprint, {
    routes = {
      for key, route in local.routes : key => {
        method           = route.method
        path             = route.path
        action           = route.action
        schema           = route.schema
        request_template = route.request_template
        success_template = route.success_template
      }
    }
    authorization     = var.authorization
    client_error      = local.client_error_template
    server_error      = local.server_error_template
    gateway_responses = local.gateway_responses
    resource_policy   = var.resource_policy
    status_codes      = local.method_status_codes
  })))
}

resource "aws_api_gateway_rest_api" "this" {
  name        = var.name
  description = "Starts Step Functions workflows: ${join(", ", sort([for r in values(var.routes) : "${r.method} ${r.path}"]))}"

  endpoint_configuration {
    types            = [var.endpoint.type]
    vpc_endpoint_ids = var.endpoint.type == "PRIVATE" ? var.endpoint.vpc_endpoint_ids : null
  }

  tags = var.tags

  # Should the API ever be replaced, the new one is up before the old one goes (checkov CKV_AWS_237).
  lifecycle {
    create_before_destroy = true
  }
}

module "integration_role" {
  source = "../integration-role"

  name               = "${var.name}-apigw-start"
  account_id         = local.ctx.account_id
  source_arn_pattern = "${aws_api_gateway_rest_api.this.execution_arn}/*"
  routes             = { for key, route in var.routes : key => { state_machine_arn = route.state_machine_arn, sync = route.sync } }
  callback_role_name = var.approvals == null ? null : "${var.name}-apigw-callback"
  tags               = var.tags
}

resource "aws_api_gateway_resource" "level1" {
  for_each = local.resources_at[0]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level2" {
  for_each = local.resources_at[1]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level1[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level3" {
  for_each = local.resources_at[2]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level2[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level4" {
  for_each = local.resources_at[3]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level3[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_resource" "level5" {
  for_each = local.resources_at[4]

  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.level4[each.value.parent].id
  path_part   = each.value.part
}

resource "aws_api_gateway_request_validator" "this" {
  name                        = "body-and-parameters"
  rest_api_id                 = aws_api_gateway_rest_api.this.id
  validate_request_body       = true
  validate_request_parameters = true
}

resource "aws_api_gateway_model" "request" {
  for_each = local.routes

  rest_api_id  = aws_api_gateway_rest_api.this.id
  name         = each.value.model_name
  description  = "Request body of ${each.value.method} ${each.value.path}"
  content_type = "application/json"
  schema       = each.value.schema
}

resource "aws_api_gateway_authorizer" "cognito" {
  count = var.authorization.type == "COGNITO_USER_POOLS" ? 1 : 0

  name            = "${var.name}-cognito"
  rest_api_id     = aws_api_gateway_rest_api.this.id
  type            = "COGNITO_USER_POOLS"
  provider_arns   = var.authorization.cognito_user_pool_arns
  identity_source = "method.request.header.Authorization"
}

resource "aws_api_gateway_method" "route" {
  for_each = local.routes

  rest_api_id          = aws_api_gateway_rest_api.this.id
  resource_id          = local.resource_ids[each.value.resource_path]
  http_method          = each.value.method
  authorization        = var.authorization.type
  authorizer_id        = one(aws_api_gateway_authorizer.cognito[*].id)
  authorization_scopes = var.authorization.type == "COGNITO_USER_POOLS" && length(var.authorization.authorization_scopes) > 0 ? var.authorization.authorization_scopes : null
  request_validator_id = aws_api_gateway_request_validator.this.id
  request_models       = { "application/json" = aws_api_gateway_model.request[each.key].name }
  request_parameters = merge(
    { "method.request.header.Idempotency-Key" = false },
    { for param in each.value.path_parameters : "method.request.path.${param}" => true },
  )
}

resource "aws_api_gateway_integration" "route" {
  for_each = local.routes

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_method.route[each.key].resource_id
  http_method             = aws_api_gateway_method.route[each.key].http_method
  type                    = "AWS"
  integration_http_method = "POST"
  uri                     = "arn:${local.ctx.partition}:apigateway:${local.ctx.region}:states:action/${each.value.action}"
  credentials             = module.integration_role.arn
  passthrough_behavior    = "NEVER"
  timeout_milliseconds    = 29000
  request_templates       = { "application/json" = each.value.request_template }
}

resource "aws_api_gateway_method_response" "route" {
  for_each = { for pair in setproduct(keys(local.routes), local.method_status_codes) : "${pair[0]}:${pair[1]}" => { key = pair[0], status = pair[1] } }

  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = aws_api_gateway_method.route[each.value.key].resource_id
  http_method = aws_api_gateway_method.route[each.value.key].http_method
  status_code = each.value.status
}

resource "aws_api_gateway_integration_response" "success" {
  for_each = local.routes

  rest_api_id        = aws_api_gateway_rest_api.this.id
  resource_id        = aws_api_gateway_method.route[each.key].resource_id
  http_method        = aws_api_gateway_method.route[each.key].http_method
  status_code        = aws_api_gateway_method_response.route["${each.key}:200"].status_code
  response_templates = { "application/json" = each.value.success_template }

  depends_on = [aws_api_gateway_integration.route]
}

resource "aws_api_gateway_integration_response" "client_error" {
  for_each = local.routes

  rest_api_id        = aws_api_gateway_rest_api.this.id
  resource_id        = aws_api_gateway_method.route[each.key].resource_id
  http_method        = aws_api_gateway_method.route[each.key].http_method
  status_code        = aws_api_gateway_method_response.route["${each.key}:400"].status_code
  selection_pattern  = "4\\d{2}"
  response_templates = { "application/json" = local.client_error_template }

  depends_on = [aws_api_gateway_integration.route]
}

resource "aws_api_gateway_integration_response" "server_error" {
  for_each = local.routes

  rest_api_id        = aws_api_gateway_rest_api.this.id
  resource_id        = aws_api_gateway_method.route[each.key].resource_id
  http_method        = aws_api_gateway_method.route[each.key].http_method
  status_code        = aws_api_gateway_method_response.route["${each.key}:502"].status_code
  selection_pattern  = "5\\d{2}"
  response_templates = { "application/json" = local.server_error_template }

  depends_on = [aws_api_gateway_integration.route]
}

# Callback routes (approvals): the same authorization as the workflow routes (scopes may be the
# reviewers'), a request model, and an AWS integration that answers the task token with the callback role.
resource "aws_api_gateway_model" "callback" {
  for_each = local.callbacks

  rest_api_id  = aws_api_gateway_rest_api.this.id
  name         = each.value.model_name
  description  = "Request body of ${each.value.method} ${each.value.path}"
  content_type = "application/json"
  schema       = each.value.schema
}

resource "aws_api_gateway_method" "callback" {
  for_each = local.callbacks

  rest_api_id          = aws_api_gateway_rest_api.this.id
  resource_id          = local.resource_ids[each.value.resource_path]
  http_method          = each.value.method
  authorization        = var.authorization.type
  authorizer_id        = one(aws_api_gateway_authorizer.cognito[*].id)
  authorization_scopes = var.authorization.type == "COGNITO_USER_POOLS" && length(var.approvals.authorization_scopes) > 0 ? var.approvals.authorization_scopes : null
  request_validator_id = aws_api_gateway_request_validator.this.id
  request_models       = { "application/json" = aws_api_gateway_model.callback[each.key].name }
}

resource "aws_api_gateway_integration" "callback" {
  for_each = local.callbacks

  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_method.callback[each.key].resource_id
  http_method             = aws_api_gateway_method.callback[each.key].http_method
  type                    = "AWS"
  integration_http_method = "POST"
  uri                     = "arn:${local.ctx.partition}:apigateway:${local.ctx.region}:states:action/${each.value.action}"
  credentials             = module.integration_role.callback_role_arn
  passthrough_behavior    = "NEVER"
  timeout_milliseconds    = 29000
  request_templates       = { "application/json" = each.value.request_template }
}

resource "aws_api_gateway_method_response" "callback" {
  for_each = { for pair in setproduct(keys(local.callbacks), local.callback_status_codes) : "${pair[0]}:${pair[1]}" => { key = pair[0], status = pair[1] } }

  rest_api_id = aws_api_gateway_rest_api.this.id
  resource_id = aws_api_gateway_method.callback[each.value.key].resource_id
  http_method = aws_api_gateway_method.callback[each.value.key].http_method
  status_code = each.value.status
}

resource "aws_api_gateway_integration_response" "callback_success" {
  for_each = local.callbacks

  rest_api_id        = aws_api_gateway_rest_api.this.id
  resource_id        = aws_api_gateway_method.callback[each.key].resource_id
  http_method        = aws_api_gateway_method.callback[each.key].http_method
  status_code        = aws_api_gateway_method_response.callback["${each.key}:200"].status_code
  response_templates = { "application/json" = each.value.success_template }

  depends_on = [aws_api_gateway_integration.callback]
}

# An unknown, malformed, expired or already answered token is a 4xx from Step Functions: never a 200.
resource "aws_api_gateway_integration_response" "callback_client_error" {
  for_each = local.callbacks

  rest_api_id        = aws_api_gateway_rest_api.this.id
  resource_id        = aws_api_gateway_method.callback[each.key].resource_id
  http_method        = aws_api_gateway_method.callback[each.key].http_method
  status_code        = aws_api_gateway_method_response.callback["${each.key}:400"].status_code
  selection_pattern  = "4\\d{2}"
  response_templates = { "application/json" = local.callback_error_template }

  depends_on = [aws_api_gateway_integration.callback]
}

resource "aws_api_gateway_integration_response" "callback_server_error" {
  for_each = local.callbacks

  rest_api_id        = aws_api_gateway_rest_api.this.id
  resource_id        = aws_api_gateway_method.callback[each.key].resource_id
  http_method        = aws_api_gateway_method.callback[each.key].http_method
  status_code        = aws_api_gateway_method_response.callback["${each.key}:502"].status_code
  selection_pattern  = "5\\d{2}"
  response_templates = { "application/json" = local.server_error_template }

  depends_on = [aws_api_gateway_integration.callback]
}

resource "aws_api_gateway_gateway_response" "this" {
  for_each = local.gateway_responses

  rest_api_id        = aws_api_gateway_rest_api.this.id
  response_type      = each.key
  response_templates = { "application/json" = each.value }
}

data "aws_iam_policy_document" "resource_policy" {
  count = local.has_resource_policy ? 1 : 0

  dynamic "statement" {
    for_each = var.resource_policy == null ? [] : [var.resource_policy]
    content {
      sid       = "AllowListedPrincipals"
      effect    = "Allow"
      actions   = ["execute-api:Invoke"]
      resources = ["${aws_api_gateway_rest_api.this.execution_arn}/*"]

      principals {
        type        = "AWS"
        identifiers = length(statement.value.allowed_principal_arns) > 0 ? statement.value.allowed_principal_arns : ["arn:${local.ctx.partition}:iam::${local.ctx.account_id}:root"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.resource_policy != null && length(try(var.resource_policy.source_vpc_endpoint_ids, [])) + length(try(var.resource_policy.source_ip_cidrs, [])) > 0 ? [1] : []
    content {
      sid       = "DenyOutsideAllowedNetworks"
      effect    = "Deny"
      actions   = ["execute-api:Invoke"]
      resources = ["${aws_api_gateway_rest_api.this.execution_arn}/*"]

      principals {
        type        = "AWS"
        identifiers = ["*"]
      }

      dynamic "condition" {
        for_each = length(var.resource_policy.source_vpc_endpoint_ids) > 0 ? [1] : []
        content {
          test     = "StringNotEquals"
          variable = "aws:SourceVpce"
          values   = var.resource_policy.source_vpc_endpoint_ids
        }
      }

      dynamic "condition" {
        for_each = length(var.resource_policy.source_ip_cidrs) > 0 ? [1] : []
        content {
          test     = "NotIpAddress"
          variable = "aws:SourceIp"
          values   = var.resource_policy.source_ip_cidrs
        }
      }
    }
  }

  # Reviewers only: the callback routes are denied to every signed caller that is not one of the reviewer
  # principals, whatever that caller's own IAM policy allows.
  dynamic "statement" {
    for_each = length(local.reviewer_principal_arns) > 0 ? [1] : []
    content {
      sid       = "DenyCallbacksToOtherPrincipals"
      effect    = "Deny"
      actions   = ["execute-api:Invoke"]
      resources = sort([for callback in values(local.callbacks) : "${aws_api_gateway_rest_api.this.execution_arn}/*/${callback.method}/${callback.resource_path}"])

      principals {
        type        = "AWS"
        identifiers = ["*"]
      }

      condition {
        test     = "ArnNotEquals"
        variable = "aws:PrincipalArn"
        values   = local.reviewer_principal_arns
      }
    }
  }
}

resource "aws_api_gateway_rest_api_policy" "this" {
  count = local.has_resource_policy ? 1 : 0

  rest_api_id = aws_api_gateway_rest_api.this.id
  policy      = data.aws_iam_policy_document.resource_policy[0].json
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  description = "stepgate ${var.version_label}"

  triggers = {
    redeployment = local.deployment_fingerprint
  }

  # The stage keeps pointing at the old deployment until the new one exists: no window without routes.
  lifecycle {
    create_before_destroy = true
  }

  # A route must not go live before its integration role may start the state machine (or, for callback
  # routes, answer task tokens).
  depends_on = [
    module.integration_role,
    aws_api_gateway_integration.route,
    aws_api_gateway_integration_response.success,
    aws_api_gateway_integration_response.client_error,
    aws_api_gateway_integration_response.server_error,
    aws_api_gateway_integration.callback,
    aws_api_gateway_integration_response.callback_success,
    aws_api_gateway_integration_response.callback_client_error,
    aws_api_gateway_integration_response.callback_server_error,
    aws_api_gateway_gateway_response.this,
    aws_api_gateway_rest_api_policy.this,
  ]
}

resource "aws_cloudwatch_log_group" "access" {
  name              = local.access_log_group_name
  retention_in_days = var.logging.retention_in_days
  kms_key_id        = var.logging.kms_key_arn
  tags              = var.tags
}

# API Gateway creates this group itself on first use, without retention or encryption; owning it keeps
# execution logs under the same retention and key as everything else.
resource "aws_cloudwatch_log_group" "execution" {
  name              = local.execution_log_group_name
  retention_in_days = var.logging.retention_in_days
  kms_key_id        = var.logging.kms_key_arn
  tags              = var.tags
}

resource "aws_api_gateway_stage" "this" {
  #checkov:skip=CKV_AWS_120:Responses start executions and must never be served from a cache.
  #checkov:skip=CKV2_AWS_51:Client certificates authenticate API Gateway to HTTP backends; the only backend here is Step Functions, reached with SigV4 through the integration role.
  #checkov:skip=CKV2_AWS_29:A WAF web ACL is account infrastructure; callers associate their own ACL with the stage ARN output. Every method already requires authorization and request validation.
  rest_api_id          = aws_api_gateway_rest_api.this.id
  deployment_id        = aws_api_gateway_deployment.this.id
  stage_name           = var.stage_name
  description          = "stepgate ${var.version_label}"
  xray_tracing_enabled = var.xray_tracing_enabled

  variables = {
    version = var.version_label
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format          = coalesce(var.logging.access_log_format, local.default_access_log_format)
  }

  tags = var.tags

  depends_on = [aws_cloudwatch_log_group.execution]
}

resource "aws_api_gateway_method_settings" "all" {
  #checkov:skip=CKV_AWS_225:Caching is deliberately off: every request starts a new execution.
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  settings {
    metrics_enabled        = true
    logging_level          = var.execution_logging_level
    data_trace_enabled     = false
    throttling_rate_limit  = var.throttling.rate_limit
    throttling_burst_limit = var.throttling.burst_limit
    caching_enabled        = false
    cache_data_encrypted   = true
  }
}
