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
  # Generated strings would not look like the ARNs the submodules validate.
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::000000000000:role/mocked" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:us-east-1:000000000000:log-group:mocked" }
  }
  mock_resource "aws_api_gateway_rest_api" {
    defaults = { id = "a1b2c3d4e5", execution_arn = "arn:aws:execute-api:us-east-1:000000000000:a1b2c3d4e5" }
  }
  mock_resource "aws_apigatewayv2_api" {
    defaults = { id = "f6g7h8i9j0", execution_arn = "arn:aws:execute-api:us-east-1:000000000000:f6g7h8i9j0" }
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

run "cognito_needs_a_rest_api" {
  command = plan
  variables {
    api_type      = "HTTP"
    authorization = { type = "COGNITO_USER_POOLS", cognito_user_pool_arns = ["arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc"] }
  }
  expect_failures = [data.aws_partition.current]
}

run "request_schema_needs_a_rest_api" {
  command = plan
  variables {
    api_type = "HTTP"
    workflows = {
      flow = {
        route          = "POST /flow"
        definition     = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        request_schema = "{\"type\":\"object\"}"
      }
    }
  }
  expect_failures = [data.aws_partition.current]
}

run "unauthenticated_with_explicit_consent_plans" {
  command = plan
  variables {
    authorization = { type = "NONE", allow_unauthenticated = true }
  }
  assert {
    condition     = length(module.rest_api) == 1
    error_message = "NONE with allow_unauthenticated = true must be accepted"
  }
}

run "publish_routes_to_the_alias" {
  command = plan
  variables {
    workflows = {
      flow = {
        route      = "POST /flow"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        publish    = true
      }
    }
  }
  assert {
    condition     = output.routes["flow"].state_machine_arn == "arn:aws:states:us-east-1:000000000000:stateMachine:vt-flow:live"
    error_message = "a published workflow must be started through its alias"
  }
  assert {
    condition     = output.state_machine_alias_arns == { flow = "arn:aws:states:us-east-1:000000000000:stateMachine:vt-flow:live" }
    error_message = "the alias ARN must be an output"
  }
  assert {
    condition     = module.audit_stream[0].event_pattern.detail.stateMachineArn == tolist(["arn:aws:states:us-east-1:000000000000:stateMachine:vt-flow"])
    error_message = "status events name the state machine, not the alias: the audit rule must match the unqualified ARN"
  }
}

run "http_api_defaults_to_iam" {
  command = plan
  variables {
    api_type = "HTTP"
  }
  assert {
    condition     = length(module.http_api) == 1 && length(module.rest_api) == 0
    error_message = "api_type = HTTP must build an HTTP API only"
  }
}

run "audit_can_be_disabled" {
  command = plan
  variables {
    audit = { enabled = false }
  }
  assert {
    condition     = length(module.audit_stream) == 0 && output.audit_rule_arn == null
    error_message = "audit.enabled = false must not create the audit stream"
  }
}

run "firehose_audit_target_needs_a_role" {
  command = plan
  variables {
    audit = { extra_targets = { archive = { arn = "arn:aws:firehose:us-east-1:000000000000:deliverystream/audit" } } }
  }
  expect_failures = [var.audit]
}

run "sqs_audit_target_takes_no_role" {
  command = plan
  variables {
    audit = { extra_targets = { queue = { arn = "arn:aws:sqs:us-east-1:000000000000:audit", role_arn = "arn:aws:iam::000000000000:role/audit" } } }
  }
  expect_failures = [var.audit]
}

run "tags_cannot_override_the_version" {
  command = plan
  variables {
    tags = { "stepgate:version" = "forged" }
  }
  expect_failures = [var.tags]
}

run "dynamodb_actions_are_item_level_only" {
  command = plan
  variables {
    workflows = {
      flow = {
        route      = "POST /flow"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        integrations = {
          dynamodb_table_arns = ["arn:aws:dynamodb:us-east-1:000000000000:table/items"]
          dynamodb_actions    = ["dynamodb:Scan"]
        }
      }
    }
  }
  expect_failures = [var.workflows]
}
