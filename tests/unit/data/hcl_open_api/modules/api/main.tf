variable "name" {
  type        = string
  description = "API name"
}

resource "aws_api_gateway_rest_api" "this" {
  name = var.name
}

resource "aws_api_gateway_method" "open" {
  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = aws_api_gateway_rest_api.this.root_resource_id
  http_method   = "POST"
  authorization = "NONE"
}

resource "aws_api_gateway_method" "signed" {
  rest_api_id   = aws_api_gateway_rest_api.this.id
  resource_id   = aws_api_gateway_rest_api.this.root_resource_id
  http_method   = "PUT"
  authorization = "AWS_IAM"
}

resource "aws_api_gateway_stage" "this" {
  rest_api_id          = aws_api_gateway_rest_api.this.id
  deployment_id        = "d"
  stage_name           = "v1"
  xray_tracing_enabled = true
  access_log_settings {
    destination_arn = "arn:aws:logs:us-east-1:000000000000:log-group:access"
    format = jsonencode({
      requestId = "$context.requestId"
      caller    = "$context.identity.caller"
      status    = "$context.status"
    })
  }
}
