# A team's configuration in its own repository: an invoice workflow behind POST /invoices, calling the
# stepgate module by a git URL (the consumer test points it at the checkout under test).
data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  topic_name = "${var.name}-announcements"
  topic_arn  = "arn:${data.aws_partition.current.partition}:sns:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:${local.topic_name}"
}

resource "aws_sns_topic" "announcements" {
  name              = local.topic_name
  kms_master_key_id = "alias/aws/sns"
}

module "invoices" {
  source = "git::file:///path/to/stepgate"

  name          = var.name
  version_label = "2.3.0"

  api = {
    stage_name              = "live"
    xray_tracing            = true
    execution_logging_level = "INFO"
  }

  workflows = {
    book-invoice = {
      route          = "POST /invoices"
      definition     = templatefile("${path.module}/book-invoice.asl.json", { topic_arn = local.topic_arn })
      type           = "STANDARD"
      invocation     = "async"
      request_schema = file("${path.module}/invoice.schema.json")
      # The secure defaults, spelled out so static scanners that cannot evaluate optional() see them.
      logging_level          = "ALL"
      include_execution_data = true
      tracing                = true
      integrations = {
        sns_topic_arns = [local.topic_arn]
      }
    }
  }
}
