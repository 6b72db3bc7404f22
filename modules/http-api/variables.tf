variable "name" {
  description = "API name; also prefixes its integration role and log group."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,31}$", var.name))
    error_message = "name must start with a letter and be at most 32 letters, digits or '-'."
  }
}

variable "arn_context" {
  description = "Partition, region and account id."
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
  description = "Release label exposed as the stage variable `version` and in tags."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,64}$", var.version_label))
    error_message = "version_label must be 1-64 letters, digits, '.', '_' or '-'."
  }
}

variable "routes" {
  description = "Routes by workflow key: HTTP method, path, target state machine (or alias) ARN and sync or async start."
  type = map(object({
    method            = string
    path              = string
    state_machine_arn = string
    sync              = bool
  }))

  validation {
    condition     = alltrue([for r in values(var.routes) : contains(["GET", "POST", "PUT", "PATCH", "DELETE"], r.method) && startswith(r.path, "/") && can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)?$", r.state_machine_arn))])
    error_message = "every route needs a method (GET, POST, PUT, PATCH, DELETE), a path starting with '/' and an exact state machine (or alias) ARN."
  }
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

  # Which types an HTTP API accepts is checked once, by the root module, next to the api_type it depends on.
  validation {
    condition     = var.authorization.type != "JWT" || var.authorization.jwt != null
    error_message = "JWT authorization needs jwt.issuer and jwt.audiences."
  }
}

variable "throttling" {
  description = "Default-route steady-state rate (requests per second) and burst limits."
  type = object({
    rate_limit  = number
    burst_limit = number
  })

  validation {
    condition     = var.throttling.rate_limit > 0 && var.throttling.burst_limit > 0 && var.throttling.burst_limit <= 5000
    error_message = "throttling needs a positive rate_limit and a burst_limit between 1 and 5000."
  }
}

variable "logging" {
  description = "Retention and optional KMS key for the access log group, and an optional custom access log format (JSON)."
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

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)

  validation {
    condition     = alltrue([for key, value in var.tags : length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:")])
    error_message = "tags keys must be 1-128 characters and must not start with 'aws:'; values at most 256 characters."
  }
}
