"""`stepgate toolchain`: which binary and provider the harness will use, or why none is usable."""

from __future__ import annotations

import argparse

from rich.console import Console

from stepgate.tf import find_toolchain, installed_aws_provider_versions


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("toolchain", help="show the tofu/terraform binary and the local hashicorp/aws builds")
    parser.set_defaults(handler=_show)


def _show(args: argparse.Namespace) -> int:
    toolchain = find_toolchain()
    versions = installed_aws_provider_versions(toolchain.plugin_dir)
    console = Console()
    console.print(f"binary   {toolchain.binary} ({toolchain.kind} {toolchain.version})")
    console.print(f"mirror   {toolchain.plugin_dir}")
    console.print(f"aws      {', '.join(versions) if versions else 'none built yet (run make setup)'}")
    return 0 if versions else 2
