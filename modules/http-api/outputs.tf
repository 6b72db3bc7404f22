output "id" {
  description = "HTTP API id."
  value       = aws_apigatewayv2_api.this.id
}

output "arn" {
  description = "HTTP API ARN."
  value       = aws_apigatewayv2_api.this.arn
}

output "execution_arn" {
  description = "execute-api ARN prefix of the API."
  value       = aws_apigatewayv2_api.this.execution_arn
}

output "stage_name" {
  description = "Stage name."
  value       = aws_apigatewayv2_stage.this.name
}

output "stage_arn" {
  description = "Stage ARN."
  value       = aws_apigatewayv2_stage.this.arn
}

output "invoke_url" {
  description = "Base URL of the stage."
  value       = aws_apigatewayv2_stage.this.invoke_url
}

output "route_urls" {
  description = "Full URL of every route, by workflow key."
  value       = { for key, route in var.routes : key => "${trimsuffix(aws_apigatewayv2_stage.this.invoke_url, "/")}${route.path}" }
}

output "integration_role_arn" {
  description = "ARN of the role API Gateway assumes to start executions."
  value       = module.integration_role.arn
}

output "access_log_group_name" {
  description = "Access log group."
  value       = aws_cloudwatch_log_group.access.name
}
