data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region
  partition  = data.aws_partition.current.partition

  queue_name = "${var.name}-reports"
  topic_name = "${var.name}-notifications"

  # Literal ARNs and URL so the workflow definition and the execution role are fully known at plan time.
  queue_arn = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.queue_name}"
  queue_url = "https://sqs.${local.region}.${data.aws_partition.current.dns_suffix}/${local.account_id}/${local.queue_name}"
  topic_arn = "arn:${local.partition}:sns:${local.region}:${local.account_id}:${local.topic_name}"

  task_retry = [{
    ErrorEquals     = ["States.TaskFailed", "States.Timeout"]
    IntervalSeconds = 1
    MaxAttempts     = 2
    BackoffRate     = 2
  }]

  # A report is queued for processing and announced on the topic in parallel. A report flagged
  # {"fail": true} is announced as a structured alert without the "default" entry SNS requires, so SNS
  # rejects it on every attempt: the execution ends FAILED after its retries (the failing path the
  # end-to-end tests and the demo rely on).
  definition = jsonencode({
    Comment = "Process a report: queue it and notify subscribers"
    StartAt = "CheckReport"
    States = {
      CheckReport = {
        Type = "Choice"
        Choices = [{
          And = [
            { Variable = "$.body.fail", IsPresent = true },
            { Variable = "$.body.fail", BooleanEquals = true },
          ]
          Next = "PublishAlert"
        }]
        Default = "FanOut"
      }
      FanOut = {
        Type       = "Parallel"
        ResultPath = "$.results"
        Branches = [
          {
            StartAt = "QueueReport"
            States = {
              QueueReport = {
                Type     = "Task"
                Resource = "arn:aws:states:::sqs:sendMessage"
                Parameters = {
                  QueueUrl        = local.queue_url
                  "MessageBody.$" = "States.JsonToString($.body)"
                }
                ResultSelector = { "messageId.$" = "$.MessageId" }
                Retry          = local.task_retry
                Catch          = [{ ErrorEquals = ["States.ALL"], ResultPath = "$.error", Next = "QueueFailed" }]
                End            = true
              }
              QueueFailed = { Type = "Fail", Error = "QueueReportFailed", Cause = "The report could not be queued" }
            }
          },
          {
            StartAt = "NotifySubscribers"
            States = {
              NotifySubscribers = {
                Type     = "Task"
                Resource = "arn:aws:states:::sns:publish"
                Parameters = {
                  TopicArn    = local.topic_arn
                  "Message.$" = "States.JsonToString($.body)"
                }
                ResultSelector = { "messageId.$" = "$.MessageId" }
                Retry          = local.task_retry
                Catch          = [{ ErrorEquals = ["States.ALL"], ResultPath = "$.error", Next = "NotifyFailed" }]
                End            = true
              }
              NotifyFailed = { Type = "Fail", Error = "NotifySubscribersFailed", Cause = "Subscribers could not be notified" }
            }
          },
        ]
        Catch = [{
          ErrorEquals = ["States.ALL"]
          ResultPath  = "$.error"
          Next        = "ReportFailed"
        }]
        Next = "ReportProcessed"
      }
      PublishAlert = {
        Type     = "Task"
        Resource = "arn:aws:states:::sns:publish"
        Parameters = {
          TopicArn         = local.topic_arn
          MessageStructure = "json"
          "Message.$"      = "States.JsonToString($.body)"
        }
        Retry = local.task_retry
        Catch = [{
          ErrorEquals = ["States.ALL"]
          ResultPath  = "$.error"
          Next        = "ReportFailed"
        }]
        Next = "ReportProcessed"
      }
      ReportProcessed = {
        Type = "Succeed"
      }
      ReportFailed = {
        Type  = "Fail"
        Error = "ReportProcessingFailed"
        Cause = "A report task failed after its retries"
      }
    }
  })

  request_schema = jsonencode({
    "$schema"            = "http://json-schema.org/draft-04/schema#"
    title                = "ProcessReportRequest"
    type                 = "object"
    required             = ["reportId"]
    additionalProperties = false
    properties = {
      reportId = { type = "string", pattern = "^[A-Za-z0-9_-]{1,64}$" }
      title    = { type = "string", maxLength = 256 }
      priority = { type = "string", enum = ["low", "normal", "high"] }
      fail     = { type = "boolean" }
    }
  })
}

resource "aws_sqs_queue" "reports" {
  name                       = local.queue_name
  sqs_managed_sse_enabled    = true
  message_retention_seconds  = 1209600
  visibility_timeout_seconds = 60
  tags                       = { "stepgate:example" = "basic" }
}

resource "aws_sns_topic" "notifications" {
  name              = local.topic_name
  kms_master_key_id = "alias/aws/sns"
  tags              = { "stepgate:example" = "basic" }
}

module "stepgate" {
  source = "../.."

  name          = var.name
  version_label = var.version_label
  tags          = { "stepgate:example" = "basic" }

  api = {
    stage_name              = "v1"
    xray_tracing            = true
    execution_logging_level = "INFO"
  }

  workflows = {
    process-report = {
      route          = "POST /processReport"
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
        sns_topic_arns = [local.topic_arn]
      }
    }
  }
}
