"""The sandbox workdir: which files are copied, and the provider override the harness writes."""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest

from stepgate.errors import StepgateError
from stepgate.sandbox import OVERRIDE_FILE_NAME, SERVICE_ENDPOINTS, prepare_workdir, render_provider_override

PROVIDER = 'provider "aws" {\n  region = var.region\n}\n'


def unwrap(value: object) -> object:
    """python-hcl2 8 returns provider attributes as one-element lists."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def make_repo(root: Path, provider: str = PROVIDER) -> Path:
    root.mkdir()
    (root / "main.tf").write_text('variable "name" {\n  type = string\n}\n')
    (root / "README.md").write_text("not HCL")
    (root / "modules" / "api" / "templates").mkdir(parents=True)
    (root / "modules" / "api" / "main.tf").write_text("")
    (root / "modules" / "api" / "templates" / "t.vtl").write_text("$input.json('$')")
    (root / "modules" / "api" / ".terraform").mkdir()
    example = root / "examples" / "basic"
    (example / ".terraform" / "providers").mkdir(parents=True)
    (example / "main.tf").write_text(provider + 'module "x" {\n  source = "../.."\n}\n')
    (example / "terraform.tfstate").write_text("{}")
    (example / "terraform.tfstate.backup").write_text("{}")
    (example / ".terraform.lock.hcl").write_text("")
    (example / "README.md").write_text("example")
    (root / "examples" / "other").mkdir()
    return root


def test_copy_keeps_relative_layout_and_drops_state(tmp_path: Path) -> None:
    workdir = prepare_workdir(make_repo(tmp_path / "repo"), "basic", None)
    copy_root = workdir.parent.parent
    assert workdir.name == "basic" and workdir.parent.name == "examples"
    assert (copy_root / "main.tf").is_file() and not (copy_root / "README.md").exists()
    assert (copy_root / "modules" / "api" / "templates" / "t.vtl").is_file()
    assert not (copy_root / "modules" / "api" / ".terraform").exists()
    assert not (copy_root / "examples" / "other").exists()
    assert sorted(p.name for p in workdir.iterdir()) == ["README.md", "main.tf"]


def test_override_points_every_service_at_the_endpoint(tmp_path: Path) -> None:
    workdir = prepare_workdir(make_repo(tmp_path / "repo"), "basic", "http://127.0.0.1:4599", "eu-west-1")
    parsed = hcl2.loads((workdir / OVERRIDE_FILE_NAME).read_text())
    aws = parsed["provider"][0]["aws"]
    endpoints = aws["endpoints"][0]
    assert {key for key in endpoints if not key.startswith("__")} == set(SERVICE_ENDPOINTS)
    assert {unwrap(endpoints[key]) for key in SERVICE_ENDPOINTS} == {"http://127.0.0.1:4599"}
    assert unwrap(aws["region"]) == "eu-west-1"
    assert unwrap(aws["skip_credentials_validation"]) is True and unwrap(aws["skip_requesting_account_id"]) is False


def test_each_call_gets_a_fresh_copy(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    assert prepare_workdir(repo, "basic", None) != prepare_workdir(repo, "basic", None)


def test_stale_override_in_the_source_is_not_copied(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "examples" / "basic" / OVERRIDE_FILE_NAME).write_text("broken {")
    assert not (prepare_workdir(repo, "basic", None) / OVERRIDE_FILE_NAME).exists()


def test_unknown_example_names_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(StepgateError, match=r"no example 'nope'.*basic, other"):
        prepare_workdir(make_repo(tmp_path / "repo"), "nope", None)


def test_example_without_default_provider_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", provider='provider "aws" {\n  alias = "east"\n}\n')
    with pytest.raises(StepgateError, match='no provider "aws" block'):
        prepare_workdir(repo, "basic", "http://127.0.0.1:4599")


def test_endpoint_keys_are_unique_primary_names() -> None:
    assert len(set(SERVICE_ENDPOINTS)) == len(SERVICE_ENDPOINTS)
    # aliases the provider rejects next to their primary key
    assert not {"cloudwatchlogs", "eventbridge", "stepfunctions", "cloudwatchevents"} & set(SERVICE_ENDPOINTS)
    assert render_provider_override("http://x", "us-east-1").count('= "http://x"') == len(SERVICE_ENDPOINTS)
