"""The aws provider configuration that points a configuration at the local emulator.

The user's provider blocks stay as written (they work against real AWS); stepgate.workspace writes this
body into an override file of its scratch copy, once per aws provider configuration (default and aliases).
"""

from __future__ import annotations

# Services the emulator answers, by the provider 6.x `endpoints` key (the primary names of the provider's
# names/data/names_data.hcl; an alias next to its primary is an error). A configuration that touches a
# service outside this list would reach real AWS with the emulator's test keys and fail there.
SERVICE_ENDPOINTS = (
    "acm",
    "apigateway",
    "apigatewayv2",
    "cloudformation",
    "cloudwatch",
    "dynamodb",
    "ec2",
    "ecr",
    "ecs",
    "events",  # EventBridge
    "firehose",
    "iam",
    "kinesis",
    "kms",
    "lambda",
    "logs",  # CloudWatch Logs
    "route53",
    "s3",
    "scheduler",
    "secretsmanager",
    "ses",
    "sfn",  # Step Functions
    "sns",
    "sqs",
    "ssm",
    "sts",
    "xray",
)


def render_provider_override(endpoint_url: str, region: str) -> str:
    """The body of a `provider "aws"` block (without its braces) for the emulator at `endpoint_url`."""
    width = max(len(name) for name in SERVICE_ENDPOINTS)
    endpoint_lines = "\n".join(f'    {name:<{width}} = "{endpoint_url}"' for name in SERVICE_ENDPOINTS)
    return (
        "  # Written by stepgate for the local sandbox; do not edit.\n"
        f'  region                      = "{region}"\n'
        '  access_key                  = "test"\n'
        '  secret_key                  = "test"\n'
        "  skip_credentials_validation = true\n"
        "  skip_metadata_api_check     = true\n"
        "  skip_region_validation      = true\n"
        # The emulator's STS answers GetCallerIdentity, so the account id stays literal in the plan.
        "  skip_requesting_account_id  = false\n"
        "  s3_use_path_style           = true\n"
        # A local emulator either answers or is gone: fail in seconds instead of 25 backed-off retries.
        "  max_retries                 = 3\n"
        "\n"
        "  endpoints {\n"
        f"{endpoint_lines}\n"
        "  }\n"
    )
