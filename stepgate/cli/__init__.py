"""`stepgate` command line: parses arguments, hands each subcommand to its front door, turns errors into exit codes.

Each front door module exposes ``register(subparsers)``; it adds its subcommands and sets ``handler`` (a
callable taking the parsed namespace and returning an exit code) on each of them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from rich.console import Console

from stepgate import __version__
from stepgate.errors import StepgateError

FRONT_DOORS = ("stepgate.cli.check", "stepgate.cli.toolchain", "stepgate.cli.e2e", "stepgate.cli.trace")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stepgate",
        description="Prove that an API Gateway -> Step Functions deployment is least-privilege, auditable and working.",
    )
    parser.add_argument("--version", action="version", version=f"stepgate {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in FRONT_DOORS:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(handler(args))
    except StepgateError as error:
        Console(stderr=True).print(f"[bold red]stepgate:[/] {error}", highlight=False, soft_wrap=True)
        return error.exit_code
    except KeyboardInterrupt:
        Console(stderr=True).print("[bold red]stepgate:[/] interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
