variable "name" {
  type        = string
  description = "Name of the state machine and its role."
}

variable "queue_url" {
  type        = string
  description = "URL of the queue the workflow sends jobs to."
}

variable "queue_arn" {
  type        = string
  description = "ARN of that queue, for the execution role."
}

variable "key_arn" {
  type        = string
  description = "KMS key of the queue."
}

variable "account_id" {
  type        = string
  description = "Account the role may be assumed from."
}

locals {
  send = ["sqs:SendMessage"]
}

resource "aws_iam_role" "execution" {
  name_prefix = "${var.name}-exec-"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "states.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = var.account_id }
        ArnLike      = { "aws:SourceArn" = "arn:aws:states:*:${var.account_id}:stateMachine:${var.name}" }
      }
    }]
  })
}

resource "aws_iam_role_policy" "execution" {
  name = "send-jobs"
  role = aws_iam_role.execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Sid = "Jobs", Effect = "Allow", Action = local.send, Resource = var.queue_arn },
      { Sid = "JobsKey", Effect = "Allow", Action = ["kms:GenerateDataKey", "kms:Decrypt"], Resource = var.key_arn },
    ]
  })
}

resource "aws_sfn_state_machine" "this" {
  name     = var.name
  role_arn = aws_iam_role.execution.arn
  definition = templatefile("${path.module}/workflow.asl.json", {
    queue_url = var.queue_url
  })
}

output "arn" {
  value       = aws_sfn_state_machine.this.arn
  description = "ARN of the state machine."
}
