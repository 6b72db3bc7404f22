variable "name" {
  description = "API name; also prefixes its integration role and log group."
  type        = string
}

variable "arn_context" {
  description = "Partition, region and account id."
  type = object({
    partition  = string
    region     = string
    account_id = string
  })
}

variable "version_label" {
  description = "Release label exposed as the stage variable `version` and in tags."
  type        = string
}

variable "routes" {
  description = "Routes by workflow key: HTTP method, path, target state machine (or alias) ARN and sync or async start."
  type = map(object({
    method            = string
    path              = string
    state_machine_arn = string
    sync              = bool
  }))
}

variable "authorization" {
  description = "Route authorization: AWS_IAM, JWT (issuer, audiences, optional scopes) or NONE (already confirmed by the caller)."
  type = object({
    type = string
    jwt = optional(object({
      issuer    = string
      audiences = list(string)
    }))
    authorization_scopes = list(string)
  })
}

variable "throttling" {
  description = "Default-route steady-state rate (requests per second) and burst limits."
  type = object({
    rate_limit  = number
    burst_limit = number
  })
}

variable "logging" {
  description = "Retention (a value the root module's logging.retention_in_days allows) and optional KMS key for the access log group, and an optional custom access log format (JSON)."
  type = object({
    retention_in_days = number
    kms_key_arn       = optional(string)
    access_log_format = optional(string)
  })
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
}
