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

# --- names, labels, tags -------------------------------------------------------------------------

run "name_must_start_with_a_letter" {
  command = plan
  variables {
    name = "1-bad"
  }
  expect_failures = [var.name]
}

run "version_label_has_no_spaces" {
  command = plan
  variables {
    version_label = "1.0 beta"
  }
  expect_failures = [var.version_label]
}

run "tags_cannot_use_the_aws_prefix" {
  command = plan
  variables {
    tags = { "aws:owner" = "me" }
  }
  expect_failures = [var.tags]
}

run "api_type_is_rest_or_http" {
  command = plan
  variables {
    api_type = "WEBSOCKET"
  }
  expect_failures = [var.api_type]
}

# --- workflows -----------------------------------------------------------------------------------

run "workflows_cannot_be_empty" {
  command = plan
  variables {
    workflows = {}
  }
  expect_failures = [var.workflows]
}

run "workflow_keys_are_lower_case" {
  command = plan
  variables {
    workflows = {
      Flow = {
        route      = "POST /flow"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
      }
    }
  }
  expect_failures = [var.workflows]
}

run "workflow_keys_stay_distinct_without_dashes" {
  command = plan
  variables {
    workflows = {
      a-b = {
        route      = "POST /one"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
      }
      ab = {
        route      = "POST /two"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
      }
    }
  }
  expect_failures = [var.workflows]
}

run "two_workflows_cannot_share_a_route" {
  command = plan
  variables {
    workflows = {
      one = {
        route      = "POST /same"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
      }
      two = {
        route      = "POST /same"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
      }
    }
  }
  expect_failures = [var.workflows]
}

run "workflow_type_is_standard_or_express" {
  command = plan
  variables {
    workflows = {
      flow = {
        route      = "POST /flow"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        type       = "BATCH"
      }
    }
  }
  expect_failures = [var.workflows]
}

run "workflow_invocation_is_async_or_sync" {
  command = plan
  variables {
    workflows = {
      flow = {
        route      = "POST /flow"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        invocation = "later"
      }
    }
  }
  expect_failures = [var.workflows]
}

run "request_schema_must_be_a_json_schema" {
  command = plan
  variables {
    workflows = {
      flow = {
        route          = "POST /flow"
        definition     = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        request_schema = "{\"properties\":{}}"
      }
    }
  }
  expect_failures = [var.workflows]
}

run "logging_level_off_is_refused" {
  command = plan
  variables {
    workflows = {
      flow = {
        route         = "POST /flow"
        definition    = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        logging_level = "OFF"
      }
    }
  }
  expect_failures = [var.workflows]
}

run "workflow_kms_key_must_be_a_key_arn" {
  command = plan
  variables {
    workflows = {
      flow = {
        route       = "POST /flow"
        definition  = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        kms_key_arn = "alias/my-key"
      }
    }
  }
  expect_failures = [var.workflows]
}

run "rest_routes_have_at_most_five_segments" {
  command = plan
  variables {
    workflows = {
      flow = {
        route      = "POST /a/b/c/d/e/f"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
      }
    }
  }
  expect_failures = [data.aws_partition.current]
}

# --- ECS integrations ----------------------------------------------------------------------------

