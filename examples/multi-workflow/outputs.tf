output "invoke_url" {
  description = "Base URL of the stage."
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
  description = "REST API id."
  value       = module.stepgate.api_id
}

output "stage_name" {
  description = "Stage name."
  value       = module.stepgate.stage_name
}

output "state_machine_arns" {
  description = "State machine ARNs by workflow key."
  value       = module.stepgate.state_machine_arns
}

output "state_machine_log_group_names" {
  description = "Execution log groups by workflow key."
  value       = module.stepgate.state_machine_log_group_names
}

output "audit_log_group_name" {
  description = "Audit log group of finished executions."
  value       = module.stepgate.audit_log_group_name
}

output "access_log_group_name" {
  description = "API access log group."
  value       = module.stepgate.access_log_group_name
}

output "queue_url" {
  description = "URL of the queue place-order sends orders to."
  value       = aws_sqs_queue.orders.url
}

output "topic_arn" {
  description = "ARN of the topic refund-order announces refunds on."
  value       = aws_sns_topic.refunds.arn
}
