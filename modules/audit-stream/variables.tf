variable "name" {
  description = "Prefix of the rule and audit log group names."
  type        = string
}

variable "arn_context" {
  description = "Partition, region and account id used to build literal ARNs."
  type = object({
    partition  = string
    region     = string
    account_id = string
  })
}

variable "state_machine_arns" {
  description = "Literal ARNs of the STANDARD state machines whose terminal status changes are audited."
  type        = list(string)
}

variable "retention_in_days" {
  description = "Audit log group retention in days (a value the root module's logging.retention_in_days allows)."
  type        = number
}

variable "kms_key_arn" {
  description = "Optional KMS key encrypting the audit log group."
  type        = string
  default     = null
}

variable "extra_targets" {
  description = "Additional durable targets (Firehose stream, SQS queue, another event bus) by id; role_arn is required for Firehose and event buses. The target's own resource policy is the caller's."
  type = map(object({
    arn      = string
    role_arn = optional(string)
  }))
  default = {}
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
}