run "ecs_statements_are_exact" {
  command = plan
  variables {
    workflows = {
      flow = {
        route      = "POST /flow"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        integrations = {
          ecs = {
            task_definition_arns = ["arn:aws:ecs:us-east-1:000000000000:task-definition/report", "arn:aws:ecs:us-east-1:000000000000:task-definition/export:7"]
            cluster_arns         = ["arn:aws:ecs:us-east-1:000000000000:cluster/reports"]
            pass_role_arns       = ["arn:aws:iam::000000000000:role/report-task", "arn:aws:iam::000000000000:role/report-task-exec"]
            sync                 = true
          }
        }
      }
    }
  }
  assert {
    condition = jsonencode(module.state_machine["flow"].integration_statements) == jsonencode([
      {
        sid        = "EcsRunTask"
        actions    = ["ecs:RunTask"]
        resources  = ["arn:aws:ecs:us-east-1:000000000000:task-definition/export:7", "arn:aws:ecs:us-east-1:000000000000:task-definition/report:*"]
        conditions = [{ test = "ArnEquals", variable = "ecs:cluster", values = ["arn:aws:ecs:us-east-1:000000000000:cluster/reports"] }]
      },
      {
        sid        = "TrackEcsSyncTasks"
        actions    = ["ecs:DescribeTasks", "ecs:StopTask"]
        resources  = ["arn:aws:ecs:us-east-1:000000000000:task/reports/*"]
        conditions = []
      },
      {
        sid        = "ManagedRuleForEcsSyncTasks"
        actions    = ["events:DescribeRule", "events:PutRule", "events:PutTargets"]
        resources  = ["arn:aws:events:us-east-1:000000000000:rule/StepFunctionsGetEventsForECSTaskRule"]
        conditions = []
      },
      {
        sid        = "PassTaskRolesToEcs"
        actions    = ["iam:PassRole"]
        resources  = ["arn:aws:iam::000000000000:role/report-task", "arn:aws:iam::000000000000:role/report-task-exec"]
        conditions = [{ test = "StringEquals", variable = "iam:PassedToService", values = ["ecs-tasks.amazonaws.com"] }]
      },
    ])
    error_message = "ECS: RunTask on FAMILY:* and the exact revision, only on the declared cluster; .sync tracking on that cluster's tasks and the managed rule; PassRole on exactly the declared roles, only to ECS tasks"
  }
}

run "ecs_without_clusters_or_roles" {
  command = plan
  variables {
    workflows = {
      flow = {
        route      = "POST /flow"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        integrations = {
          ecs = {
            task_definition_arns = ["arn:aws:ecs:us-east-1:000000000000:task-definition/report:3"]
            sync                 = true
          }
        }
      }
    }
  }
  assert {
    condition     = [for s in module.state_machine["flow"].integration_statements : s.sid] == ["EcsRunTask", "TrackEcsSyncTasks", "ManagedRuleForEcsSyncTasks"]
    error_message = "no PassRole statement when no role is declared"
  }
  assert {
    condition     = length(module.state_machine["flow"].integration_statements[0].conditions) == 0
    error_message = "no ecs:cluster condition when no cluster is declared"
  }
  assert {
    condition     = module.state_machine["flow"].integration_statements[1].resources == tolist(["arn:aws:ecs:us-east-1:000000000000:task/default/*"])
    error_message = ".sync tracks the tasks of the default cluster when no cluster is declared"
  }
}

run "ecs_without_sync_only_runs_tasks" {
  command = plan
  variables {
    workflows = {
      flow = {
        route      = "POST /flow"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        integrations = {
          ecs = { task_definition_arns = ["arn:aws:ecs:us-east-1:000000000000:task-definition/report"] }
        }
      }
    }
  }
  assert {
    condition     = [for s in module.state_machine["flow"].integration_statements : s.sid] == ["EcsRunTask"]
    error_message = "without sync the role may only run the task"
  }
}

run "no_integrations_no_statements" {
  command = plan
  assert {
    condition     = length(module.state_machine["flow"].integration_statements) == 0
    error_message = "a workflow that declares nothing gets no integration statement"
  }
}

run "ecs_needs_a_task_definition" {
  command = plan
  variables {
    workflows = {
      flow = {
        route        = "POST /flow"
        definition   = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        integrations = { ecs = { task_definition_arns = [] } }
      }
    }
  }
  expect_failures = [var.workflows]
}

run "ecs_task_definition_cannot_be_a_wildcard" {
  command = plan
  variables {
    workflows = {
      flow = {
        route        = "POST /flow"
        definition   = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        integrations = { ecs = { task_definition_arns = ["arn:aws:ecs:us-east-1:000000000000:task-definition/report:*"] } }
      }
    }
  }
  expect_failures = [var.workflows]
}

