variable "queue" {
  type = string
}

variable "label" {
  type = string
}

variable "suffix" {
  type    = string
  default = "dlq"
}

resource "aws_sqs_queue" "dead" {
  name = "${var.label}-${var.suffix}"
}

output "arn" {
  value = aws_sqs_queue.dead.arn
}

output "label" {
  value = var.label
}
