"""The toolchain works offline: tofu initialises and validates a hashicorp/aws config from the local mirror."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stepgate.tf import TfRunner, installed_aws_provider_versions

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


def test_init_and_validate_offline_with_the_local_provider(toolchain: Any, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MINIMAL_CONFIG)
    runner = TfRunner(tmp_path, toolchain)
    runner.init()
    assert "Success! The configuration is valid." in runner.validate()
    providers = runner.providers()
    assert "provider[registry.opentofu.org/hashicorp/aws] >= 6.0" in providers or "provider[registry.terraform.io/hashicorp/aws] >= 6.0" in providers
    lock = (tmp_path / ".terraform.lock.hcl").read_text()
    assert any(f'version     = "{version}"' in lock for version in installed_aws_provider_versions(toolchain.plugin_dir))


def test_binary_reports_its_version(toolchain: Any) -> None:
    assert toolchain.kind in {"tofu", "terraform"}
    major, minor, _ = (int(part) for part in toolchain.version.split("."))
    assert (major, minor) >= (1, 6)
