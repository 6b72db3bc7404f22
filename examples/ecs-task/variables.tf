variable "region" {
  description = "AWS region to deploy into."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix of every resource."
  type        = string
  default     = "stepgate-ecs"
}

variable "version_label" {
  description = "Release label injected into the stage variables, execution input and tags."
  type        = string
  default     = "1.0.0"
}

variable "subnet_ids" {
  description = "Private subnets the Fargate task runs in (literal ids, so the workflow definition is known at plan time)."
  type        = list(string)
  default     = ["subnet-0123456789abcdef0"]

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for id in var.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))])
    error_message = "subnet_ids needs at least one subnet id (subnet-...)."
  }
}

variable "security_group_ids" {
  description = "Security groups of the Fargate task (literal ids)."
  type        = list(string)
  default     = ["sg-0123456789abcdef0"]

  validation {
    condition     = length(var.security_group_ids) > 0 && alltrue([for id in var.security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", id))])
    error_message = "security_group_ids needs at least one security group id (sg-...)."
  }
}

variable "image_repository" {
  description = "Name of the ECR repository (in this account and region) holding the report image."
  type        = string
  default     = "stepgate-reports"
}

variable "image_tag" {
  description = "Tag of the report image."
  type        = string
  default     = "1.0.0"
}
