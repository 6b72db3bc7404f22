variable "name" {
  description = "Name prefix of every resource (API, state machines `<name>-<workflow key>`, roles, log groups)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,31}$", var.name))
    error_message = "name must start with a letter and be at most 32 letters, digits or '-'."
  }
}

variable "tags" {
  description = "Tags applied to every resource, in addition to `stepgate:module` = name and `stepgate:version` = version_label (which these tags cannot override)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for key, value in var.tags : length(key) >= 1 && length(key) <= 128 && length(value) <= 256 && !startswith(lower(key), "aws:")])
    error_message = "tags keys must be 1-128 characters and must not start with 'aws:'; values at most 256 characters."
  }

  validation {
    condition     = !contains(keys(var.tags), "stepgate:module") && !contains(keys(var.tags), "stepgate:version")
    error_message = "tags cannot set stepgate:module or stepgate:version: the module sets them from name and version_label."
  }
}

variable "version_label" {
  description = "Release label: the REST/HTTP stage variable `version`, the `meta.version` field of every REST execution input, and the `stepgate:version` tag."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,64}$", var.version_label))
    error_message = "version_label must be 1-64 letters, digits, '.', '_' or '-'."
  }
}

variable "api_type" {
  description = "REST (API Gateway REST API, default) or HTTP (API Gateway HTTP API)."
  type        = string
  default     = "REST"

  validation {
    condition     = contains(["REST", "HTTP"], var.api_type)
    error_message = "api_type must be REST or HTTP."
  }
}

