output "stepgate" {
  description = "The stepgate module's outputs (the harness reads routes, api_id, stage_name, invoke_url, state_machine_arns, log groups, audit log group, approval routes from here)."
  value       = module.stepgate
}

output "cluster_arn" {
  description = "ECS cluster the report task runs on."
  value       = aws_ecs_cluster.reports.arn
}

output "task_definition_arn" {
  description = "ARN (with revision) of the report task definition."
  value       = aws_ecs_task_definition.report.arn
}

output "task_log_group_name" {
  description = "Log group of the report task's container."
  value       = aws_cloudwatch_log_group.task.name
}
