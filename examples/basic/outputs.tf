output "stepgate" {
  description = "The stepgate module's outputs (the harness reads routes, api_id, stage_name, invoke_url, state_machine_arns, log groups, audit log group, approval routes from here)."
  value       = module.stepgate
}

output "queue_url" {
  description = "URL of the queue the workflow sends reports to."
  value       = aws_sqs_queue.reports.url
}

output "topic_arn" {
  description = "ARN of the topic the workflow publishes to."
  value       = aws_sns_topic.notifications.arn
}
