"""What the execution role needs for each call a state makes to another service.

A call is a Task state's Resource (an optimized integration `arn:aws:states:::SERVICE:ACTION[.sync[:2]|
.waitForTaskToken]`, an AWS SDK integration `arn:aws:states:::aws-sdk:SERVICE:ACTION`, or a Lambda function
ARN) or a Distributed Map's ItemReader / ResultWriter. Integrations whose permissions AWS documents beyond
the API call itself (polling for `.sync`, managed EventBridge rules, role passing) have a small function in
INTEGRATIONS; every other call is one IAM action looked up in the Service Authorization Reference, on the
resource its literal arguments name.

Arguments the state computes at run time (JSONPath `Key.$`, JSONata `{% ... %}`) leave the resource to run
time: the requirement's resource is then `*`.

Definitions are JSON data (parsed from the plan, or evaluated from HCL into plain dicts and lists), so an
object is tested with `isinstance(x, dict)`, which is much cheaper than the `Mapping` ABC. What depends on
the Resource string or the (service, action) alone (the integration it names, the reference's action and
the resource types to look for) is worked out once per distinct value: a plan's state machines call the same
few integrations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import urlparse

from stepgate.plan import iamref
from stepgate.plan.iam import Condition

ANY = "*"
_OPTIMIZED = re.compile(r"^arn:[^:]+:states:::(?P<service>[a-z0-9-]+):(?P<action>[a-zA-Z0-9]+)(?P<pattern>\.sync(:2)?|\.waitForTaskToken)?$")
_SDK = re.compile(r"^arn:[^:]+:states:::aws-sdk:(?P<service>[a-z0-9-]+):(?P<action>[a-zA-Z0-9]+)(?P<pattern>\.waitForTaskToken)?$")
_LAMBDA_ARN = re.compile(r"^arn:[^:]+:lambda:[^:]*:[^:]*:function:.+")

# aws-sdk integrations name services after the AWS SDK for Java v2 clients, lower-cased; where that differs
# from the IAM service prefix, the prefix is:
SDK_PREFIXES = {
    "sfn": "states",
    "cloudwatchlogs": "logs",
    "eventbridge": "events",
    "elasticloadbalancingv2": "elasticloadbalancing",
    "apigatewayv2": "apigateway",
    "cognitoidentityprovider": "cognito-idp",
    "cognitoidentity": "cognito-identity",
    "bedrockruntime": "bedrock",
    "bedrockagent": "bedrock",
    "bedrockagentruntime": "bedrock",
    "sagemakerruntime": "sagemaker",
    "efs": "elasticfilesystem",
    "emr": "elasticmapreduce",
    "emrcontainers": "emr-containers",
    "emrserverless": "emr-serverless",
    "redshiftdata": "redshift-data",
    "acmpca": "acm-pca",
    "applicationautoscaling": "application-autoscaling",
    "opensearch": "es",
    "databasemigration": "dms",
    "costexplorer": "ce",
    "kinesisanalyticsv2": "kinesisanalytics",
    "ssmincidents": "ssm-incidents",
    "opensearchserverless": "aoss",
}
# API operations IAM authorizes under another action name, (IAM prefix, lower-case API name) -> action.
SDK_ACTIONS = {
    ("lambda", "invoke"): "InvokeFunction",
    ("s3", "listobjectsv2"): "ListBucket",
    ("s3", "listobjects"): "ListBucket",
    ("s3", "listobjectversions"): "ListBucketVersions",
    ("s3", "headobject"): "GetObject",
    ("s3", "headbucket"): "ListBucket",
    ("s3", "listbuckets"): "ListAllMyBuckets",
    ("s3", "deleteobjects"): "DeleteObject",
    ("sqs", "sendmessagebatch"): "SendMessage",
    ("sqs", "deletemessagebatch"): "DeleteMessage",
    ("sqs", "changemessagevisibilitybatch"): "ChangeMessageVisibility",
    ("sns", "publishbatch"): "Publish",
}
# Arguments that fill an ARN format's placeholder when their names differ (S3's Bucket/Key).
_ARGUMENT_FOR = {"BucketName": "Bucket", "ObjectName": "Key"}
_PATH_PLACEHOLDERS = {"ObjectName", "SecretId", "LogGroupName"}  # names that may hold "/" (a key, prod/db, /aws/x)
_GLOBAL_PLACEHOLDERS = {"Partition", "Region", "Account"}
# Secrets Manager appends "-" and six random characters to a secret's name in its ARN.
_NAME_SUFFIX = {"SecretId": "-??????"}
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
# Cross-Region inference profile ids are a geography and a foundation model id ("us.anthropic.claude-...").
_INFERENCE_PROFILE = re.compile(r"^(?:us|us-gov|eu|apac|jp|au|ca|global)\.(?P<model>.+)$")
_PASSED_TO_ECS_TASKS = Condition("StringEquals", "iam:PassedToService", ("ecs-tasks.amazonaws.com",))
_CONNECTION_SECRETS = "arn:*:secretsmanager:*:*:secret:events!connection/*"  # the secret EventBridge keeps per connection


# Requirement and Call are NamedTuples: immutable like a frozen dataclass, and cheaper to make (a plan makes
# several per Task state); see stepgate.plan.iamref.
class Requirement(NamedTuple):
    """An IAM action a state needs, on a resource ARN pattern (`*` when the definition picks it at run time)."""

    action: str
    resource: str
    state: str  # path of the state, e.g. "Fan out/branch 1/Notify"
    # conditions a least-privilege grant carries (e.g. iam:PassedToService); the call works without them
    conditions: tuple[Condition, ...] = ()
    guessed: bool = False  # the IAM reference has no such action: the name is derived from the API's


class Call(NamedTuple):
    """One call a state makes: the integration, its arguments, and the state machine making it."""

    state: str
    service: str  # IAM prefix, or the optimized integration's service name (http, apigateway)
    action: str  # as the Resource spells it, e.g. "startExecution"
    pattern: str  # "" (request-response), ".sync", ".sync:2" or ".waitForTaskToken"
    arguments: Any  # Parameters (JSONPath) or Arguments (JSONata) of the state or field
    jsonata: bool
    machine_arn: str  # the calling state machine (pattern), ANY when not known

    @property
    def waits_for_completion(self) -> bool:
        """`.sync` and `.sync:2` (which only changes the output's shape) poll the job until it finishes."""
        return self.pattern.startswith(".sync")

    def value(self, *path: str) -> str | None:
        """The literal string argument at `path`, ANY when the state computes it at run time, None when absent."""
        return _argument(self.arguments, path, self.jsonata)

    def literal(self, *path: str) -> str:
        return self.value(*path) or ANY

    def need(self, action: str, resource: str, *conditions: Condition, guessed: bool = False) -> Requirement:
        return Requirement(action, resource, self.state, conditions, guessed)


Integration = Callable[[Call], list[Requirement]]


def _argument(node: Any, path: tuple[str, ...], jsonata: bool) -> str | None:
    """The string at `path` in a state's arguments: ANY when a step of the way is computed at run time
    (a JSONPath `Key.$`, a JSONata `{% %}` expression) or is no string, None when absent."""
    for key in path:
        if _computed(node, jsonata):
            return ANY
        if not isinstance(node, dict):
            return None
        if not jsonata and f"{key}.$" in node:
            return ANY
        if key not in node:
            return None
        node = node[key]
    if _computed(node, jsonata) or not isinstance(node, str) or not node:
        return ANY
    return node


def _computed(value: Any, jsonata: bool) -> bool:
    if not jsonata or not isinstance(value, str):
        return False
    text = value.strip()
    return text.startswith("{%") and text.endswith("%}")


# --- Task states -------------------------------------------------------------------------------------


class _Target(NamedTuple):
    """What a Task's Resource names: an integration (service: the IAM prefix, or the optimized integration's
    service name) or a Lambda function ARN (lambda_arn)."""

    service: str = ""
    action: str = ""
    pattern: str = ""
    lambda_arn: bool = False


@lru_cache(maxsize=1024)  # a plan's Task states name a few Resource strings, each many times
def _target(resource: str) -> _Target | None:
    """The integration a Resource names; None for anything else (an activity)."""
    if _LAMBDA_ARN.match(resource):
        return _Target(lambda_arn=True)
    sdk = _SDK.match(resource)
    match = sdk or _OPTIMIZED.match(resource)
    if match is None:
        return None
    service = SDK_PREFIXES.get(match.group("service"), match.group("service")) if sdk else match.group("service")
    return _Target(service, match.group("action"), match.group("pattern") or "")


def task_requirements(state: str, resource: str, arguments: Any, jsonata: bool, machine_arn: str) -> list[Requirement]:
    """What a Task state with this Resource and these arguments needs."""
    target = _target(resource)
    if target is None:
        return []  # activities need no permission of the execution role
    if target.lambda_arn:
        return [Requirement("lambda:InvokeFunction", resource, state)]
    call = Call(state, target.service, target.action, target.pattern, arguments, jsonata, machine_arn)
    return INTEGRATIONS.get((target.service, target.action.lower()), _from_reference)(call)


class _Reference(NamedTuple):
    """The reference's entry for a call's (service, action): the IAM action name, the action when the
    reference has it, and the resource types whose ARNs the call's arguments may name."""

    name: str
    action: iamref.Action | None
    kinds: tuple[iamref.ResourceType, ...]


@lru_cache(maxsize=1024)  # the reference's IAM lookups, once per (service, action) a plan's calls use
def _reference(service: str, action: str) -> _Reference:
    name = SDK_ACTIONS.get((service, action.lower()), action[:1].upper() + action[1:])
    known = iamref.action(f"{service}:{name}")
    if known is None:
        return _Reference(f"{service}:{name}", None, ())
    # the resource types the call authorizes against: the required ones, else any
    kinds = tuple(kind for kind in known.resource_types if kind.name in known.required) or known.resource_types
    return _Reference(known.iam_name, known, kinds)


def _from_reference(call: Call) -> list[Requirement]:
    """One IAM action from the reference, on the resource the literal arguments name (else `*`)."""
    reference = _reference(call.service, call.action)
    if reference.action is None:
        return [call.need(reference.name, ANY, guessed=True)]
    return [call.need(reference.name, resource) for resource in _resources(call, reference)]


def _resources(call: Call, reference: _Reference) -> list[str]:
    """The ARNs the literal arguments name among the resource types the call authorizes against (the
    required ones, else any); `*` when they name none."""
    if reference.action is None or reference.action.star_only:
        return [ANY]
    given = _given_arns(call)
    found = dict.fromkeys(arn for arn in (_resource_of(call, kind, given) for kind in reference.kinds) if arn)
    return list(found) or [ANY]


def _given_arns(call: Call) -> list[str]:
    """The ARNs the literal arguments give whatever the resource type: an ARN argument, the queue of a QueueUrl."""
    arguments = call.arguments if isinstance(call.arguments, dict) else {}
    given = [call.value(key) for key in arguments if not key.endswith(".$")]
    candidates = [value for value in given if value and value.startswith("arn:")]
    url = call.value("QueueUrl")
    if url:
        candidates.append(queue_arn(url))
    return [arn for arn in candidates if arn != ANY]


def _resource_of(call: Call, kind: iamref.ResourceType, given: list[str]) -> str | None:
    """An ARN of this type the literal arguments name: one of the `given` ARNs (an ARN argument, the queue
    of a QueueUrl), else the type's ARN format filled in from the arguments."""
    found = next((arn for arn in given if kind.matches(arn)), None)
    if found is not None:
        return found
    built = _built(call, kind.arn)
    return built if built and built != ANY and kind.matches(built) else None


@lru_cache(maxsize=1024)
def _format_parts(arn_format: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An ARN format split once: the literal texts around its placeholders, and the placeholders' names."""
    texts, names, position = [], [], 0
    for match in _PLACEHOLDER.finditer(arn_format):
        texts.append(arn_format[position : match.start()])
        names.append(match.group(1))
        position = match.end()
    texts.append(arn_format[position:])
    return tuple(texts), tuple(names)


def _built(call: Call, arn_format: str) -> str | None:
    """The format with its placeholders filled from same-named literal arguments (Partition, Region and
    Account: any); None when an argument is missing or computed at run time."""
    texts, names = _format_parts(arn_format)
    parts = [texts[0]]
    for name, text in zip(names, texts[1:]):
        value = ANY if name in _GLOBAL_PLACEHOLDERS else _name_argument(call, name)
        if value is None:
            return None
        parts += [value, text]
    return "".join(parts)


def _name_argument(call: Call, placeholder: str) -> str | None:
    """The literal name argument a placeholder stands for (TableName, Bucket for BucketName...)."""
    value = call.value(_ARGUMENT_FOR.get(placeholder, placeholder))
    if value is None or value == ANY or value.startswith("arn:"):
        return None
    if placeholder not in _PATH_PLACEHOLDERS and ("/" in value or ":" in value):
        return None  # not a plain name (a KMS alias/..., a qualified name): no ARN of this type
    return value + _NAME_SUFFIX.get(placeholder, "")


# A plain https URL (lower-case host, no port, user, query or fragment): urlparse would give the same host
# and path, at a fraction of the cost.
_PLAIN_URL = re.compile(r"https?://(?P<host>[a-z0-9.-]*)(?P<path>(?:/[A-Za-z0-9_.-]*)*)")


def queue_arn(url: str) -> str:
    """The ARN of the queue a QueueUrl names (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)."""
    if url == ANY or url.startswith("arn:"):
        return url
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None:
        path, host = plain.group("path"), plain.group("host")
    else:
        parsed = urlparse(url)
        path, host = parsed.path, parsed.hostname or ""
    segments = [s for s in path.split("/") if s]
    if len(segments) < 2:
        return ANY
    region = host.split(".")[1] if host.startswith("sqs.") and host.count(".") >= 2 else "*"
    return f"arn:*:sqs:{region}:{segments[-2]}:{segments[-1]}"


def _named_arn(value: str, service: str, kind: str) -> str:
    """An ARN argument as given, a name as `arn:*:SERVICE:*:*:KIND<name>`."""
    if value == ANY or value.startswith("arn:"):
        return value
    return f"arn:*:{service}:*:*:{kind}{value}"


def _managed_rule(call: Call, rule: str) -> list[Requirement]:
    """The EventBridge rule Step Functions manages in the account to learn that a `.sync` job finished."""
    return [call.need(f"events:{verb}", f"arn:*:events:*:*:rule/{rule}") for verb in ("PutTargets", "PutRule", "DescribeRule")]


def _function_arn(value: str) -> str:
    """Lambda accepts a name, name:qualifier, a partial ARN (ACCOUNT:function:NAME[:qualifier]) or an ARN."""
    if value == ANY or value.startswith("arn:"):
        return value
    parts = value.split(":")
    if len(parts) >= 3 and parts[1] == "function":
        return f"arn:*:lambda:*:{parts[0]}:function:{':'.join(parts[2:])}"
    return f"arn:*:lambda:*:*:function:{value}"


def _lambda_invoke(call: Call) -> list[Requirement]:
    return [call.need("lambda:InvokeFunction", _function_arn(call.literal("FunctionName")))]


def _put_events(call: Call) -> list[Requirement]:
    entries = call.arguments.get("Entries") if isinstance(call.arguments, dict) else None
    if not isinstance(entries, list):
        return [call.need("events:PutEvents", ANY)]
    # an entry without EventBusName goes to the account's default bus
    buses = {_argument(e, ("EventBusName",), call.jsonata) or "default" for e in entries if isinstance(e, dict)}
    return [call.need("events:PutEvents", _named_arn(bus, "events", "event-bus/")) for bus in sorted(buses) or ["default"]]


def _executions(machine: str, map_run: str | None = None) -> str:
    """Executions of a state machine (started through any version or alias), or the child executions of
    one of its Map Runs (`*`: of any)."""
    parts = machine.split(":")
    if machine == ANY or len(parts) < 7 or parts[5] != "stateMachine":
        return ANY
    if map_run == ANY:
        return ":".join(parts[:5] + ["execution", f"{parts[6]}/*"])
    name = parts[6] if map_run is None else f"{parts[6]}/{map_run}"
    return ":".join(parts[:5] + ["execution", name, "*"])


def _start_execution(call: Call) -> list[Requirement]:
    machine = call.literal("StateMachineArn")
    required = [call.need("states:StartExecution", machine)]
    if call.waits_for_completion:
        required += [call.need(action, _executions(machine)) for action in ("states:DescribeExecution", "states:StopExecution")]
        required += _managed_rule(call, "StepFunctionsGetEventsForStepFunctionsExecutionRule")
    return required


def _task_definition(value: str) -> str:
    """A family runs its latest ACTIVE revision, so it needs every revision (FAMILY:*)."""
    if value == ANY:
        return ANY
    arn = value if value.startswith("arn:") else f"arn:*:ecs:*:*:task-definition/{value}"
    return arn if ":" in arn.rsplit("/", 1)[-1] else f"{arn}:*"


def _ecs_run_task(call: Call) -> list[Requirement]:
    given = call.value("Cluster") or "default"  # RunTask without Cluster runs on the default cluster
    cluster = ANY if given == ANY else given.rsplit("/", 1)[-1]
    on_cluster = () if given == ANY else (Condition("ArnLike", "ecs:cluster", (_named_arn(given, "ecs", "cluster/"),)),)
    # the task (execution) roles are in the task definition, not the ASL: which roles is for the rules
    required = [call.need("ecs:RunTask", _task_definition(call.literal("TaskDefinition")), *on_cluster),
                call.need("iam:PassRole", ANY, _PASSED_TO_ECS_TASKS)]
    if call.waits_for_completion:
        tasks = ANY if cluster == ANY else f"arn:*:ecs:*:*:task/{cluster}/*"
        required += [call.need(action, tasks) for action in ("ecs:StopTask", "ecs:DescribeTasks")]
        required += _managed_rule(call, "StepFunctionsGetEventsForECSTaskRule")
    return required


_BATCH_JOBS = "arn:*:batch:*:*:job/*"  # job ids are only known once submitted


def _batch_submit_job(call: Call) -> list[Requirement]:
    # the reference requires all three resource types of SubmitJob: the definition, the queue and the new job
    targets = (_named_arn(call.literal("JobDefinition"), "batch", "job-definition/"),
               _named_arn(call.literal("JobQueue"), "batch", "job-queue/"), _BATCH_JOBS)
    required = [call.need("batch:SubmitJob", target) for target in targets]
    if call.waits_for_completion:
        required += [call.need("batch:DescribeJobs", ANY), call.need("batch:TerminateJob", _BATCH_JOBS)]
        required += _managed_rule(call, "StepFunctionsGetEventsForBatchJobsRule")
    return required


def _glue_start_job_run(call: Call) -> list[Requirement]:
    job = _named_arn(call.literal("JobName"), "glue", "job/")
    actions = ("StartJobRun", "GetJobRun", "GetJobRuns", "BatchStopJobRun") if call.waits_for_completion else ("StartJobRun",)
    return [call.need(f"glue:{action}", job) for action in actions]


def _models(model: str) -> list[str]:
    """A foundation model, or an inference profile and the foundation model it routes to in any Region."""
    if model == ANY:
        return [ANY]
    kind, _, identifier = model.split(":", 5)[-1].partition("/") if model.startswith("arn:") else ("", "", model)
    profile = _INFERENCE_PROFILE.match(identifier)
    if model.startswith("arn:") and not (kind == "inference-profile" and profile):
        return [model]
    if profile is None:
        return [f"arn:*:bedrock:*::foundation-model/{model}"]
    given = model if model.startswith("arn:") else f"arn:*:bedrock:*:*:inference-profile/{model}"
    return [given, f"arn:*:bedrock:*::foundation-model/{profile.group('model')}"]


def _s3_object(uri: str) -> str:
    return f"arn:*:s3:::{uri[len('s3://'):]}" if uri.startswith("s3://") else ANY


def _bedrock_invoke_model(call: Call) -> list[Requirement]:
    required = [call.need("bedrock:InvokeModel", model) for model in _models(call.literal("ModelId"))]
    source, target = call.value("Input", "S3Uri"), call.value("Output", "S3Uri")
    if source:
        required.append(call.need("s3:GetObject", _s3_object(source)))
    if target:
        required.append(call.need("s3:PutObject", _s3_object(target)))
    return required


def _http_invoke(call: Call) -> list[Requirement]:
    """The HTTP Task: Step Functions authorizes the call on the state machine itself and reads the
    EventBridge connection's credentials from the secret EventBridge keeps for it."""
    endpoint, method = call.literal("ApiEndpoint"), call.literal("Method")
    conditions = [Condition("StringLike", "states:HTTPEndpoint", (endpoint,))] if endpoint != ANY else []
    conditions += [Condition("StringEquals", "states:HTTPMethod", (method,))] if method != ANY else []
    return [
        call.need("states:InvokeHTTPEndpoint", call.machine_arn, *conditions),
        call.need("events:RetrieveConnectionCredentials", call.literal("Authentication", "ConnectionArn")),
        call.need("secretsmanager:GetSecretValue", _CONNECTION_SECRETS),
        call.need("secretsmanager:DescribeSecret", _CONNECTION_SECRETS),
    ]


_API_ENDPOINT = re.compile(r"^(?:https://)?(?P<api>[a-z0-9]+)\.execute-api\.(?P<region>[a-z0-9-]+)\.amazonaws\.com")


def _api_gateway_invoke(call: Call) -> list[Requirement]:
    """Only IAM-signed calls (AuthType IAM_ROLE or RESOURCE_POLICY) need execute-api:Invoke; NO_AUTH is the default."""
    if (call.value("AuthType") or "NO_AUTH") == "NO_AUTH":
        return []
    endpoint = _API_ENDPOINT.match(call.literal("ApiEndpoint"))
    if endpoint is None:
        return [call.need("execute-api:Invoke", ANY)]
    route = "/".join([call.literal("Stage"), call.literal("Method"), call.literal("Path").lstrip("/")])
    return [call.need("execute-api:Invoke", f"arn:*:execute-api:{endpoint['region']}:*:{endpoint['api']}/{route}")]


# Integrations that need more than their API action on the resource their arguments name, keyed by the
# IAM prefix (or optimized service name) and the lower-case action. aws-sdk calls of the same API share
# the entry (aws-sdk:sfn:startExecution is states:startExecution without an integration pattern).
INTEGRATIONS: dict[tuple[str, str], Integration] = {
    ("lambda", "invoke"): _lambda_invoke,
    ("events", "putevents"): _put_events,
    ("states", "startexecution"): _start_execution,
    ("ecs", "runtask"): _ecs_run_task,
    ("batch", "submitjob"): _batch_submit_job,
    ("glue", "startjobrun"): _glue_start_job_run,
    ("bedrock", "invokemodel"): _bedrock_invoke_model,
    ("http", "invoke"): _http_invoke,
    ("apigateway", "invoke"): _api_gateway_invoke,
}


# --- Distributed Map ---------------------------------------------------------------------------------


def _reader_call(state: str, field: Mapping[str, Any], jsonata: bool) -> Call | None:
    resource = field.get("Resource")
    match = _OPTIMIZED.match(resource) if isinstance(resource, str) else None
    if match is None:
        return None
    arguments = field.get("Arguments" if jsonata else "Parameters")
    return Call(state, match.group("service"), match.group("action"), "", arguments, jsonata, ANY)


def item_reader_requirements(state: str, reader: Mapping[str, Any], jsonata: bool) -> list[Requirement]:
    """Reading the items of a Distributed Map from S3: one object (CSV, JSON, JSONL, Parquet, manifest) or
    a listing of the objects under a prefix."""
    call = _reader_call(state, reader, jsonata)
    if call is None:
        return []
    bucket = call.literal("Bucket")
    if call.service == "s3" and call.action.lower() == "listobjectsv2":
        prefix = call.value("Prefix")
        condition = (Condition("StringLike", "s3:prefix", (f"{prefix}*",)),) if prefix and prefix != ANY else ()
        return [call.need("s3:ListBucket", ANY if bucket == ANY else f"arn:*:s3:::{bucket}", *condition)]
    if call.service == "s3" and call.action.lower() == "getobject":
        key = call.literal("Key")
        required = [call.need("s3:GetObject", ANY if ANY in (bucket, key) else f"arn:*:s3:::{bucket}/{key}")]
        config = reader.get("ReaderConfig")
        if isinstance(config, dict) and config.get("InputType") == "MANIFEST":
            # an S3 inventory manifest lists data files in its own bucket, under keys only it knows
            required.append(call.need("s3:GetObject", ANY if bucket == ANY else f"arn:*:s3:::{bucket}/*"))
        return required
    return _from_reference(call)


def result_writer_requirements(state: str, writer: Mapping[str, Any], jsonata: bool) -> list[Requirement]:
    """Exporting a Map Run's results: Step Functions writes them with multipart uploads under the prefix."""
    call = _reader_call(state, writer, jsonata)
    if call is None:
        return []  # WriterConfig alone shapes the output and writes nothing
    bucket, prefix = call.literal("Bucket"), (call.value("Prefix") or "").strip("/")
    target = ANY if ANY in (bucket, prefix) else f"arn:*:s3:::{bucket}/{prefix + '/' if prefix else ''}*"
    actions = ("s3:PutObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload")
    return [call.need(action, target) for action in actions]


def child_execution_requirements(state: str, label: str | None, machine_arn: str) -> list[Requirement]:
    """A Distributed Map runs its items as child executions of the state machine itself, named after the
    Map Run's label (the Map's Label, else one Step Functions generates)."""
    executions = _executions(machine_arn, label or ANY)
    return [Requirement("states:StartExecution", machine_arn, state),
            Requirement("states:DescribeExecution", executions, state),
            Requirement("states:StopExecution", executions, state)]
