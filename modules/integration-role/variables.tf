variable "name" {
  description = "Name of the start role (one per API)."
  type        = string
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
}

variable "callback_role_name" {
  description = "Name of a second role, for callback routes, that may only answer task tokens (states:SendTaskSuccess, SendTaskFailure); null creates none."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags applied to the role."
  type        = map(string)
}
