output "arn" {
  description = "Integration role ARN, used as the credentials of every route's integration."
  value       = aws_iam_role.this.arn
}

output "name" {
  description = "Integration role name."
  value       = aws_iam_role.this.name
}

output "policy_id" {
  description = "Id of the inline policy, so integrations can wait for the permission to exist."
  value       = aws_iam_role_policy.start.id
}
