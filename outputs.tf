output "api_id" {
  description = "Id of the REST or HTTP API."
  value       = var.api_type == "REST" ? one(module.rest_api[*].id) : one(module.http_api[*].id)
}

output "api_arn" {
  description = "ARN of the REST or HTTP API."
  value       = var.api_type == "REST" ? one(module.rest_api[*].arn) : one(module.http_api[*].arn)
}

output "api_execution_arn" {
  description = "execute-api ARN prefix; grant callers execute-api:Invoke on `<this>/<stage>/<METHOD>/<path>`."
  value       = var.api_type == "REST" ? one(module.rest_api[*].execution_arn) : one(module.http_api[*].execution_arn)
}

output "stage_name" {
  description = "Name of the deployed stage."
  value       = var.api_type == "REST" ? one(module.rest_api[*].stage_name) : one(module.http_api[*].stage_name)
}

output "stage_arn" {
  description = "ARN of the deployed stage; associate a WAF web ACL with it (REST stages only: WAF does not support HTTP APIs)."
  value       = var.api_type == "REST" ? one(module.rest_api[*].stage_arn) : one(module.http_api[*].stage_arn)
}

output "invoke_url" {
  description = "Base URL of the stage."
  value       = var.api_type == "REST" ? one(module.rest_api[*].invoke_url) : one(module.http_api[*].invoke_url)
}

output "route_urls" {
  description = "Full URL of every route, by workflow key."
  value       = var.api_type == "REST" ? one(module.rest_api[*].route_urls) : one(module.http_api[*].route_urls)
}

output "routes" {
  description = "Every workflow route by workflow key: method, path, the ARN it starts, sync or async, and the workflow type (callback routes are in approval_routes)."
  value = {
    for key, route in local.routes : key => {
      method            = route.method
      path              = route.path
      route             = var.workflows[key].route
      state_machine_arn = route.state_machine_arn
      invocation        = var.workflows[key].invocation
      type              = var.workflows[key].type
    }
  }
}

output "state_machine_arns" {
  description = "State machine ARNs by workflow key."
  value       = { for key, sm in module.state_machine : key => sm.arn }
}

output "state_machine_alias_arns" {
  description = "Alias ARNs by workflow key, for workflows with publish = true."
  value       = { for key, sm in module.state_machine : key => sm.alias_arn if sm.alias_arn != null }
}

output "state_machine_types" {
  description = "STANDARD or EXPRESS by workflow key."
  value       = { for key, sm in module.state_machine : key => sm.type }
}

output "execution_role_arns" {
  description = "Execution role ARNs by workflow key."
  value       = { for key, sm in module.state_machine : key => sm.execution_role_arn }
}

output "integration_role_arn" {
  description = "ARN of the role API Gateway assumes to start executions."
  value       = var.api_type == "REST" ? one(module.rest_api[*].integration_role_arn) : one(module.http_api[*].integration_role_arn)
}

output "approval_routes" {
  description = "Callback routes by name (approve, reject): method, path and full URL; empty when approvals are disabled."
  value       = var.api_type == "REST" ? one(module.rest_api[*].callback_routes) : {}
}

output "callback_role_arn" {
  description = "ARN of the role API Gateway assumes on callback routes (only states:SendTaskSuccess and SendTaskFailure), or null when approvals are disabled."
  value       = one(module.rest_api[*].callback_role_arn)
}

output "state_machine_log_group_names" {
  description = "Execution log groups by workflow key (the audit trail of EXPRESS workflows)."
  value       = { for key, sm in module.state_machine : key => sm.log_group_name }
}

output "access_log_group_name" {
  description = "API access log group."
  value       = var.api_type == "REST" ? one(module.rest_api[*].access_log_group_name) : one(module.http_api[*].access_log_group_name)
}

output "api_execution_log_group_name" {
  description = "REST API execution log group (pre-created so it has retention and encryption), or null for an HTTP API."
  value       = one(module.rest_api[*].execution_log_group_name)
}

output "audit_rule_arn" {
  description = "ARN of the EventBridge rule auditing STANDARD executions, or null when there is none."
  value       = one(module.audit_stream[*].rule_arn)
}

output "audit_log_group_name" {
  description = "Audit log group (one event per finished STANDARD execution), or null when there is none."
  value       = one(module.audit_stream[*].log_group_name)
}

output "log_kms_key_arn" {
  description = "KMS key encrypting the module's log groups, or null when none is used."
  value       = local.log_kms_key_arn
}
