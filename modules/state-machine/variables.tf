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

  validation {
    condition     = can(regex("^aws(-[a-z]+)*$", var.arn_context.partition)) && can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.arn_context.region)) && can(regex("^[0-9]{12}$", var.arn_context.account_id))
    error_message = "arn_context needs a partition (aws, aws-cn, aws-us-gov), a region such as eu-west-1 and a 12-digit account id."
  }
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

  validation {
    condition     = var.logging.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.logging.kms_key_arn))
    error_message = "logging.kms_key_arn must be a KMS key ARN."
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

  validation {
    condition     = var.encryption_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.encryption_kms_key_arn))
    error_message = "encryption_kms_key_arn must be a KMS key ARN."
  }
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

  validation {
    condition     = alltrue([for arn in flatten([for kind, values in var.integrations : values if kind != "dynamodb_actions"]) : can(regex("^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]+:[0-9]{12}:[^*?]+$", arn))])
    error_message = "integrations must list exact ARNs of this partition (no wildcards); the root module checks each kind's format."
  }

  validation {
    condition     = alltrue([for action in var.integrations.dynamodb_actions : can(regex("^dynamodb:[A-Za-z]+Item$|^dynamodb:Query$", action))])
    error_message = "integrations.dynamodb_actions may only hold DynamoDB item actions and Query."
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
