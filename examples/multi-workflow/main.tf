data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region
  partition  = data.aws_partition.current.partition

  queue_name = "${var.name}-orders"
  topic_name = "${var.name}-refunds"
  queue_arn  = "arn:${local.partition}:sqs:${local.region}:${local.account_id}:${local.queue_name}"
  queue_url  = "https://sqs.${local.region}.${data.aws_partition.current.dns_suffix}/${local.account_id}/${local.queue_name}"
  topic_arn  = "arn:${local.partition}:sns:${local.region}:${local.account_id}:${local.topic_name}"

  retry = [{
    ErrorEquals     = ["States.TaskFailed", "States.Timeout"]
    IntervalSeconds = 1
    MaxAttempts     = 2
    BackoffRate     = 2
  }]

  place_order = jsonencode({
    Comment = "Queue an order for fulfilment"
    StartAt = "QueueOrder"
    States = {
      QueueOrder = {
        Type     = "Task"
        Resource = "arn:aws:states:::sqs:sendMessage"
        Parameters = {
          QueueUrl        = local.queue_url
          "MessageBody.$" = "States.JsonToString($.body)"
        }
        Retry = local.retry
        Catch = [{ ErrorEquals = ["States.ALL"], ResultPath = "$.error", Next = "OrderFailed" }]
        End   = true
      }
      OrderFailed = { Type = "Fail", Error = "OrderNotQueued", Cause = "The order could not be queued" }
    }
  })

  refund_order = jsonencode({
    Comment = "Announce a refund of an order"
    StartAt = "AnnounceRefund"
    States = {
      AnnounceRefund = {
        Type     = "Task"
        Resource = "arn:aws:states:::sns:publish"
        Parameters = {
          TopicArn    = local.topic_arn
          "Message.$" = "States.JsonToString($.meta.pathParameters)"
        }
        Retry = local.retry
        Catch = [{ ErrorEquals = ["States.ALL"], ResultPath = "$.error", Next = "RefundFailed" }]
        End   = true
      }
      RefundFailed = { Type = "Fail", Error = "RefundNotAnnounced", Cause = "The refund could not be announced" }
    }
  })

  check_stock = jsonencode({
    Comment = "Answer a stock check synchronously"
    StartAt = "Answer"
    States = {
      Answer = {
        Type = "Pass"
        Parameters = {
          "sku.$"     = "$.body.sku"
          available   = true
          "version.$" = "$.meta.version"
        }
        End = true
      }
    }
  })

  object_schema = {
    "$schema"            = "http://json-schema.org/draft-04/schema#"
    type                 = "object"
    additionalProperties = false
  }
}

resource "aws_sqs_queue" "orders" {
  name                       = local.queue_name
  sqs_managed_sse_enabled    = true
  message_retention_seconds  = 1209600
  visibility_timeout_seconds = 60
  tags                       = { "stepgate:example" = "multi-workflow" }
}

resource "aws_sns_topic" "refunds" {
  name              = local.topic_name
  kms_master_key_id = "alias/aws/sns"
  tags              = { "stepgate:example" = "multi-workflow" }
}

# Three routes, three workflows, one API and one integration role that may start exactly these three
# state machines: StartExecution on the two async ones, StartSyncExecution on the sync one.
module "stepgate" {
  source = "../.."

  name          = var.name
  version_label = var.version_label
  tags          = { "stepgate:example" = "multi-workflow" }

  api = {
    stage_name              = "v1"
    xray_tracing            = true
    execution_logging_level = "INFO"
  }

  workflows = {
    place-order = {
      route                  = "POST /orders"
      definition             = local.place_order
      type                   = "STANDARD"
      invocation             = "async"
      logging_level          = "ALL"
      include_execution_data = true
      tracing                = true
      request_schema = jsonencode(merge(local.object_schema, {
        title    = "PlaceOrderRequest"
        required = ["orderId", "items"]
        properties = {
          orderId = { type = "string", pattern = "^[A-Za-z0-9_-]{1,64}$" }
          items   = { type = "array", minItems = 1, maxItems = 100, items = { type = "string" } }
        }
      }))
      integrations = { sqs_queue_arns = [local.queue_arn] }
    }
    refund-order = {
      route                  = "POST /orders/{orderId}/refunds"
      definition             = local.refund_order
      type                   = "STANDARD"
      invocation             = "async"
      logging_level          = "ALL"
      include_execution_data = true
      tracing                = true
      request_schema = jsonencode(merge(local.object_schema, {
        title    = "RefundOrderRequest"
        required = ["reason"]
        properties = {
          reason = { type = "string", maxLength = 512 }
        }
      }))
      integrations = { sns_topic_arns = [local.topic_arn] }
    }
    check-stock = {
      route                  = "POST /stock"
      definition             = local.check_stock
      type                   = "EXPRESS"
      invocation             = "sync"
      logging_level          = "ALL"
      include_execution_data = true
      tracing                = true
      request_schema = jsonencode(merge(local.object_schema, {
        title      = "CheckStockRequest"
        required   = ["sku"]
        properties = { sku = { type = "string", pattern = "^[A-Za-z0-9_-]{1,64}$" } }
      }))
    }
  }
}
