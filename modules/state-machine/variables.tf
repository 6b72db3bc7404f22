variable "name" {
  description = "State machine name; also names its execution role and log group. The ARN is built from it, so it must be unique in the account and region."
  type        = string
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
}

variable "type" {
  description = "STANDARD or EXPRESS."
  type        = string
}

variable "logging" {
  description = "Execution logging: level (ALL, ERROR or FATAL; the root module never passes OFF), whether execution data is logged, log retention in days (a value the root module's logging.retention_in_days allows) and an optional KMS key for the log group."
  type = object({
    level                  = string
    include_execution_data = bool
    retention_in_days      = number
    kms_key_arn            = optional(string)
  })
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
}

variable "encryption_kms_key_arn" {
  description = "Customer managed KMS key that encrypts the state machine definition and execution data at rest; null keeps the AWS owned key."
  type        = string
  default     = null
}

variable "integrations" {
  description = "Everything the workflow's Task states may touch, by kind (formats checked by the root module's workflows variable). The execution role gets exactly the actions each kind needs on exactly these ARNs and nothing for kinds left empty; ecs = null grants nothing for ECS."
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
    ecs = optional(object({
      task_definition_arns = list(string)
      cluster_arns         = list(string)
      pass_role_arns       = list(string)
      sync                 = bool
    }))
  })
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
}
