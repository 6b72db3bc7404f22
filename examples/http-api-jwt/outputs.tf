output "invoke_url" {
  description = "Base URL of the $default stage."
  value       = module.stepgate.invoke_url
}

output "route_urls" {
  description = "URL of every route by workflow key."
  value       = module.stepgate.route_urls
}

output "routes" {
  description = "Routes with the ARN each starts."
  value       = module.stepgate.routes
}

output "api_id" {
  description = "HTTP API id."
  value       = module.stepgate.api_id
}

output "state_machine_arns" {
  description = "State machine ARNs by workflow key."
  value       = module.stepgate.state_machine_arns
}

output "audit_log_group_name" {
  description = "Audit log group of finished executions."
  value       = module.stepgate.audit_log_group_name
}

output "event_bus_arn" {
  description = "Event bus the workflow announces orders on."
  value       = aws_cloudwatch_event_bus.orders.arn
}
