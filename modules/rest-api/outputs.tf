output "id" {
  description = "REST API id."
  value       = aws_api_gateway_rest_api.this.id
}

output "arn" {
  description = "REST API ARN."
  value       = aws_api_gateway_rest_api.this.arn
}

output "execution_arn" {
  description = "execute-api ARN prefix of the API (append /stage/METHOD/path for IAM policies)."
  value       = aws_api_gateway_rest_api.this.execution_arn
}

output "stage_name" {
  description = "Stage name."
  value       = aws_api_gateway_stage.this.stage_name
}

output "stage_arn" {
  description = "Stage ARN (for WAF associations)."
  value       = aws_api_gateway_stage.this.arn
}

output "invoke_url" {
  description = "Base URL of the stage."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "route_urls" {
  description = "Full URL of every route, by workflow key."
  value       = { for key, route in local.routes : key => "${aws_api_gateway_stage.this.invoke_url}/${route.resource_path}" }
}

output "integration_role_arn" {
  description = "ARN of the role API Gateway assumes to start executions."
  value       = module.integration_role.arn
}

output "access_log_group_name" {
  description = "Access log group."
  value       = aws_cloudwatch_log_group.access.name
}

output "execution_log_group_name" {
  description = "Execution log group API Gateway writes to."
  value       = aws_cloudwatch_log_group.execution.name
}

output "callback_routes" {
  description = "Callback routes by name (approve, reject): method, path and URL; empty without approvals."
  value = {
    for name, callback in local.callbacks : name => {
      method = callback.method
      path   = callback.path
      url    = "${aws_api_gateway_stage.this.invoke_url}/${callback.resource_path}"
    }
  }
}

output "callback_role_arn" {
  description = "ARN of the role API Gateway assumes to answer task tokens, or null without approvals."
  value       = module.integration_role.callback_role_arn
}
