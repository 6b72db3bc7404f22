output "stepgate" {
  description = "The stepgate module's outputs (the harness reads routes, api_id, stage_name, invoke_url, state_machine_arns, log groups, audit log group, approval routes from here)."
  value       = module.stepgate
}

output "queue_url" {
  description = "URL of the queue place-order sends orders to."
  value       = aws_sqs_queue.orders.url
}

output "topic_arn" {
  description = "ARN of the topic refund-order announces refunds on."
  value       = aws_sns_topic.refunds.arn
}
