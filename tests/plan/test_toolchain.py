"""The toolchain works offline: each binary initialises and validates a hashicorp/aws configuration with
the provider from the filesystem mirror STEPGATE_PROVIDER_MIRROR names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stepgate.tf import TfRunner, provider_versions
from stepgate.workspace import open_workspace

MINIMAL_CONFIG = """
terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

resource "aws_sqs_queue" "probe" {
  name                    = "stepgate-toolchain-probe"
  sqs_managed_sse_enabled = true
}
"""
REGISTRY = {"tofu": "registry.opentofu.org/hashicorp/aws", "terraform": "registry.terraform.io/hashicorp/aws"}


def test_init_and_validate_offline_with_the_mirrored_provider(toolchain: Any, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MINIMAL_CONFIG)
    with open_workspace(tmp_path, keep_lock_file=False) as workspace:
        runner = TfRunner(workspace.workdir, toolchain, disposable=True)
        runner.init()
        assert "Success! The configuration is valid." in runner.validate()
        lock = (workspace.workdir / ".terraform.lock.hcl").read_text()
    source = REGISTRY[toolchain.kind]
    assert f'provider "{source}"' in lock
    assert any(f'version     = "{version}"' in lock for version in provider_versions(toolchain.mirror, source))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["main.tf"]


def test_binary_reports_its_version(toolchain: Any) -> None:
    assert toolchain.kind in {"tofu", "terraform"}
    major, minor, _ = (int(part) for part in toolchain.version.split("."))
    assert (major, minor) >= (1, 6)
