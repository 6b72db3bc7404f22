# A team's configuration in the shape public examples use: names from locals, a queue named by
# name_prefix (its ARN and URL are only known after apply), policies written with jsonencode() around
# references, and the workflow's definition rendered by templatefile() in a module of its own.
locals {
  name = "orders"
  tags = { team = "payments" }
}

data "aws_caller_identity" "current" {}

resource "aws_kms_key" "queue" {
  description         = "${local.name} queue"
  enable_key_rotation = true
}

resource "aws_sqs_queue" "jobs" {
  name_prefix       = "${local.name}-jobs-"
  kms_master_key_id = aws_kms_key.queue.arn
  tags              = local.tags
}

module "workflow" {
  source     = "./modules/workflow"
  name       = local.name
  queue_url  = aws_sqs_queue.jobs.url
  queue_arn  = aws_sqs_queue.jobs.arn
  key_arn    = aws_kms_key.queue.arn
  account_id = data.aws_caller_identity.current.account_id
}

# Completions of every execution, for the audit trail: the rule names the machine by its module output.
resource "aws_cloudwatch_event_rule" "completions" {
  name = "${local.name}-completions"
  event_pattern = jsonencode({
    source        = ["aws.states"]
    "detail-type" = ["Step Functions Execution Status Change"]
    detail = {
      status          = ["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]
      stateMachineArn = [module.workflow.arn]
    }
  })
}

resource "aws_cloudwatch_log_group" "completions" {
  name              = "/aws/events/${local.name}-completions"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.queue.arn
}

resource "aws_cloudwatch_event_target" "completions" {
  rule = aws_cloudwatch_event_rule.completions.name
  arn  = aws_cloudwatch_log_group.completions.arn
}
