# Kept apart so that tests/plan/test_sourced_orders.py can call copies of this configuration as modules
# of one root (one plan for every case), with this file in that root.
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}
