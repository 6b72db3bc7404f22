"""`stepgate` command line: parses arguments, hands each subcommand to its front door, turns errors into exit codes.

Each front door module exposes ``register(subparsers)``; it adds its subcommands and sets ``handler`` (a
callable taking the parsed namespace and returning an exit code) on each of them. A command imports only
its own front door (the others' imports cost a tenth of a small check); help, `--version` and an unknown
command register them all.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from stepgate import __version__
from stepgate.errors import StepgateError

# front door module -> the commands its register() adds
FRONT_DOORS = {
    "stepgate.cli.check": ("check", "explain", "policies-dir"),
    "stepgate.cli.toolchain": ("toolchain",),
    "stepgate.cli.e2e": ("sandbox", "e2e", "scenario"),
    "stepgate.cli.trace": ("trace",),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser for `command` (its front door alone), or for every command."""
    parser = argparse.ArgumentParser(
        prog="stepgate",
        description="Prove that an API Gateway -> Step Functions deployment is least-privilege, auditable and working.",
    )
    parser.add_argument("--version", action="version", version=f"stepgate {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    doors = [module for module, commands in FRONT_DOORS.items() if command in commands] or list(FRONT_DOORS)
    for module_name in doors:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    # the top level has only flags that exit (-h, --version): a command is the first word or absent
    parser = build_parser(arguments[0] if arguments and not arguments[0].startswith("-") else None)
    args = parser.parse_args(arguments)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(handler(args))
    except StepgateError as error:
        _print_error(str(error))
        return error.exit_code
    except KeyboardInterrupt:
        _print_error("interrupted")
        return 130


def _print_error(message: str) -> None:
    # rich takes longer to import than a small check takes to run: only a failing command pays for it
    from rich.console import Console

    Console(stderr=True).print(f"[bold red]stepgate:[/] {message}", highlight=False, soft_wrap=True)


if __name__ == "__main__":
    sys.exit(main())
