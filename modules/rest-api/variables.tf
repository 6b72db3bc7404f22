variable "name" {
  description = "API name; also prefixes its integration role and log groups."
  type        = string
}

variable "arn_context" {
  description = "Partition, region and account id used to build literal ARNs and integration URIs."
  type = object({
    partition  = string
    region     = string
    account_id = string
  })
}

variable "version_label" {
  description = "Release label exposed as the stage variable `version` and injected into every execution input."
  type        = string
}

variable "stage_name" {
  description = "Stage name."
  type        = string
}

variable "routes" {
  description = "Routes by workflow key: HTTP method, path, target state machine (or alias) ARN, sync or async start, and the JSON Schema of the body (null accepts any JSON object)."
  type = map(object({
    method            = string
    path              = string
    state_machine_arn = string
    sync              = bool
    request_schema    = optional(string)
  }))
}

variable "authorization" {
  description = "Method authorization: AWS_IAM, COGNITO_USER_POOLS (with user pool ARNs and optional scopes) or NONE (already confirmed by the caller)."
  type = object({
    type                   = string
    cognito_user_pool_arns = list(string)
    authorization_scopes   = list(string)
  })
}

variable "throttling" {
  description = "Stage-wide steady-state rate (requests per second) and burst limits."
  type = object({
    rate_limit  = number
    burst_limit = number
  })
}

variable "xray_tracing_enabled" {
  description = "Enable X-Ray tracing on the stage."
  type        = bool
}

variable "execution_logging_level" {
  description = "API Gateway execution logging level (INFO or ERROR); full request/response data tracing is never enabled."
  type        = string
}

variable "logging" {
  description = "Retention (a value the root module's logging.retention_in_days allows) and optional KMS key for the access and execution log groups, and an optional custom access log format (JSON)."
  type = object({
    retention_in_days = number
    kms_key_arn       = optional(string)
    access_log_format = optional(string)
  })
}

variable "endpoint" {
  description = "Endpoint type (REGIONAL or PRIVATE) and, for PRIVATE, the VPC endpoint ids associated with the API."
  type = object({
    type             = string
    vpc_endpoint_ids = list(string)
  })
}

variable "resource_policy" {
  description = "Optional resource policy: only these principals may invoke, and only from these VPC endpoints or source IP ranges. null attaches no policy."
  type = object({
    allowed_principal_arns  = list(string)
    source_vpc_endpoint_ids = list(string)
    source_ip_cidrs         = list(string)
  })
  default = null
}

variable "approvals" {
  description = "Callback routes answering task tokens: POST <path>/approve (SendTaskSuccess) and POST <path>/reject (SendTaskFailure), with the method authorization scopes for COGNITO_USER_POOLS and, for AWS_IAM, the only principals the resource policy lets call them (empty: no such restriction). null adds no callback routes."
  type = object({
    path                    = string
    authorization_scopes    = list(string)
    reviewer_principal_arns = list(string)
  })
  default = null
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
}
