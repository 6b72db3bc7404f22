data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region
  partition  = data.aws_partition.current.partition
  tags       = { "stepgate:example" = "human-approval" }

  queue_name = "${var.name}-reviews"

  # Literal ARN and URL so the workflow definition and the execution role are fully known at plan time.
  queue_arn = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.queue_name}"
  queue_url = "https://sqs.${local.region}.${data.aws_partition.current.dns_suffix}/${local.account_id}/${local.queue_name}"

  # An expense waits for a person: the task token and the request body go to the reviewer queue, and the
  # execution waits until a reviewer calls POST /approvals/approve (the execution SUCCEEDS with the
  # reviewer and comment in its output) or POST /approvals/reject (it FAILS with error Rejected, the
  # reviewer's reason in its cause). "Rejected" is deliberately not caught: it is the execution's result.
  definition = jsonencode({
    Comment = "Wait for a reviewer to approve or reject an expense"
    StartAt = "RequestApproval"
    States = {
      RequestApproval = {
        Type     = "Task"
        Resource = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
        Parameters = {
          QueueUrl = local.queue_url
          MessageBody = {
            "taskToken.$" = "$$.Task.Token"
            "body.$"      = "$.body"
          }
        }
        # A week is the most any request waits for its reviewer.
        TimeoutSeconds = 604800
        ResultPath     = "$.approval"
        # Only the message send is retried: a rejection must never send the request again.
        Retry = [{
          ErrorEquals     = ["SQS.SdkClientException", "SQS.AmazonSQSException"]
          IntervalSeconds = 1
          MaxAttempts     = 2
          BackoffRate     = 2
        }]
        Catch = [{
          ErrorEquals = ["States.Timeout"]
          ResultPath  = "$.error"
          Next        = "ApprovalTimedOut"
        }]
        Next = "Approved"
      }
      Approved = {
        Type = "Pass"
        Parameters = {
          "expense.$"  = "$.body"
          "approval.$" = "$.approval"
        }
        End = true
      }
      ApprovalTimedOut = {
        Type  = "Fail"
        Error = "ApprovalTimedOut"
        Cause = "No reviewer answered in time"
      }
    }
  })

  request_schema = jsonencode({
    "$schema"            = "http://json-schema.org/draft-04/schema#"
    title                = "ExpenseRequest"
    type                 = "object"
    required             = ["expenseId", "amount"]
    additionalProperties = false
    properties = {
      expenseId   = { type = "string", pattern = "^[A-Za-z0-9_-]{1,64}$" }
      amount      = { type = "number", minimum = 0.01, maximum = 100000 }
      currency    = { type = "string", enum = ["EUR", "USD", "GBP"] }
      description = { type = "string", maxLength = 512 }
    }
  })
}

resource "aws_sqs_queue" "reviews" {
  name                       = local.queue_name
  sqs_managed_sse_enabled    = true
  message_retention_seconds  = 1209600
  visibility_timeout_seconds = 60
  tags                       = local.tags
}

module "stepgate" {
  source = "../.."

  name          = var.name
  version_label = var.version_label
  tags          = local.tags

  api = {
    stage_name              = "v1"
    xray_tracing            = true
    execution_logging_level = "INFO"
  }

  # POST /approvals/approve and POST /approvals/reject answer the task token; same AWS_IAM authorization
  # as POST /expenses, and, when reviewer_principal_arns is set, only for those principals.
  approvals = {
    enabled                 = true
    path                    = "/approvals"
    reviewer_principal_arns = var.reviewer_principal_arns
  }

  workflows = {
    submit-expense = {
      route          = "POST /expenses"
      definition     = local.definition
      type           = "STANDARD"
      invocation     = "async"
      request_schema = local.request_schema
      # The secure defaults, spelled out so static scanners that cannot evaluate optional() see them.
      logging_level          = "ALL"
      include_execution_data = true
      tracing                = true
      integrations = {
        sqs_queue_arns = [local.queue_arn]
      }
    }
  }
}
