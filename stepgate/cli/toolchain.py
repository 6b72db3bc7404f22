"""`stepgate toolchain`: which binary will run and where providers will come from."""

from __future__ import annotations

import argparse
import os
from typing import Any

from rich.console import Console

from stepgate.tf import MIRROR_ENV, default_mirror, find_toolchain, mirrored_providers, provider_versions


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("toolchain", help="show the tofu/terraform binary and where providers come from")
    parser.set_defaults(handler=_show)


def _show(args: argparse.Namespace) -> int:
    toolchain = find_toolchain()
    console = Console(highlight=False)
    console.print(f"binary     {toolchain.binary} ({toolchain.label})")
    if toolchain.mirror is not None:
        builds = [f"{source} {', '.join(provider_versions(toolchain.mirror, source))}" for source in mirrored_providers(toolchain.mirror)]
        console.print(f"providers  the filesystem mirror {toolchain.mirror} ({MIRROR_ENV}): {'; '.join(builds)}")
    else:
        config = os.environ.get("TF_CLI_CONFIG_FILE") or "~/.terraformrc"
        console.print(f"providers  your CLI configuration ({config}); {default_mirror()} is the fallback when no registry answers")
    return 0