run "ecs_cluster_must_be_a_cluster_arn" {
  command = plan
  variables {
    workflows = {
      flow = {
        route      = "POST /flow"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        integrations = { ecs = {
          task_definition_arns = ["arn:aws:ecs:us-east-1:000000000000:task-definition/report"]
          cluster_arns         = ["reports"]
        } }
      }
    }
  }
  expect_failures = [var.workflows]
}

run "ecs_pass_role_is_never_a_wildcard" {
  command = plan
  variables {
    workflows = {
      flow = {
        route      = "POST /flow"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
        integrations = { ecs = {
          task_definition_arns = ["arn:aws:ecs:us-east-1:000000000000:task-definition/report"]
          pass_role_arns       = ["arn:aws:iam::000000000000:role/*"]
        } }
      }
    }
  }
  expect_failures = [var.workflows]
}

# --- authorization, api, logging, audit ----------------------------------------------------------

run "authorization_type_is_known" {
  command = plan
  variables {
    authorization = { type = "API_KEY" }
  }
  expect_failures = [var.authorization]
}

run "cognito_needs_a_user_pool" {
  command = plan
  variables {
    authorization = { type = "COGNITO_USER_POOLS" }
  }
  expect_failures = [var.authorization]
}

run "stage_name_has_no_spaces" {
  command = plan
  variables {
    api = { stage_name = "v 1" }
  }
  expect_failures = [var.api]
}

run "throttling_needs_positive_limits" {
  command = plan
  variables {
    api = { throttling = { rate_limit = 0, burst_limit = 100 } }
  }
  expect_failures = [var.api]
}

run "execution_logging_never_traces_data" {
  command = plan
  variables {
    api = { execution_logging_level = "OFF" }
  }
  expect_failures = [var.api]
}

run "endpoint_type_is_regional_or_private" {
  command = plan
  variables {
    api = { endpoint_type = "EDGE" }
  }
  expect_failures = [var.api]
}

run "private_api_needs_endpoints_and_a_policy" {
  command = plan
  variables {
    api = { endpoint_type = "PRIVATE" }
  }
  expect_failures = [var.api]
}

run "resource_policy_cidrs_are_cidrs" {
  command = plan
  variables {
    api = { resource_policy = { source_ip_cidrs = ["10.0.0.300/8"] } }
  }
  expect_failures = [var.api]
}

run "resource_policy_needs_a_rest_api" {
  command = plan
  variables {
    api_type = "HTTP"
    api      = { resource_policy = {} }
  }
  expect_failures = [data.aws_partition.current]
}

run "retention_must_be_an_allowed_value" {
  command = plan
  variables {
    logging = { retention_in_days = 366 }
  }
  expect_failures = [var.logging]
}

run "retention_of_ten_years_is_accepted" {
  command = plan
  variables {
    logging = { retention_in_days = 3653 }
  }
  assert {
    condition     = module.audit_stream[0].log_group_name == "/aws/events/vt/executions"
    error_message = "3653 days is an allowed retention"
  }
}

run "log_kms_key_must_be_a_key_arn" {
  command = plan
  variables {
    logging = { kms_key_arn = "arn:aws:kms:us-east-1:000000000000:alias/logs" }
  }
  expect_failures = [var.logging]
}

run "access_log_format_records_the_request_id" {
  command = plan
  variables {
    logging = { access_log_format = "{\"status\":\"$context.status\"}" }
  }
  expect_failures = [var.logging]
}

run "audit_target_ids_are_names" {
  command = plan
  variables {
    audit = { extra_targets = { "audit-log-group" = { arn = "arn:aws:sqs:us-east-1:000000000000:audit" } } }
  }
  expect_failures = [var.audit]
}

run "audit_targets_are_durable_kinds" {
  command = plan
  variables {
    audit = { extra_targets = { fn = { arn = "arn:aws:lambda:us-east-1:000000000000:function:audit" } } }
  }
  expect_failures = [var.audit]
}

# --- approvals -----------------------------------------------------------------------------------

