variable "region" {
  description = "AWS region to deploy into."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name prefix of every resource."
  type        = string
  default     = "stepgate-jwt"
}

variable "version_label" {
  description = "Release label injected into the stage variables and tags."
  type        = string
  default     = "1.0.0"
}

variable "jwt_issuer" {
  description = "OIDC issuer URL of the identity provider (Okta authorization server, Cognito user pool, ...)."
  type        = string
  default     = "https://example.okta.com/oauth2/default"

  validation {
    condition     = startswith(var.jwt_issuer, "https://")
    error_message = "jwt_issuer must be an https:// URL."
  }
}

variable "jwt_audiences" {
  description = "Accepted audiences (the `aud` claim; for Cognito, the app client ids)."
  type        = list(string)
  default     = ["api://stepgate-orders"]

  validation {
    condition     = length(var.jwt_audiences) > 0
    error_message = "jwt_audiences needs at least one audience."
  }
}
