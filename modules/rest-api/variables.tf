variable "name" {
  description = "API name; also prefixes its integration role and log groups."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,31}$", var.name))
    error_message = "name must start with a letter and be at most 32 letters, digits or '-'."
  }
}

variable "arn_context" {
  description = "Partition, region and account id used to build literal ARNs and integration URIs."
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

variable "version_label" {
  description = "Release label exposed as the stage variable `version` and injected into every execution input."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,64}$", var.version_label))
    error_message = "version_label must be 1-64 letters, digits, '.', '_' or '-'."
  }
}

variable "stage_name" {
  description = "Stage name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.stage_name))
    error_message = "stage_name must be 1-64 letters, digits, '-' or '_'."
  }
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

  validation {
    condition     = alltrue([for r in values(var.routes) : length(split("/", trimprefix(r.path, "/"))) <= 5])
    error_message = "route paths may have at most 5 segments."
  }

  validation {
    condition     = alltrue([for r in values(var.routes) : contains(["GET", "POST", "PUT", "PATCH", "DELETE"], r.method) && startswith(r.path, "/") && can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)?$", r.state_machine_arn))])
    error_message = "every route needs a method (GET, POST, PUT, PATCH, DELETE), a path starting with '/' and an exact state machine (or alias) ARN."
  }
}

variable "authorization" {
  description = "Method authorization: AWS_IAM, COGNITO_USER_POOLS (with user pool ARNs and optional scopes) or NONE (already confirmed by the caller)."
  type = object({
    type                   = string
    cognito_user_pool_arns = list(string)
    authorization_scopes   = list(string)
  })

  # Which types a REST API accepts is checked once, by the root module, next to the api_type it depends on.
  validation {
    condition     = var.authorization.type != "COGNITO_USER_POOLS" || length(var.authorization.cognito_user_pool_arns) > 0
    error_message = "COGNITO_USER_POOLS authorization needs at least one user pool ARN."
  }
}

variable "throttling" {
  description = "Stage-wide steady-state rate (requests per second) and burst limits."
  type = object({
    rate_limit  = number
    burst_limit = number
  })

  validation {
    condition     = var.throttling.rate_limit > 0 && var.throttling.burst_limit > 0 && var.throttling.burst_limit <= 5000
    error_message = "throttling needs a positive rate_limit and a burst_limit between 1 and 5000."
  }
}

variable "xray_tracing_enabled" {
  description = "Enable X-Ray tracing on the stage."
  type        = bool
}

variable "execution_logging_level" {
  description = "API Gateway execution logging level (INFO or ERROR); full request/response data tracing is never enabled."
  type        = string

  validation {
    condition     = contains(["INFO", "ERROR"], var.execution_logging_level)
    error_message = "execution_logging_level must be INFO or ERROR."
  }
}

variable "logging" {
  description = "Retention and optional KMS key for the access and execution log groups, and an optional custom access log format (JSON)."
  type = object({
    retention_in_days = number
    kms_key_arn       = optional(string)
    access_log_format = optional(string)
  })

  validation {
    condition     = var.logging.retention_in_days >= 365 && (var.logging.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.logging.kms_key_arn)))
    error_message = "logging needs a retention of at least 365 days and, if given, a KMS key ARN."
  }

  validation {
    condition     = var.logging.access_log_format == null || can(jsondecode(var.logging.access_log_format).requestId)
    error_message = "logging.access_log_format must be a JSON object that records at least requestId."
  }
}

variable "endpoint" {
  description = "Endpoint type (REGIONAL or PRIVATE) and, for PRIVATE, the VPC endpoint ids associated with the API."
  type = object({
    type             = string
    vpc_endpoint_ids = list(string)
  })

  validation {
    condition     = contains(["REGIONAL", "PRIVATE"], var.endpoint.type) && (var.endpoint.type == "REGIONAL" || length(var.endpoint.vpc_endpoint_ids) > 0)
    error_message = "endpoint.type must be REGIONAL or PRIVATE; PRIVATE needs vpc_endpoint_ids."
  }
}

variable "resource_policy" {
  description = "Optional resource policy: only these principals may invoke, and only from these VPC endpoints or source IP ranges. null attaches no policy."
  type = object({
    allowed_principal_arns  = list(string)
    source_vpc_endpoint_ids = list(string)
    source_ip_cidrs         = list(string)
  })
  default = null

  validation {
    condition     = var.resource_policy == null || alltrue([for cidr in try(var.resource_policy.source_ip_cidrs, []) : can(cidrhost(cidr, 0))])
    error_message = "resource_policy.source_ip_cidrs must be CIDR blocks."
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
