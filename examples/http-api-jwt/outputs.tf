output "stepgate" {
  description = "The stepgate module's outputs (the harness reads routes, api_id, stage_name, invoke_url, state_machine_arns, log groups, audit log group, approval routes from here)."
  value       = module.stepgate
}

output "event_bus_arn" {
  description = "Event bus the workflow announces orders on."
  value       = aws_cloudwatch_event_bus.orders.arn
}
