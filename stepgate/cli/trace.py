"""Front door for `stepgate trace ID`: a request, the execution it started, state by state, and its audit."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stepgate.e2e.scenario import DEFAULT_OUTPUT
from stepgate.errors import StepgateError
from stepgate.sandbox import DEFAULT_REGION, list_sandboxes

if TYPE_CHECKING:
    from stepgate.e2e.target import Target

DESCRIPTION = """\
Follow one request through a deployed configuration: its API Gateway access-log record, the execution it
started, every state that execution entered (entered/exited, duration, Task retries, error and cause,
input and output) and the execution's audit events. ID is an API Gateway request id (the x-amzn-RequestId
response header, or requestId in the response body), an Idempotency-Key, an execution name or an
execution ARN. STANDARD executions are read with GetExecutionHistory, EXPRESS ones from their log group.

Where the deployment is: --outputs FILE (what `tofu output -json > FILE` saved) or --dir DIR (runs
`output -json` there: it reads DIR's state and changes nothing). Where to read: --target local (the
sandbox `stepgate sandbox up` recorded, or --endpoint URL) or --target aws (the default credential chain
and --region; read-only calls, so any account the credentials reach)."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("trace", help="follow a request to its execution, state by state, and its audit events",
                                   description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("identifier", metavar="ID", help="request id, Idempotency-Key, execution name or execution ARN")
    deployment = parser.add_mutually_exclusive_group(required=True)
    deployment.add_argument("--outputs", type=Path, metavar="FILE", help="the configuration's `tofu output -json`, saved to FILE")
    deployment.add_argument("--dir", type=Path, metavar="DIR", help="the applied configuration: runs `output -json` there (read-only)")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help=f"root output holding the module object (default {DEFAULT_OUTPUT})")
    parser.add_argument("--target", choices=("local", "aws"), default="local",
                        help="local: the emulator (default); aws: the account of the default credential chain")
    parser.add_argument("--endpoint", metavar="URL", help="local: the emulator URL (default: the one sandbox recorded by `stepgate sandbox up`)")
    parser.add_argument("--region", default=DEFAULT_REGION, help=f"region for --target aws (default {DEFAULT_REGION})")
    parser.add_argument("--state-root", type=Path, help="where `stepgate sandbox up` recorded its sandboxes")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="table (default) or json (long values cut and marked $truncated)")
    parser.set_defaults(handler=_trace)


def _trace(args: argparse.Namespace) -> int:
    # boto3 and rich load only when a trace runs, not for every stepgate command
    from botocore.exceptions import BotoCoreError, ClientError
    from rich.console import Console

    from stepgate.e2e.runner import module_outputs
    from stepgate.e2e.trace import Sources, as_json, render, trace

    outputs = load_outputs(args.outputs) if args.outputs else _applied_outputs(args.dir)
    module = module_outputs(outputs, args.output)
    target = choose_target(args.target, args.endpoint, args.region, args.state_root)
    session = target.session()
    sources = Sources.from_module(module, target.client("stepfunctions", session), target.client("logs", session))
    try:
        found = trace(args.identifier, sources)
    except (BotoCoreError, ClientError) as error:
        raise StepgateError(f"reading {target.endpoint_url or f'AWS in {target.region}'} failed: {error}") from error
    if args.format == "json":
        sys.stdout.write(json.dumps(as_json(found), indent=2, default=str) + "\n")
    else:
        Console().print(render(found))
    return 0


def load_outputs(path: Path) -> dict[str, Any]:
    """Root outputs from a file: `tofu output -json` ({name: {value, type, sensitive}}) or plain {name: value}."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise StepgateError(f"cannot read {path}: {error.strerror or error}") from error
    except ValueError as error:
        raise StepgateError(f"{path} is not JSON (save it with `tofu output -json > {path}`): {error}") from error
    if not isinstance(document, dict):
        raise StepgateError(f"{path} holds no outputs object (save it with `tofu output -json > {path}`)")
    if all(isinstance(item, dict) and "value" in item and "type" in item for item in document.values()):
        return {name: item["value"] for name, item in document.items()}
    return document


def _applied_outputs(directory: Path) -> dict[str, Any]:
    from stepgate.tf import TfRunner, find_toolchain

    return TfRunner(directory, find_toolchain()).outputs()


def choose_target(kind: str, endpoint: str | None, region: str, state_root: Path | None = None) -> "Target":
    from stepgate.e2e.target import Target

    if kind == "aws":
        return Target("aws", region)
    if endpoint:
        return Target("local", region, endpoint)
    sandboxes = list_sandboxes(state_root)
    if len(sandboxes) != 1:
        found = ", ".join(sandbox.endpoint_url for sandbox in sandboxes) or "none"
        raise StepgateError(f"--target local needs --endpoint URL: `stepgate sandbox up` recorded {len(sandboxes)} sandboxes ({found})")
    return Target("local", sandboxes[0].region, sandboxes[0].endpoint_url)
