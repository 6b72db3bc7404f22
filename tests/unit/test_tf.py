"""Binary discovery, where providers come from, and one-line errors, with small scripts standing in for tofu."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from stepgate.errors import StepgateError
from stepgate.tf import TfRunner, Toolchain, _last_error, find_toolchain, json_document, mirrored_providers, provider_versions

AWS = "registry.opentofu.org/hashicorp/aws"


def fake_binary(tmp_path: Path, name: str, script: str) -> Path:
    binary = tmp_path / name
    binary.write_text("#!/bin/sh\n" + script)
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    return binary


def versioned(tmp_path: Path, name: str, version_line: str) -> Path:
    return fake_binary(tmp_path, name, f"echo '{version_line}'\necho 'on linux_amd64'\n")


def mirror_with(root: Path, source: str = AWS, version: str = "6.47.1") -> Path:
    build = root / source / version / "linux_amd64" / f"terraform-provider-aws_v{version}"
    build.parent.mkdir(parents=True)
    build.write_text("")
    return root


def test_explicit_binary_is_used_and_classified(tmp_path: Path) -> None:
    binary = versioned(tmp_path, "tofu", "OpenTofu v1.12.6")
    found = find_toolchain({"STEPGATE_TF_BINARY": str(binary), "HOME": str(tmp_path), "PATH": ""})
    assert (found.binary, found.kind, found.version, found.mirror) == (binary, "tofu", "1.12.6", None)


def test_path_order_is_tofu_then_terraform(tmp_path: Path) -> None:
    terraform = versioned(tmp_path, "terraform", "Terraform v1.11.4")
    assert find_toolchain({"PATH": str(tmp_path), "HOME": str(tmp_path)}).binary == terraform
    tofu = versioned(tmp_path, "tofu", "OpenTofu v1.12.6")
    assert find_toolchain({"PATH": str(tmp_path), "HOME": str(tmp_path)}).binary == tofu


def test_terraform_older_than_1_6_is_refused_with_reason(tmp_path: Path) -> None:
    binary = versioned(tmp_path, "terraform", "Terraform v1.5.7")
    with pytest.raises(StepgateError, match="older than 1.6"):
        find_toolchain({"STEPGATE_TF_BINARY": str(binary), "HOME": str(tmp_path), "PATH": ""})


def test_missing_binary_names_the_fix(tmp_path: Path) -> None:
    with pytest.raises(StepgateError, match="no tofu or terraform on PATH: install one .* or set STEPGATE_TF_BINARY"):
        find_toolchain({"HOME": str(tmp_path), "PATH": str(tmp_path)})


def test_non_terraform_binary_is_refused(tmp_path: Path) -> None:
    binary = versioned(tmp_path, "tofu", "something else 2.0")
    with pytest.raises(StepgateError, match="does not look like tofu or terraform"):
        find_toolchain({"STEPGATE_TF_BINARY": str(binary), "HOME": str(tmp_path), "PATH": ""})


def test_the_mirror_is_used_only_when_asked(tmp_path: Path) -> None:
    binary = versioned(tmp_path, "tofu", "OpenTofu v1.12.6")
    mirror = mirror_with(tmp_path / "mirror")
    env = {"STEPGATE_TF_BINARY": str(binary), "HOME": str(tmp_path), "PATH": ""}
    assert find_toolchain(env).mirror is None
    assert find_toolchain({**env, "STEPGATE_PROVIDER_MIRROR": str(mirror)}).mirror == mirror
    with pytest.raises(StepgateError, match="holds no provider builds"):
        find_toolchain({**env, "STEPGATE_PROVIDER_MIRROR": str(tmp_path / "empty")})


def test_cli_config_installs_what_the_mirror_holds_from_it_and_the_rest_directly(tmp_path: Path) -> None:
    mirror = mirror_with(mirror_with(tmp_path, AWS), "registry.terraform.io/hashicorp/aws")
    config = Toolchain(binary=tmp_path / "tofu", kind="tofu", version="1.12.6", mirror=mirror).cli_config()
    filesystem, direct = config.split("direct")
    assert f'path    = "{mirror}"' in filesystem
    sources = '"registry.opentofu.org/hashicorp/aws", "registry.terraform.io/hashicorp/aws"'
    assert f"include = [{sources}]" in filesystem and f"exclude = [{sources}]" in direct


def test_mirror_layout_is_read_per_source_and_version(tmp_path: Path) -> None:
    assert mirrored_providers(tmp_path) == []
    mirror_with(tmp_path)
    (tmp_path / AWS / "9.9.9").mkdir()
    assert (mirrored_providers(tmp_path), provider_versions(tmp_path, AWS)) == ([AWS], ["6.47.1"])


def test_show_output_after_a_cli_configuration_warning_is_still_read() -> None:
    text = "There are some problems with the CLI configuration:\n╷\n│ Warning: Unable to open CLI configuration file\n╵\n{\"format_version\": \"1.2\"}\n"
    assert json_document(text) == {"format_version": "1.2"}


def test_last_error_keeps_the_error_and_its_detail_on_one_line() -> None:
    stderr = "\n╷\n│ Error: Unsupported argument\n│ \n│   on main.tf line 3:\n│ An argument named \"x\" is not expected here.\n╵\n"
    assert _last_error(stderr) == 'Error: Unsupported argument on main.tf line 3: An argument named "x" is not expected here.'


FAILING_INIT = """
case "$1" in
  version) echo 'OpenTofu v1.12.6';;
  init) if [ -n "$TF_CLI_CONFIG_FILE" ] && grep -q filesystem_mirror "$TF_CLI_CONFIG_FILE" 2>/dev/null; then echo ok; exit 0; fi
        echo 'Error: Failed to query available provider packages' >&2
        echo 'Could not retrieve the list of available versions: could not connect to registry.opentofu.org' >&2; exit 1;;
  plan) echo 'Error: No valid credential sources found' >&2; exit 1;;
esac
"""


def runner(tmp_path: Path, home: Path) -> TfRunner:
    binary = fake_binary(tmp_path, "tofu", FAILING_INIT)
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / ".terraform.lock.hcl").write_text("# registry hashes")
    return TfRunner(workdir, Toolchain(binary, "tofu", "1.12.6"), extra_env={"TF_CLI_CONFIG_FILE": ""}, disposable=True)


def test_unreachable_registry_falls_back_to_the_default_mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    mirror_with(tmp_path / ".terraform.d" / "plugins")
    tf = runner(tmp_path, tmp_path)
    tf.init()
    assert tf.toolchain.mirror == tmp_path / ".terraform.d" / "plugins"
    assert not (tf.workdir / ".terraform.lock.hcl").exists()  # registry hashes cannot match local builds


def test_no_provider_anywhere_is_one_line_naming_the_fixes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(StepgateError) as raised:
        runner(tmp_path, tmp_path).init()
    message = str(raised.value)
    assert "cannot install a provider from your CLI configuration" in message and "STEPGATE_PROVIDER_MIRROR" in message
    assert "\n" not in message


def test_missing_credentials_point_at_the_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(StepgateError, match="needs AWS credentials .* use --sandbox"):
        runner(tmp_path, tmp_path).plan()
