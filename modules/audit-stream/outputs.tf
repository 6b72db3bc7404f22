output "rule_arn" {
  description = "ARN of the audit EventBridge rule."
  value       = aws_cloudwatch_event_rule.audit.arn
}

output "rule_name" {
  description = "Name of the audit EventBridge rule."
  value       = aws_cloudwatch_event_rule.audit.name
}

output "log_group_name" {
  description = "Audit log group receiving one event per finished STANDARD execution."
  value       = aws_cloudwatch_log_group.audit.name
}

output "log_group_arn" {
  description = "ARN of the audit log group (literal)."
  value       = local.log_group_arn
}

output "event_pattern" {
  description = "The rule's event pattern."
  value       = local.event_pattern
}
