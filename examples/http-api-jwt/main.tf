data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  events_bus_name = "${var.name}-orders"
  # Literal so the definition and the execution role are known at plan time.
  event_bus_arn = "arn:${data.aws_partition.current.partition}:events:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:event-bus/${local.events_bus_name}"

  # Accepts an order and announces it on the example's event bus.
  definition = jsonencode({
    Comment = "Accept an order and announce it"
    StartAt = "AnnounceOrder"
    States = {
      AnnounceOrder = {
        Type     = "Task"
        Resource = "arn:aws:states:::events:putEvents"
        Parameters = {
          Entries = [{
            EventBusName = local.event_bus_arn
            Source       = "stepgate.orders"
            DetailType   = "Order Accepted"
            "Detail.$"   = "$"
          }]
        }
        Retry = [{
          ErrorEquals     = ["States.TaskFailed", "States.Timeout"]
          IntervalSeconds = 1
          MaxAttempts     = 3
          BackoffRate     = 2
        }]
        Catch = [{
          ErrorEquals = ["States.ALL"]
          ResultPath  = "$.error"
          Next        = "OrderFailed"
        }]
        End = true
      }
      OrderFailed = {
        Type  = "Fail"
        Error = "OrderNotAnnounced"
        Cause = "The order event could not be published"
      }
    }
  })
}

resource "aws_cloudwatch_event_bus" "orders" {
  name = local.events_bus_name
  tags = { "stepgate:example" = "http-api-jwt" }
}

module "stepgate" {
  source = "../.."

  name          = var.name
  version_label = var.version_label
  api_type      = "HTTP"
  tags          = { "stepgate:example" = "http-api-jwt" }

  authorization = {
    type = "JWT"
    jwt = {
      issuer    = var.jwt_issuer
      audiences = var.jwt_audiences
    }
    authorization_scopes = ["orders/write"]
  }

  workflows = {
    accept-order = {
      route                  = "POST /orders"
      definition             = local.definition
      type                   = "STANDARD"
      invocation             = "async"
      logging_level          = "ALL"
      include_execution_data = true
      tracing                = true
      integrations = {
        event_bus_arns = [local.event_bus_arn]
      }
    }
  }
}
