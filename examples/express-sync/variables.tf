variable "region" {
  description = "AWS region to deploy into."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix of every resource."
  type        = string
  default     = "stepgate-express"
}

variable "version_label" {
  description = "Release label injected into the stage variables, execution input and tags."
  type        = string
  default     = "1.0.0"
}