run "approvals_add_callback_routes" {
  command = plan
  variables {
    approvals = { enabled = true }
  }
  assert {
    condition     = { for name, route in output.approval_routes : name => "${route.method} ${route.path}" } == { approve = "POST /approvals/approve", reject = "POST /approvals/reject" }
    error_message = "approvals add POST /approvals/approve and POST /approvals/reject"
  }
  assert {
    condition     = keys(output.routes) == ["flow"]
    error_message = "routes keeps meaning the workflow routes"
  }
  # The callback role's ARN and the routes' URLs are computed: terraform's mocks only know them after
  # apply. The role and its policy are asserted in tests/plan/examples/human-approval.yaml.
}

run "approvals_are_off_by_default" {
  command = plan
  assert {
    condition     = output.approval_routes == {} && output.callback_role_arn == null
    error_message = "no callback routes and no callback role unless approvals.enabled"
  }
}

run "approvals_need_a_rest_api" {
  command = plan
  variables {
    api_type  = "HTTP"
    approvals = { enabled = true }
  }
  expect_failures = [data.aws_partition.current]
}

run "approvals_need_authenticated_callers" {
  command = plan
  variables {
    authorization = { type = "NONE", allow_unauthenticated = true }
    approvals     = { enabled = true }
  }
  expect_failures = [data.aws_partition.current]
}

run "approvals_need_a_standard_workflow" {
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
    approvals = { enabled = true }
  }
  expect_failures = [data.aws_partition.current]
}

run "approvals_path_cannot_take_a_workflow_route" {
  command = plan
  variables {
    workflows = {
      flow = {
        route      = "POST /approvals/approve"
        definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
      }
    }
    approvals = { enabled = true }
  }
  expect_failures = [data.aws_partition.current]
}

run "approvals_path_is_literal_segments" {
  command = plan
  variables {
    approvals = { enabled = true, path = "/approvals/{id}" }
  }
  expect_failures = [var.approvals]
}

run "approvals_path_leaves_room_for_the_action" {
  command = plan
  variables {
    approvals = { enabled = true, path = "/a/b/c/d/e" }
  }
  expect_failures = [var.approvals]
}

run "reviewer_settings_need_approvals_enabled" {
  command = plan
  variables {
    approvals = { reviewer_principal_arns = ["arn:aws:iam::000000000000:role/reviewers"] }
  }
  expect_failures = [var.approvals]
}

run "reviewer_principals_are_exact_role_or_user_arns" {
  command = plan
  variables {
    approvals = { enabled = true, reviewer_principal_arns = ["arn:aws:iam::000000000000:role/*"] }
  }
  expect_failures = [var.approvals]
}

run "reviewer_scopes_are_oauth_scopes" {
  command = plan
  variables {
    authorization = { type = "COGNITO_USER_POOLS", cognito_user_pool_arns = ["arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc"] }
    approvals     = { enabled = true, reviewer_scopes = ["expenses approve"] }
  }
  expect_failures = [var.approvals]
}

run "reviewer_scopes_need_cognito" {
  command = plan
  variables {
    approvals = { enabled = true, reviewer_scopes = ["expenses/approve"] }
  }
  expect_failures = [data.aws_partition.current]
}

run "reviewer_principals_need_aws_iam" {
  command = plan
  variables {
    authorization = { type = "COGNITO_USER_POOLS", cognito_user_pool_arns = ["arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc"] }
    approvals     = { enabled = true, reviewer_principal_arns = ["arn:aws:iam::000000000000:role/reviewers"] }
  }
  expect_failures = [data.aws_partition.current]
}

run "reviewer_principals_are_accepted_with_aws_iam" {
  command = plan
  variables {
    approvals = { enabled = true, reviewer_principal_arns = ["arn:aws:iam::000000000000:role/reviewers"] }
  }
  assert {
    condition     = length(module.rest_api[0].callback_routes) == 2
    error_message = "reviewer principals with AWS_IAM keep both callback routes (the Deny statement is asserted in tests/plan/examples/human-approval.yaml)"
  }
}
