variable "prefix" {
  type = string
}

locals {
  queues = { jobs = "${var.prefix}-jobs", audit = "${var.prefix}-audit" }
  send   = ["sqs:SendMessage"]
}

resource "aws_sqs_queue" "q" {
  for_each = local.queues
  name     = each.value
}

module "sender" {
  source   = "./modules/queue"
  for_each = local.queues
  queue    = aws_sqs_queue.q[each.key].arn
  label    = each.value
}

resource "aws_iam_policy" "send" {
  name = "send"
  policy = jsonencode({
    Statement = [for key, name in local.queues : {
      Sid      = replace(module.sender[key].label, "-", "")
      Effect   = "Allow"
      Action   = local.send
      Resource = [aws_sqs_queue.q[key].arn, module.sender[key].arn]
    }]
  })
}

resource "aws_iam_policy" "opaque" {
  name   = "opaque"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sqs:*", Resource = cidrhost("10.0.0.0/16", 1) }] })
}

resource "aws_iam_role" "sender" {
  name               = "sender"
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "states.amazonaws.com" } }] })

  inline_policy {
    name   = "send"
    policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sqs:SendMessage", Resource = aws_sqs_queue.q["jobs"].arn }] })
  }
}
