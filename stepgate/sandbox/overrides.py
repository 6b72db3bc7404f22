"""A disposable copy of the repo's HCL with the aws provider pointed at the emulator.

The examples keep one provider block that works against real AWS; the harness, not the examples, owns
the sandbox wiring: a Terraform override file merged into that block (credentials, skips, endpoints).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import hcl2

from stepgate.errors import StepgateError

OVERRIDE_FILE_NAME = "stepgate_sandbox_override.tf"

# Every service the module or the harness's list calls touch, by the provider 6.x `endpoints` key
# (the primary names in the provider's names/data/names_data.hcl; an alias next to its primary is an error).
SERVICE_ENDPOINTS = (
    "apigateway",
    "apigatewayv2",
    "cloudwatch",
    "dynamodb",
    "events",  # EventBridge
    "firehose",
    "iam",
    "kms",
    "lambda",
    "logs",  # CloudWatch Logs
    "s3",
    "sfn",  # Step Functions
    "sns",
    "sqs",
    "sts",
    "xray",
)

# Left out of the copy: provider caches, state, plans and lock files of earlier runs (the copy re-inits
# offline against the local mirror) and a stale override.
_IGNORED = shutil.ignore_patterns(
    ".terraform", ".terraform.lock.hcl", "terraform.tfstate*", "*.tfplan", ".git", "__pycache__", OVERRIDE_FILE_NAME
)
_ROOT_SUFFIXES = (".tf", ".tf.json", ".tftpl", ".tpl")


def render_provider_override(endpoint_url: str, region: str) -> str:
    endpoint_lines = "\n".join(f'    {name:<{_width()}} = "{endpoint_url}"' for name in SERVICE_ENDPOINTS)
    return (
        "# Written by stepgate for the local sandbox (an override of the example's provider block); do not edit.\n"
        'provider "aws" {\n'
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
        "}\n"
    )


def _width() -> int:
    return max(len(name) for name in SERVICE_ENDPOINTS)


def prepare_workdir(repo_root: Path, example: str, endpoint_url: str | None, region: str = "us-east-1") -> Path:
    """Copy the root module, modules/ and examples/<example>/ into a fresh temp dir (same relative paths);
    with an endpoint, add the sandbox provider override. Returns the example dir inside the copy."""
    repo_root = Path(repo_root).resolve()
    source = repo_root / "examples" / example
    if not source.is_dir():
        known = sorted(p.name for p in (repo_root / "examples").glob("*") if p.is_dir())
        raise StepgateError(f"no example {example!r} under {repo_root / 'examples'} (known: {', '.join(known) or 'none'})")
    copy_root = Path(tempfile.mkdtemp(prefix=f"stepgate-{example}-"))
    for item in repo_root.iterdir():
        if item.is_file() and item.name.endswith(_ROOT_SUFFIXES):
            shutil.copy2(item, copy_root / item.name)
    if (repo_root / "modules").is_dir():
        shutil.copytree(repo_root / "modules", copy_root / "modules", ignore=_IGNORED)
    workdir = copy_root / "examples" / example
    shutil.copytree(source, workdir, ignore=_IGNORED)
    if endpoint_url is not None:
        if not _has_default_aws_provider(workdir):
            raise StepgateError(f"examples/{example} has no provider \"aws\" block (without alias) for the sandbox override")
        (workdir / OVERRIDE_FILE_NAME).write_text(render_provider_override(endpoint_url, region))
    return workdir


def _has_default_aws_provider(workdir: Path) -> bool:
    for path in sorted(workdir.glob("*.tf")):
        try:
            parsed = hcl2.loads(path.read_text())
        except Exception as error:  # python-hcl2 raises lark errors of several types
            raise StepgateError(f"cannot parse {path.name}: {str(error).splitlines()[0]}") from error
        for block in parsed.get("provider", []):
            if "aws" in block and "alias" not in block["aws"]:
                return True
    return False
