variable "name" {
  description = "Role name (one integration role per API)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.name))
    error_message = "name must be a valid IAM role name of at most 64 characters."
  }
}

variable "account_id" {
  description = "Account id the API lives in, for the aws:SourceAccount trust condition."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be a 12-digit AWS account id."
  }
}

variable "source_arn_pattern" {
  description = "execute-api ARN pattern of the one API allowed to assume the role (aws:SourceArn)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:execute-api:[a-z0-9-]+:[0-9]{12}:[a-z0-9]+/", var.source_arn_pattern))
    error_message = "source_arn_pattern must be the execute-api ARN of one API followed by a path pattern."
  }
}

variable "routes" {
  description = "Routed targets: for each route, the state machine (or alias) ARN it starts and whether it starts it synchronously."
  type = map(object({
    state_machine_arn = string
    sync              = bool
  }))

  validation {
    condition     = length(var.routes) > 0
    error_message = "routes must contain at least one route."
  }

  validation {
    condition     = alltrue([for r in values(var.routes) : can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]+(:[A-Za-z0-9_-]+)?$", r.state_machine_arn))])
    error_message = "every route must start an exact state machine (or alias) ARN."
  }
}

variable "tags" {
  description = "Tags applied to the role."
  type        = map(string)

  validation {
    condition     = alltrue([for key, value in var.tags : length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:")])
    error_message = "tags keys must be 1-128 characters and must not start with 'aws:'; values at most 256 characters."
  }
}