variable "workflows" {
  description = <<-EOT
    Workflows by key (lower case, digits, '-'; at most 24 characters). Each is one state machine named
    `<name>-<key>` behind one route:
    - route: "METHOD /path" (GET, POST, PUT, PATCH or DELETE; path segments of letters, digits, '.', '_', '-' or {param};
      at most 5 segments on a REST API).
    - definition: Amazon States Language JSON.
    - type: STANDARD (default) or EXPRESS.
    - invocation: async (StartExecution, default) or sync (StartSyncExecution; EXPRESS only).
    - request_schema: JSON Schema (draft 4) of the request body; REST only; null accepts any JSON object.
    - integrations: ARNs the Task states may touch, by kind; the execution role gets exactly the needed
      actions on exactly these ARNs. dynamodb_actions narrows the DynamoDB item actions. ecs (ecs:runTask):
      task_definition_arns (at least one; task-definition/FAMILY for every revision or FAMILY:N),
      cluster_arns (RunTask is then allowed only on these clusters), pass_role_arns (the task and task
      execution roles: iam:PassRole on exactly these, only to ecs-tasks.amazonaws.com; none declared, no
      PassRole) and sync (the .sync pattern: DescribeTasks/StopTask on the declared clusters' tasks, or the
      default cluster's, and the managed rule StepFunctionsGetEventsForECSTaskRule).
    - logging_level (ALL default, ERROR or FATAL), include_execution_data (default true), tracing (default true).
    - publish: publish a version per change behind the alias `live` and route to the alias.
    - kms_key_arn: customer managed key encrypting the state machine's definition and execution data.
  EOT
  type = map(object({
    route          = string
    definition     = string
    type           = optional(string, "STANDARD")
    invocation     = optional(string, "async")
    request_schema = optional(string)
    integrations = optional(object({
      sqs_queue_arns          = optional(list(string), [])
      sns_topic_arns          = optional(list(string), [])
      dynamodb_table_arns     = optional(list(string), [])
      dynamodb_actions        = optional(list(string), ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"])
      lambda_function_arns    = optional(list(string), [])
      event_bus_arns          = optional(list(string), [])
      state_machine_arns      = optional(list(string), [])
      state_machine_sync_arns = optional(list(string), [])
      kms_key_arns            = optional(list(string), [])
      ecs = optional(object({
        task_definition_arns = list(string)
        cluster_arns         = optional(list(string), [])
        pass_role_arns       = optional(list(string), [])
        sync                 = optional(bool, false)
      }))
    }), {})
    logging_level          = optional(string, "ALL")
    include_execution_data = optional(bool, true)
    tracing                = optional(bool, true)
    publish                = optional(bool, false)
    kms_key_arn            = optional(string)
  }))

  validation {
    condition     = length(var.workflows) > 0
    error_message = "workflows must define at least one workflow."
  }

  validation {
    condition     = alltrue([for key in keys(var.workflows) : can(regex("^[a-z][a-z0-9-]{0,23}$", key))])
    error_message = "workflow keys must start with a lower-case letter and be at most 24 lower-case letters, digits or '-'."
  }

  validation {
    condition     = length(distinct([for key in keys(var.workflows) : replace(key, "-", "")])) == length(var.workflows)
    error_message = "workflow keys must stay distinct without their '-' (they name the request models)."
  }

  validation {
    condition = alltrue([
      for wf in values(var.workflows) :
      can(regex("^(GET|POST|PUT|PATCH|DELETE) (/([A-Za-z0-9._-]+|\\{[A-Za-z][A-Za-z0-9_]*\\}))+$", wf.route))
    ])
    error_message = "every route must look like \"POST /path/{param}\": method GET, POST, PUT, PATCH or DELETE, a space, and a path of one or more segments."
  }

  validation {
    condition     = length(distinct([for wf in values(var.workflows) : wf.route])) == length(var.workflows)
    error_message = "two workflows cannot share a route."
  }

  validation {
    condition     = alltrue([for wf in values(var.workflows) : contains(["STANDARD", "EXPRESS"], wf.type)])
    error_message = "workflow type must be STANDARD or EXPRESS."
  }

  validation {
    condition     = alltrue([for wf in values(var.workflows) : contains(["async", "sync"], wf.invocation)])
    error_message = "workflow invocation must be async or sync."
  }

  validation {
    condition     = alltrue([for wf in values(var.workflows) : wf.invocation == "async" || wf.type == "EXPRESS"])
    error_message = "invocation = \"sync\" (StartSyncExecution) is only possible for EXPRESS workflows."
  }

  validation {
    condition     = alltrue([for wf in values(var.workflows) : can(jsondecode(wf.definition).StartAt) && can(jsondecode(wf.definition).States)])
    error_message = "every definition must be Amazon States Language JSON with StartAt and States."
  }

  validation {
    condition     = alltrue([for wf in values(var.workflows) : wf.request_schema == null || can(jsondecode(wf.request_schema).type)])
    error_message = "request_schema must be a JSON Schema document (JSON with a type)."
  }

  validation {
    condition     = alltrue([for wf in values(var.workflows) : contains(["ALL", "ERROR", "FATAL"], wf.logging_level)])
    error_message = "logging_level must be ALL, ERROR or FATAL (OFF would leave executions unaudited)."
  }

  validation {
    condition     = alltrue([for wf in values(var.workflows) : wf.type == "STANDARD" || (wf.logging_level == "ALL" && wf.include_execution_data)])
    error_message = "EXPRESS workflows keep no execution history and emit no status events: their log group is their audit trail, so they must log at level ALL with execution data."
  }

  validation {
    condition = alltrue(flatten([for wf in values(var.workflows) : [
      [for arn in wf.integrations.sqs_queue_arns : can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+(\\.fifo)?$", arn))],
      [for arn in wf.integrations.sns_topic_arns : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+(\\.fifo)?$", arn))],
      [for arn in wf.integrations.dynamodb_table_arns : can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[A-Za-z0-9_.-]+$", arn))],
      [for arn in wf.integrations.lambda_function_arns : can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+$", arn))],
      [for arn in wf.integrations.event_bus_arns : can(regex("^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[A-Za-z0-9._/-]+$", arn))],
      [for arn in concat(wf.integrations.state_machine_arns, wf.integrations.state_machine_sync_arns) : can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_-]+$", arn))],
      # The workflow's own encryption key is a KMS key ARN too: one pattern for both.
      [for arn in concat(wf.integrations.kms_key_arns, compact([wf.kms_key_arn])) : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", arn))],
      [for arn in try(wf.integrations.ecs.task_definition_arns, []) : can(regex("^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:task-definition/[A-Za-z0-9_-]{1,255}(:[1-9][0-9]*)?$", arn))],
      [for arn in try(wf.integrations.ecs.cluster_arns, []) : can(regex("^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/[A-Za-z0-9_-]{1,255}$", arn))],
      [for arn in try(wf.integrations.ecs.pass_role_arns, []) : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$", arn))],
    ]]))
    error_message = "integration ARNs must be exact ARNs of their kind (no wildcards): sqs queue, sns topic, dynamodb table/NAME, lambda function:NAME (unqualified), events event-bus/NAME, states stateMachine:NAME, kms key/ID (also the workflow's kms_key_arn), ecs task-definition/FAMILY or FAMILY:N, ecs cluster/NAME, iam role/NAME for ecs.pass_role_arns."
  }

  validation {
    condition     = alltrue([for wf in values(var.workflows) : wf.integrations.ecs == null || try(length(wf.integrations.ecs.task_definition_arns) > 0, false)])
    error_message = "integrations.ecs needs at least one task definition ARN in task_definition_arns."
  }

  validation {
    condition = alltrue(flatten([for wf in values(var.workflows) : [
      for action in wf.integrations.dynamodb_actions : contains(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"], action)
    ]]))
    error_message = "dynamodb_actions may only contain item-level actions: dynamodb:GetItem, PutItem, UpdateItem, DeleteItem, Query, BatchGetItem, BatchWriteItem."
  }

}

variable "authorization" {
  description = <<-EOT
    Who may call the routes:
    - type AWS_IAM (default; SigV4-signed callers allowed by their own IAM policy to execute-api:Invoke),
      JWT (HTTP API only; OIDC issuer + audiences such as Okta or Cognito), COGNITO_USER_POOLS (REST only;
      user pool ARNs), or NONE, which also needs allow_unauthenticated = true.
    - authorization_scopes: OAuth scopes required on JWT / Cognito routes.
  EOT
  type = object({
    type = optional(string, "AWS_IAM")
    jwt = optional(object({
      issuer    = string
      audiences = list(string)
    }))
    cognito_user_pool_arns = optional(list(string), [])
    authorization_scopes   = optional(list(string), [])
    allow_unauthenticated  = optional(bool, false)
  })
  default = {}

  validation {
    condition     = contains(["AWS_IAM", "JWT", "COGNITO_USER_POOLS", "NONE"], var.authorization.type)
    error_message = "authorization.type must be AWS_IAM, JWT, COGNITO_USER_POOLS or NONE."
  }

  validation {
    condition     = var.authorization.type != "NONE" || var.authorization.allow_unauthenticated
    error_message = "authorization.type = NONE leaves every route open to the internet: set allow_unauthenticated = true to confirm."
  }

  validation {
    condition     = var.authorization.type != "JWT" || (var.authorization.jwt != null && try(startswith(var.authorization.jwt.issuer, "https://"), false) && try(length(var.authorization.jwt.audiences) > 0, false))
    error_message = "JWT authorization needs jwt.issuer (an https:// URL) and at least one audience."
  }

  validation {
    condition     = var.authorization.type != "COGNITO_USER_POOLS" || length(var.authorization.cognito_user_pool_arns) > 0
    error_message = "COGNITO_USER_POOLS authorization needs at least one user pool ARN."
  }
}

variable "api" {
  description = <<-EOT
    API settings:
    - stage_name (REST; HTTP APIs use $default).
    - throttling: steady-state rate_limit (requests/s) and burst_limit for the stage / default route.
    - xray_tracing (REST stage).
    - execution_logging_level: REST execution logs, INFO or ERROR (data tracing is never enabled).
    - endpoint_type: REGIONAL or PRIVATE (REST; PRIVATE needs vpc_endpoint_ids and a resource_policy).
    - resource_policy (REST): allowed_principal_arns (default: this account), and callers must come from
      one of source_vpc_endpoint_ids or source_ip_cidrs when given.
  EOT
  type = object({
    stage_name = optional(string, "v1")
    throttling = optional(object({
      rate_limit  = optional(number, 50)
      burst_limit = optional(number, 100)
    }), {})
    xray_tracing            = optional(bool, true)
    execution_logging_level = optional(string, "INFO")
    endpoint_type           = optional(string, "REGIONAL")
    vpc_endpoint_ids        = optional(list(string), [])
    resource_policy = optional(object({
      allowed_principal_arns  = optional(list(string), [])
      source_vpc_endpoint_ids = optional(list(string), [])
      source_ip_cidrs         = optional(list(string), [])
    }))
  })
  # Spelled out (not {}) so static scanners that cannot evaluate optional() still see the secure values.
  default = {
    stage_name              = "v1"
    throttling              = { rate_limit = 50, burst_limit = 100 }
    xray_tracing            = true
    execution_logging_level = "INFO"
    endpoint_type           = "REGIONAL"
    vpc_endpoint_ids        = []
    resource_policy         = null
  }

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.api.stage_name))
    error_message = "api.stage_name must be 1-64 letters, digits, '-' or '_'."
  }

  validation {
    condition     = var.api.throttling.rate_limit > 0 && var.api.throttling.burst_limit > 0 && var.api.throttling.burst_limit <= 5000
    error_message = "api.throttling needs a positive rate_limit and a burst_limit between 1 and 5000."
  }

  validation {
    condition     = contains(["INFO", "ERROR"], var.api.execution_logging_level)
    error_message = "api.execution_logging_level must be INFO or ERROR."
  }

  validation {
    condition     = contains(["REGIONAL", "PRIVATE"], var.api.endpoint_type)
    error_message = "api.endpoint_type must be REGIONAL or PRIVATE."
  }

  validation {
    condition     = var.api.endpoint_type == "REGIONAL" || (length(var.api.vpc_endpoint_ids) > 0 && var.api.resource_policy != null)
    error_message = "a PRIVATE API needs vpc_endpoint_ids and a resource_policy."
  }

  validation {
    condition     = var.api.resource_policy == null || alltrue([for cidr in try(var.api.resource_policy.source_ip_cidrs, []) : can(cidrhost(cidr, 0))])
    error_message = "api.resource_policy.source_ip_cidrs must be CIDR blocks."
  }
}

variable "logging" {
  description = <<-EOT
    Logs of state machines, API access/execution and the audit stream:
    - retention_in_days: a CloudWatch Logs retention value of at least 365 days: 365 (default), 400, 545,
      731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653; it applies to every log group of the module.
    - kms_key_arn: customer managed key for every log group; when null and create_kms_key is true (default)
      the module creates one, with rotation, usable only by CloudWatch Logs for this module's log groups.
    - access_log_format: custom JSON access log format; default records request id, caller identity,
      route, status, latency and integration error.
  EOT
  type = object({
    retention_in_days = optional(number, 365)
    kms_key_arn       = optional(string)
    create_kms_key    = optional(bool, true)
    access_log_format = optional(string)
  })
  default = {}

  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.logging.retention_in_days)
    error_message = "logging.retention_in_days must be a CloudWatch Logs retention value of at least 365 days (365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)."
  }

  validation {
    condition     = var.logging.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.logging.kms_key_arn))
    error_message = "logging.kms_key_arn must be a KMS key ARN."
  }

  validation {
    condition     = var.logging.access_log_format == null || can(jsondecode(var.logging.access_log_format).requestId)
    error_message = "logging.access_log_format must be a JSON object that records at least requestId."
  }
}

variable "audit" {
  description = <<-EOT
    Audit stream of STANDARD executions (EventBridge rule on terminal status changes -> audit log group):
    - enabled (default true; the stream is only created when there is at least one STANDARD workflow).
    - extra_targets: additional durable targets by id (Firehose stream, SQS queue, event bus), each with
      role_arn where the target type needs one (Firehose, event bus).
  EOT
  type = object({
    enabled = optional(bool, true)
    extra_targets = optional(map(object({
      arn      = string
      role_arn = optional(string)
    })), {})
  })
  default = {}

  validation {
    condition     = alltrue([for id in keys(var.audit.extra_targets) : can(regex("^[A-Za-z0-9_.-]{1,64}$", id)) && id != "audit-log-group"])
    error_message = "audit.extra_targets ids must be 1-64 letters, digits, '.', '_' or '-' and not 'audit-log-group'."
  }

  validation {
    condition     = alltrue([for t in values(var.audit.extra_targets) : can(regex("^arn:aws[a-z-]*:(firehose|sqs|events):", t.arn))])
    error_message = "audit.extra_targets must be Firehose delivery streams, SQS queues or EventBridge event buses."
  }

  # EventBridge needs a role to put records on a stream or events on a bus, and refuses one for SQS
  # (the queue's own resource policy admits the rule).
  validation {
    condition = alltrue([
      for t in values(var.audit.extra_targets) :
      can(regex("^arn:aws[a-z-]*:sqs:", t.arn)) ? t.role_arn == null : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", t.role_arn))
    ])
    error_message = "audit.extra_targets: Firehose and event bus targets need role_arn (an IAM role ARN); SQS targets take none."
  }
}

variable "approvals" {
  description = <<-EOT
    Human approval through the API (REST only): a workflow waits in a Task state with
    arn:aws:states:::sqs:sendMessage.waitForTaskToken (or any .waitForTaskToken integration) and a reviewer
    answers with the task token:
    - enabled (default false): adds POST <path>/approve (SendTaskSuccess; body {taskToken, comment?}) and
      POST <path>/reject (SendTaskFailure with error "Rejected"; body {taskToken, reason}), both with a
      request model, and a callback integration role of their own that may only call
      states:SendTaskSuccess and SendTaskFailure. The reviewer recorded in the task
      output or cause comes from the authenticated request context, never from the body. Needs
      api_type = "REST", an authorization type other than NONE and at least one STANDARD workflow.
    - path (default "/approvals"): one to four literal path segments, shared with no workflow route.
    - reviewer_scopes: COGNITO_USER_POOLS only; OAuth scopes that replace authorization_scopes on the
      callback routes (empty: the same scopes as the workflow routes).
    - reviewer_principal_arns: AWS_IAM only; IAM role or user ARNs. When given, the REST API's resource
      policy denies the callback routes to every other principal (aws:PrincipalArn).
  EOT
  type = object({
    enabled                 = optional(bool, false)
    path                    = optional(string, "/approvals")
    reviewer_scopes         = optional(list(string), [])
    reviewer_principal_arns = optional(list(string), [])
  })
  default = {}

  validation {
    condition     = can(regex("^(/[A-Za-z0-9._-]+){1,4}$", var.approvals.path))
    error_message = "approvals.path must be one to four literal path segments (letters, digits, '.', '_', '-'), such as \"/approvals\"."
  }

  validation {
    condition     = var.approvals.enabled || (length(var.approvals.reviewer_scopes) == 0 && length(var.approvals.reviewer_principal_arns) == 0)
    error_message = "approvals.reviewer_scopes and reviewer_principal_arns only apply with approvals.enabled = true."
  }

  validation {
    condition     = alltrue([for scope in var.approvals.reviewer_scopes : can(regex("^[!#-\\[\\]-~]{1,256}$", scope))])
    error_message = "approvals.reviewer_scopes must be OAuth scopes (1-256 printable characters without spaces, '\"' or '\\\\'), such as \"expenses/approve\"."
  }

  validation {
    condition     = alltrue([for arn in var.approvals.reviewer_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/([A-Za-z0-9+=,.@_-]+/)*[A-Za-z0-9+=,.@_-]{1,64}$", arn))])
    error_message = "approvals.reviewer_principal_arns must be exact IAM role or user ARNs (no wildcards)."
  }
}
