locals {
  default_access_log_format = jsonencode({
    requestId         = "$context.requestId"
    requestTime       = "$context.requestTime"
    routeKey          = "$context.routeKey"
    httpMethod        = "$context.httpMethod"
    path              = "$context.path"
    status            = "$context.status"
    protocol          = "$context.protocol"
    responseLength    = "$context.responseLength"
    responseLatency   = "$context.responseLatency"
    integrationStatus = "$context.integration.status"
    integrationError  = "$context.integration.error"
    errorMessage      = "$context.error.message"
    sourceIp          = "$context.identity.sourceIp"
    userAgent         = "$context.identity.userAgent"
    caller            = "$context.identity.caller"
    userArn           = "$context.identity.userArn"
    accountId         = "$context.identity.accountId"
    jwtSubject        = "$context.authorizer.claims.sub"
    stage             = "$context.stage"
    version           = "$stageVariables.version"
  })
}

resource "aws_apigatewayv2_api" "this" {
  name          = var.name
  protocol_type = "HTTP"
  description   = "Starts Step Functions workflows: ${join(", ", sort([for r in values(var.routes) : "${r.method} ${r.path}"]))}"
  tags          = var.tags
}

module "integration_role" {
  source = "../integration-role"

  name               = "${var.name}-apigw-start"
  account_id         = var.arn_context.account_id
  source_arn_pattern = "${aws_apigatewayv2_api.this.execution_arn}/*"
  routes             = { for key, route in var.routes : key => { state_machine_arn = route.state_machine_arn, sync = route.sync } }
  tags               = var.tags
}

resource "aws_apigatewayv2_authorizer" "jwt" {
  count = var.authorization.type == "JWT" ? 1 : 0

  api_id           = aws_apigatewayv2_api.this.id
  name             = "${var.name}-jwt"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    issuer   = var.authorization.jwt.issuer
    audience = var.authorization.jwt.audiences
  }
}

resource "aws_apigatewayv2_integration" "route" {
  for_each = var.routes

  api_id                 = aws_apigatewayv2_api.this.id
  description            = "${each.value.method} ${each.value.path} -> ${each.value.state_machine_arn}"
  integration_type       = "AWS_PROXY"
  integration_subtype    = each.value.sync ? "StepFunctions-StartSyncExecution" : "StepFunctions-StartExecution"
  credentials_arn        = module.integration_role.arn
  payload_format_version = "1.0"
  timeout_milliseconds   = 29000

  # The body is the execution input; headers (including the bearer token) are never mapped. HTTP APIs
  # cannot fall back between values, so the execution name is always the request id.
  request_parameters = {
    StateMachineArn = each.value.state_machine_arn
    Name            = "$context.requestId"
    Input           = "$request.body"
  }
}

resource "aws_apigatewayv2_route" "this" {
  for_each = var.routes

  api_id               = aws_apigatewayv2_api.this.id
  route_key            = "${each.value.method} ${each.value.path}"
  target               = "integrations/${aws_apigatewayv2_integration.route[each.key].id}"
  authorization_type   = var.authorization.type
  authorizer_id        = one(aws_apigatewayv2_authorizer.jwt[*].id)
  authorization_scopes = var.authorization.type == "JWT" && length(var.authorization.authorization_scopes) > 0 ? var.authorization.authorization_scopes : null
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name}/access"
  retention_in_days = var.logging.retention_in_days
  kms_key_id        = var.logging.kms_key_arn
  tags              = var.tags
}

resource "aws_apigatewayv2_stage" "this" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true
  description = "stepgate ${var.version_label}"

  stage_variables = {
    version = var.version_label
  }

  default_route_settings {
    throttling_rate_limit    = var.throttling.rate_limit
    throttling_burst_limit   = var.throttling.burst_limit
    detailed_metrics_enabled = true
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format          = coalesce(var.logging.access_log_format, local.default_access_log_format)
  }

  tags = var.tags

  # auto_deploy publishes every route change: the routes must exist, and the integration role must be
  # allowed to start the state machines, before the first deployment.
  depends_on = [aws_apigatewayv2_route.this, module.integration_role]
}
