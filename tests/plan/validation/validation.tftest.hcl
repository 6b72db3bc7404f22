# Input validation of the root module, planned offline with a mocked aws provider:
# `tofu test -test-directory=tests/plan/validation` from the module root (tests/plan/test_validation.py).

mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_region" {
    defaults = { region = "us-east-1", name = "us-east-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "000000000000" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name          = "vt"
  version_label = "1.0.0"
  workflows = {
    flow = {
      route      = "POST /flow"
      definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
    }
  }
}

run "secure_defaults_plan" {
  command = plan

  assert {
    condition     = module.state_machine["flow"].arn == "arn:aws:states:us-east-1:000000000000:stateMachine:vt-flow"
    error_message = "the state machine ARN must be literal at plan time"
  }
  assert {
    condition     = output.routes["flow"].state_machine_arn == "arn:aws:states:us-east-1:000000000000:stateMachine:vt-flow"
    error_message = "the route must start the literal state machine ARN"
  }
  assert {
    condition     = length(module.rest_api) == 1 && length(module.http_api) == 0 && length(module.audit_stream) == 1
    error_message = "defaults: a REST API and an audit stream for the STANDARD workflow"
  }
  assert {
    condition     = length(aws_kms_key.logs) == 1
    error_message = "defaults: a KMS key for the log groups"
  }
}

run "express_only_has_no_audit_rule" {
  command = plan
  variables {
    workflows = {
      quick = {
        route      = "POST /quick"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        type       = "EXPRESS"
        invocation = "sync"
      }
    }
  }
  assert {
    condition     = length(module.audit_stream) == 0
    error_message = "EXPRESS workflows are audited through their log group, not an EventBridge rule"
  }
}

run "sync_requires_express" {
  command = plan
  variables {
    workflows = {
      flow = {
        route      = "POST /flow"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        type       = "STANDARD"
        invocation = "sync"
      }
    }
  }
  expect_failures = [var.workflows]
}

run "route_needs_method_and_path" {
  command = plan
  variables {
    workflows = {
      flow = {
        route      = "/flow"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
      }
    }
  }
  expect_failures = [var.workflows]
}

run "integration_arns_cannot_be_wildcards" {
  command = plan
  variables {
    workflows = {
      flow = {
        route        = "POST /flow"
        definition   = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        integrations = { sqs_queue_arns = ["arn:aws:sqs:us-east-1:000000000000:*"] }
      }
    }
  }
  expect_failures = [var.workflows]
}

run "express_must_log_everything" {
  command = plan
  variables {
    workflows = {
      quick = {
        route         = "POST /quick"
        definition    = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        type          = "EXPRESS"
        logging_level = "ERROR"
      }
    }
  }
  expect_failures = [var.workflows]
}

run "definition_must_be_asl" {
  command = plan
  variables {
    workflows = {
      flow = {
        route      = "POST /flow"
        definition = "{\"Comment\":\"no states\"}"
      }
    }
  }
  expect_failures = [var.workflows]
}

run "unauthenticated_needs_explicit_consent" {
  command = plan
  variables {
    authorization = { type = "NONE" }
  }
  expect_failures = [var.authorization]
}

run "retention_below_a_year_is_refused" {
  command = plan
  variables {
    logging = { retention_in_days = 30 }
  }
  expect_failures = [var.logging]
}

run "jwt_needs_an_http_api" {
  command = plan
  variables {
    authorization = { type = "JWT", jwt = { issuer = "https://idp.example.com/", audiences = ["api"] } }
  }
  expect_failures = [data.aws_partition.current]
}

run "jwt_needs_issuer_and_audience" {
  command = plan
  variables {
    api_type      = "HTTP"
    authorization = { type = "JWT", jwt = { issuer = "http://idp.example.com/", audiences = [] } }
  }
  expect_failures = [var.authorization]
}
