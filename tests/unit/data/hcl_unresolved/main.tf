# Values checkov cannot evaluate reach the policies as the bare expression (`var.xray_tracing_enabled`,
# a module input) or as a placeholder (`{}` for an optional() attribute of an object variable); the
# policies answer UNKNOWN for both, and the plan scan sees the real value.
variable "xray_tracing_enabled" {
  type = bool
}

variable "access_log_format" {
  type = string
}

variable "api" {
  type = object({
    xray_tracing      = optional(bool, true)
    access_log_format = optional(string)
  })
  default = {}
}

resource "aws_api_gateway_stage" "from_input" {
  rest_api_id          = "abc123"
  deployment_id        = "d"
  stage_name           = "v1"
  xray_tracing_enabled = var.xray_tracing_enabled

  access_log_settings {
    destination_arn = "arn:aws:logs:us-east-1:000000000000:log-group:access"
    format          = var.access_log_format
  }
}

resource "aws_api_gateway_stage" "from_optional" {
  rest_api_id          = "abc123"
  deployment_id        = "d"
  stage_name           = "v2"
  xray_tracing_enabled = var.api.xray_tracing

  access_log_settings {
    destination_arn = "arn:aws:logs:us-east-1:000000000000:log-group:access"
    format          = var.api.access_log_format
  }
}

resource "aws_api_gateway_stage" "off" {
  rest_api_id          = "abc123"
  deployment_id        = "d"
  stage_name           = "v3"
  xray_tracing_enabled = false

  access_log_settings {
    destination_arn = "arn:aws:logs:us-east-1:000000000000:log-group:access"
    format          = "$context.requestId $context.status"
  }
}
