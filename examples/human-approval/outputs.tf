output "stepgate" {
  description = "The stepgate module's outputs (the harness reads routes, api_id, stage_name, invoke_url, state_machine_arns, log groups, audit log group, approval routes from here)."
  value       = module.stepgate
}

output "reviewer_queue_url" {
  description = "URL of the queue reviewers read approval requests ({taskToken, body}) from."
  value       = aws_sqs_queue.reviews.url
}
