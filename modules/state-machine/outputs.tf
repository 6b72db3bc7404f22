output "arn" {
  description = "State machine ARN, built literally so it is known at plan time."
  value       = local.arn
}

output "invocation_arn" {
  description = "ARN that callers should start: the alias when publish is true, else the state machine."
  value       = var.publish ? local.alias_arn : local.arn
}

output "alias_arn" {
  description = "Alias ARN, or null when publish is false."
  value       = var.publish ? local.alias_arn : null
}

output "name" {
  description = "State machine name."
  value       = aws_sfn_state_machine.this.name
}

output "type" {
  description = "STANDARD or EXPRESS."
  value       = var.type
}

output "execution_role_arn" {
  description = "ARN of the execution role the state machine assumes."
  value       = aws_iam_role.execution.arn
}

output "execution_role_name" {
  description = "Name of the execution role."
  value       = aws_iam_role.execution.name
}

output "log_group_name" {
  description = "Log group receiving execution logs."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the execution log group (literal)."
  value       = local.log_group_arn
}

output "integration_statements" {
  description = "The statements the declared integrations add to the execution role policy (sid, actions, resources, conditions), in policy order."
  value       = local.execution_integration_statements
}
