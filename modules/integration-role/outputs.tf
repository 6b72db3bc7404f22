output "arn" {
  description = "Integration role ARN, used as the credentials of every route's integration."
  value       = aws_iam_role.this.arn
}

output "name" {
  description = "Integration role name."
  value       = aws_iam_role.this.name
}

