# OpenAPI bodies as checkov's HCL scan sees them: jsonencode() evaluated to an object (one-element lists
# unwrapped, quotes inside strings kept escaped), values it cannot evaluate (var.role_arn, file()) unknown.
variable "role_arn" {
  type = string
}

locals {
  sigv4 = { type = "apiKey", name = "Authorization", in = "header", "x-amazon-apigateway-authtype" = "awsSigv4" }
}

# An open route whose template is the caller's body: SG-API-001 and SG-API-008 fail.
resource "aws_api_gateway_rest_api" "open" {
  name = "open"
  body = jsonencode({
    openapi                                = "3.0.1"
    info                                   = { title = "open", version = "1" }
    x-amazon-apigateway-request-validators = { body = { validateRequestBody = true, validateRequestParameters = false } }
    x-amazon-apigateway-request-validator  = "body"
    paths = {
      "/orders" = {
        post = {
          security    = []
          requestBody = { content = { "application/json" = { schema = { type = "object" } } } }
          x-amazon-apigateway-integration = {
            type                = "aws"
            httpMethod          = "POST"
            uri                 = "arn:aws:apigateway:us-east-1:states:action/StartExecution"
            credentials         = var.role_arn
            passthroughBehavior = "never"
            requestTemplates    = { "application/json" = "$input.json('$')" }
          }
        }
      }
    }
  })
}

# Every route signed, a validator and a schema, the state machine and the name in the template: passes.
resource "aws_api_gateway_rest_api" "signed" {
  name = "signed"
  body = jsonencode({
    openapi                                = "3.0.1"
    info                                   = { title = "signed", version = "1" }
    security                               = [{ sigv4 = [] }]
    components                             = { securitySchemes = { sigv4 = local.sigv4 } }
    x-amazon-apigateway-request-validators = { body = { validateRequestBody = true, validateRequestParameters = false } }
    x-amazon-apigateway-request-validator  = "body"
    paths = {
      "/orders" = {
        post = {
          requestBody = { content = { "application/json" = { schema = { type = "object" } } } }
          x-amazon-apigateway-integration = {
            type                = "aws"
            httpMethod          = "POST"
            uri                 = "arn:aws:apigateway:us-east-1:states:action/StartExecution"
            credentials         = var.role_arn
            passthroughBehavior = "never"
            requestTemplates = {
              "application/json" = "{\"stateMachineArn\": \"arn:aws:states:us-east-1:111122223333:stateMachine:orders\", \"name\": \"$context.requestId\", \"input\": \"$util.escapeJavaScript($input.json('$'))\"}"
            }
          }
        }
        options = { security = [] }
      }
    }
  })
}

# An HTTP API that lets the caller name the state machine: SG-API-008 fails.
resource "aws_apigatewayv2_api" "http" {
  name          = "http"
  protocol_type = "HTTP"
  body = jsonencode({
    openapi = "3.0.1"
    info    = { title = "http", version = "1" }
    paths = {
      "/jobs" = {
        post = {
          security = [{ sigv4 = [] }]
          x-amazon-apigateway-integration = {
            type               = "aws_proxy"
            integrationSubtype = "StepFunctions-StartExecution"
            credentials        = var.role_arn
            requestParameters  = { StateMachineArn = "$request.body.stateMachineArn", Name = "$context.requestId", Input = "$request.body" }
          }
        }
      }
    }
    components = { securitySchemes = { sigv4 = local.sigv4 } }
  })
}

# A body read from a file checkov does not evaluate: not evaluated, never failed.
resource "aws_api_gateway_rest_api" "from_file" {
  name = "from-file"
  body = file("${path.module}/openapi.yaml")
}
