output "arn" {
  description = "Integration role ARN, used as the credentials of every route's integration."
  value       = aws_iam_role.this.arn
}

output "name" {
  description = "Integration role name."
  value       = aws_iam_role.this.name
}

output "callback_role_arn" {
  description = "ARN of the callback role (answers task tokens), or null when none is created."
  value       = one(aws_iam_role.callback[*].arn)
}
