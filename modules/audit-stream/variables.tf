variable "name" {
  description = "Prefix of the rule and audit log group names."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,31}$", var.name))
    error_message = "name must start with a letter and be at most 32 letters, digits or '-'."
  }
}

variable "arn_context" {
  description = "Partition, region and account id used to build literal ARNs."
  type = object({
    partition  = string
    region     = string
    account_id = string
  })

  validation {
    condition     = can(regex("^aws(-[a-z]+)*$", var.arn_context.partition)) && can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.arn_context.region)) && can(regex("^[0-9]{12}$", var.arn_context.account_id))
    error_message = "arn_context needs a partition (aws, aws-cn, aws-us-gov), a region such as eu-west-1 and a 12-digit account id."
  }
}

variable "state_machine_arns" {
  description = "Literal ARNs of the STANDARD state machines whose terminal status changes are audited."
  type        = list(string)

  validation {
    condition     = length(var.state_machine_arns) > 0
    error_message = "state_machine_arns must name at least one STANDARD state machine."
  }

  validation {
    condition     = alltrue([for arn in var.state_machine_arns : can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]+$", arn))])
    error_message = "state_machine_arns must be exact, unqualified state machine ARNs (status events name the state machine, not its versions or aliases)."
  }
}

variable "retention_in_days" {
  description = "Audit log group retention (at least 365 days)."
  type        = number

  validation {
    condition     = var.retention_in_days >= 365
    error_message = "retention_in_days must be at least 365."
  }
}

variable "kms_key_arn" {
  description = "Optional KMS key encrypting the audit log group."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "extra_targets" {
  description = "Additional durable targets (Firehose stream, SQS queue, another event bus) by id; role_arn is required for Firehose and event buses. The target's own resource policy is the caller's."
  type = map(object({
    arn      = string
    role_arn = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for id, t in var.extra_targets : can(regex("^[A-Za-z0-9_.-]{1,64}$", id)) && id != "audit-log-group" && can(regex("^arn:aws[a-z-]*:(firehose|sqs|events):", t.arn))])
    error_message = "extra_targets ids must be 1-64 letters, digits, '.', '_' or '-' other than 'audit-log-group', and targets Firehose streams, SQS queues or event buses."
  }
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)

  validation {
    condition     = alltrue([for key, value in var.tags : length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:")])
    error_message = "tags keys must be 1-128 characters and must not start with 'aws:'; values at most 256 characters."
  }
}
