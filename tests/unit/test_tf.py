"""Binary discovery and the offline CLI config, with small scripts standing in for `version` output."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from stepgate.errors import StepgateError
from stepgate.tf import AWS_PROVIDER_SOURCES, Toolchain, _last_error, find_toolchain, installed_aws_provider_versions


def _fake_binary(tmp_path: Path, name: str, version_line: str) -> Path:
    binary = tmp_path / name
    binary.write_text(f"#!/bin/sh\necho '{version_line}'\necho 'on linux_amd64'\n")
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    return binary


def test_explicit_binary_is_used_and_classified(tmp_path: Path) -> None:
    binary = _fake_binary(tmp_path, "tofu", "OpenTofu v1.12.6")
    found = find_toolchain({"STEPGATE_TF_BINARY": str(binary), "HOME": str(tmp_path), "PATH": ""})
    assert (found.binary, found.kind, found.version) == (binary, "tofu", "1.12.6")
    assert found.plugin_dir == tmp_path / ".terraform.d" / "plugins"


def test_terraform_older_than_1_6_is_refused_with_reason(tmp_path: Path) -> None:
    binary = _fake_binary(tmp_path, "terraform", "Terraform v1.5.7")
    with pytest.raises(StepgateError, match="older than 1.6"):
        find_toolchain({"STEPGATE_TF_BINARY": str(binary), "HOME": str(tmp_path), "PATH": ""})


def test_missing_binary_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(StepgateError, match="make setup"):
        find_toolchain({"HOME": str(tmp_path), "PATH": str(tmp_path)})


def test_non_terraform_binary_is_refused(tmp_path: Path) -> None:
    binary = _fake_binary(tmp_path, "tofu", "something else 2.0")
    with pytest.raises(StepgateError, match="does not look like tofu or terraform"):
        find_toolchain({"STEPGATE_TF_BINARY": str(binary), "HOME": str(tmp_path), "PATH": ""})


def test_tofu_in_local_bin_is_found_without_path(tmp_path: Path) -> None:
    local_bin = tmp_path / ".local" / "bin"
    local_bin.mkdir(parents=True)
    binary = _fake_binary(local_bin, "tofu", "OpenTofu v1.10.10")
    assert find_toolchain({"HOME": str(tmp_path), "PATH": ""}).binary == binary


def test_cli_config_mirrors_aws_and_never_falls_back_to_the_network(tmp_path: Path) -> None:
    config = Toolchain(binary=tmp_path / "tofu", kind="tofu", version="1.12.6", plugin_dir=tmp_path).cli_config()
    mirror, direct = config.split("direct")
    assert f'path    = "{tmp_path}"' in mirror
    for source in AWS_PROVIDER_SOURCES:
        assert f'"{source}"' in mirror and f'"{source}"' in direct
    assert "exclude" in direct and "include" not in direct


def test_installed_provider_versions_reads_the_mirror_layout(tmp_path: Path) -> None:
    assert installed_aws_provider_versions(tmp_path) == []
    build = tmp_path / AWS_PROVIDER_SOURCES[0] / "6.47.1" / "linux_amd64" / "terraform-provider-aws_v6.47.1"
    build.parent.mkdir(parents=True)
    build.write_text("")
    (tmp_path / AWS_PROVIDER_SOURCES[0] / "9.9.9").mkdir()
    assert installed_aws_provider_versions(tmp_path) == ["6.47.1"]


def test_last_error_keeps_the_error_and_its_detail_on_one_line() -> None:
    stderr = "\n╷\n│ Error: Unsupported argument\n│ \n│   on main.tf line 3:\n│ An argument named \"x\" is not expected here.\n╵\n"
    assert _last_error(stderr) == 'Error: Unsupported argument on main.tf line 3: An argument named "x" is not expected here.'
