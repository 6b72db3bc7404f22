# The API is defined by an OpenAPI body rendered with templatefile(): the role and the machine it names
# are only known after apply, so the plan has no body at all.
data "aws_region" "current" {}

resource "aws_api_gateway_rest_api" "orders" {
  name = "${local.name}-api"
  body = templatefile("${path.module}/openapi.yaml", {
    region         = data.aws_region.current.region
    start_role_arn = aws_iam_role.api.arn
    machine_arn    = module.workflow.arn
  })
}

resource "aws_iam_role" "api" {
  name_prefix = "${local.name}-api-"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "apigateway.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id }
        ArnLike      = { "aws:SourceArn" = "arn:aws:execute-api:*:${data.aws_caller_identity.current.account_id}:*" }
      }
    }]
  })

  inline_policy {
    name = "start-orders"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "states:StartExecution", Resource = module.workflow.arn }]
    })
  }
}
