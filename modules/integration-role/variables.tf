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
}

variable "source_arn_pattern" {
  description = "execute-api ARN pattern of the one API allowed to assume the role (aws:SourceArn)."
  type        = string
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
}

variable "tags" {
  description = "Tags applied to the role."
  type        = map(string)
}
