locals {
  # Prices a quote synchronously. {"reject": true} takes the failing path: a Fail state, which the API
  # answers with 500 and the workflow's error and cause.
  definition = jsonencode({
    Comment = "Price a quote and return it to the caller"
    StartAt = "CheckQuote"
    States = {
      CheckQuote = {
        Type = "Choice"
        Choices = [{
          And = [
            { Variable = "$.body.reject", IsPresent = true },
            { Variable = "$.body.reject", BooleanEquals = true },
          ]
          Next = "RejectQuote"
        }]
        Default = "PriceQuote"
      }
      PriceQuote = {
        Type = "Pass"
        Parameters = {
          "quoteId.$"   = "$.body.quoteId"
          "quantity.$"  = "$.body.quantity"
          unitPrice     = 10
          currency      = "EUR"
          "version.$"   = "$.meta.version"
          "requestId.$" = "$.meta.requestId"
        }
        End = true
      }
      RejectQuote = {
        Type  = "Fail"
        Error = "QuoteRejected"
        Cause = "The quote was rejected on request"
      }
    }
  })

  request_schema = jsonencode({
    "$schema"            = "http://json-schema.org/draft-04/schema#"
    title                = "QuoteRequest"
    type                 = "object"
    required             = ["quoteId", "quantity"]
    additionalProperties = false
    properties = {
      quoteId  = { type = "string", pattern = "^[A-Za-z0-9_-]{1,64}$" }
      quantity = { type = "integer", minimum = 1, maximum = 1000 }
      reject   = { type = "boolean" }
    }
  })
}

module "stepgate" {
  source = "../.."

  name          = var.name
  version_label = var.version_label
  tags          = { "stepgate:example" = "express-sync" }

  api = {
    stage_name              = "v1"
    xray_tracing            = true
    execution_logging_level = "INFO"
  }

  workflows = {
    quote = {
      route          = "POST /quote"
      definition     = local.definition
      type           = "EXPRESS"
      invocation     = "sync"
      request_schema = local.request_schema
      # EXPRESS executions keep no history and emit no status events: the log group at level ALL with
      # execution data is their audit trail.
      logging_level          = "ALL"
      include_execution_data = true
      tracing                = true
    }
  }
}
