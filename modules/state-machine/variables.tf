variable "name" {
  description = "State machine name; also names its execution role and log group. The ARN is built from it, so it must be unique in the account and region."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,58}$", var.name))
    error_message = "name must be 1-58 characters of letters, digits, '-' or '_' (the role name adds a suffix and must stay within 64 characters)."
  }
}

variable "arn_context" {
  description = "Partition, region and account id used to build literal ARNs at plan time."
  type = object({
    partition  = string
    region     = string
    account_id = string
  })
}

variable "definition" {
  description = "Amazon States Language definition as a JSON string."
  type        = string

  validation {
    condition     = can(jsondecode(var.definition).StartAt) && can(jsondecode(var.definition).States)
    error_message = "definition must be a JSON Amazon States Language document with StartAt and States."
  }
}

variable "type" {
  description = "STANDARD or EXPRESS."
  type        = string

  validation {
    condition     = contains(["STANDARD", "EXPRESS"], var.type)
    error_message = "type must be STANDARD or EXPRESS."
  }
}

variable "logging" {
  description = "Execution logging: level (ALL, ERROR, FATAL; OFF is not allowed), whether execution data is logged, log retention in days and an optional KMS key for the log group."
  type = object({
    level                  = string
    include_execution_data = bool
    retention_in_days      = number
    kms_key_arn            = optional(string)
  })

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL"], var.logging.level)
    error_message = "logging.level must be ALL, ERROR or FATAL."
  }

  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.logging.retention_in_days)
    error_message = "logging.retention_in_days must be a CloudWatch Logs retention value of at least 365 days."
  }
}

variable "tracing_enabled" {
  description = "Enable AWS X-Ray tracing of executions."
  type        = bool
}

variable "publish" {
  description = "Publish a version on every change and point the alias at it."
  type        = bool
}

variable "alias_name" {
  description = "Name of the alias created when publish is true."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.alias_name))
    error_message = "alias_name must be 1-80 characters of letters, digits, '-' or '_'."
  }
}

variable "encryption_kms_key_arn" {
  description = "Customer managed KMS key that encrypts the state machine definition and execution data at rest; null keeps the AWS owned key."
  type        = string
  default     = null
}

variable "integrations" {
  description = "Everything the workflow's Task states may touch, by kind. The execution role gets exactly the actions each kind needs on exactly these ARNs and nothing for kinds left empty."
  type = object({
    sqs_queue_arns          = list(string)
    sns_topic_arns          = list(string)
    dynamodb_table_arns     = list(string)
    dynamodb_actions        = list(string)
    lambda_function_arns    = list(string)
    event_bus_arns          = list(string)
    state_machine_arns      = list(string)
    state_machine_sync_arns = list(string)
    kms_key_arns            = list(string)
  })
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
}
