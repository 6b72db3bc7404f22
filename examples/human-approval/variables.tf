variable "region" {
  description = "AWS region to deploy into."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix of every resource."
  type        = string
  default     = "stepgate-approval"
}

variable "version_label" {
  description = "Release label injected into the stage variables, execution input and tags."
  type        = string
  default     = "1.0.0"
}

variable "reviewer_principal_arns" {
  description = "IAM roles or users that alone may call the approve / reject routes (a Deny in the API's resource policy for everyone else); empty: every caller whose IAM policy allows execute-api:Invoke on them."
  type        = list(string)
  default     = []
}
