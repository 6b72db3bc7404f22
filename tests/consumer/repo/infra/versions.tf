terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0"
    }
  }

  # A team's own remote state: stepgate never reads or writes it (it plans and applies a scratch copy
  # with a local state of its own).
  backend "s3" {
    bucket = "acme-terraform-state"
    key    = "invoices/terraform.tfstate"
    region = "eu-west-1"
  }
}

provider "aws" {
  region = var.region
}
