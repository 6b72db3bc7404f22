"""The scratch mirror a configuration is planned and applied in, and the overrides stepgate writes there."""

from __future__ import annotations

from pathlib import Path

import hcl2
import pytest

from stepgate.errors import StepgateError
from stepgate.sandbox import SERVICE_ENDPOINTS, render_provider_override
from stepgate.workspace import OVERRIDE_FILE, PROVIDER_FILE, local_module_dirs, open_workspace

PROVIDER = 'provider "aws" {\n  region = var.region\n}\n'


def unwrap(value: object) -> object:
    """python-hcl2 8 returns attributes as one-element lists."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def make_repo(root: Path, provider: str = PROVIDER) -> Path:
    """A user's repository: infra/ calls a module in ../modules/api, which calls ./nested; docs/ is unrelated."""
    (root / "modules" / "api" / "templates").mkdir(parents=True)
    (root / "modules" / "api" / "main.tf").write_text('module "nested" {\n  source = "./nested"\n}\n')
    (root / "modules" / "api" / "nested").mkdir()
    (root / "modules" / "api" / "nested" / "main.tf").write_text("")
    (root / "modules" / "api" / "templates" / "t.vtl").write_text("$input.json('$')")
    (root / "docs").mkdir()
    (root / "docs" / "big.bin").write_bytes(b"0" * 1024)
    infra = root / "infra"
    (infra / ".terraform" / "providers").mkdir(parents=True)
    (infra / "main.tf").write_text(provider + 'module "api" {\n  source = "../modules/api"\n}\nmodule "remote" {\n  source = "git::https://example.com/x.git"\n}\n')
    (infra / "backend.tf").write_text('terraform {\n  backend "s3" {\n    bucket = "team-state"\n  }\n}\n')
    (infra / "terraform.tfstate").write_text("{}")
    (infra / ".terraform.lock.hcl").write_text("# lock")
    (infra / "workflow.asl.json").write_text("{}")
    return infra


def tree(path: Path) -> dict[str, str]:
    return {str(p.relative_to(path)): ("link" if p.is_symlink() else "dir" if p.is_dir() else "file")
            for p in sorted(path.rglob("*")) if not any(part.is_symlink() for part in p.relative_to(path).parents if part != Path("."))}


def test_local_modules_are_found_transitively(tmp_path: Path) -> None:
    infra = make_repo(tmp_path)
    assert local_module_dirs(infra) == [infra, tmp_path / "modules" / "api", tmp_path / "modules" / "api" / "nested"]


def test_mirror_has_real_dirs_along_module_paths_and_links_for_the_rest(tmp_path: Path) -> None:
    infra = make_repo(tmp_path / "repo")
    before = tree(tmp_path / "repo")
    with open_workspace(infra) as workspace:
        root = workspace.workdir.parent
        assert workspace.workdir == root / "infra"
        assert (root / "modules" / "api").is_dir() and not (root / "modules" / "api").is_symlink()
        assert (root / "modules" / "api" / "main.tf").is_symlink() and (root / "modules" / "api" / "templates").is_symlink()
        assert (root / "docs").is_symlink()
        listing = sorted(p.name for p in workspace.workdir.iterdir())
        assert listing == [".terraform.lock.hcl", "backend.tf", "main.tf", OVERRIDE_FILE, "workflow.asl.json"]
        assert not (workspace.workdir / ".terraform.lock.hcl").is_symlink()  # tofu may rewrite it: a copy
        (workspace.workdir / "terraform.tfstate").write_text("written by a run")
        scratch = workspace.scratch
    assert not scratch.exists()
    assert tree(tmp_path / "repo") == before and (infra / "terraform.tfstate").read_text() == "{}"


def test_the_backend_is_always_a_local_state_in_the_scratch_dir(tmp_path: Path) -> None:
    with open_workspace(make_repo(tmp_path)) as workspace:
        parsed = hcl2.loads((workspace.workdir / OVERRIDE_FILE).read_text())
        backend = parsed["terraform"][0]["backend"][0]
        assert list(backend) == ["local"] and unwrap(backend["local"]["path"]) == str(workspace.state_file)
        assert "provider" not in parsed


def test_the_lock_file_is_left_out_when_providers_come_from_a_mirror(tmp_path: Path) -> None:
    with open_workspace(make_repo(tmp_path), keep_lock_file=False) as workspace:
        assert not (workspace.workdir / ".terraform.lock.hcl").exists()


@pytest.mark.parametrize(("provider", "aliases", "extra_file"), [
    (PROVIDER, [None], False),
    (PROVIDER + 'provider "aws" {\n  alias  = "east"\n  region = "us-east-1"\n}\n', [None, "east"], False),
    ("", [None], True),  # no provider block of its own: a plain provider file, not an override
])
def test_sandbox_points_every_aws_provider_configuration_at_the_emulator(tmp_path: Path, provider: str, aliases: list[str | None],
                                                                        extra_file: bool) -> None:
    with open_workspace(make_repo(tmp_path, provider), render_provider_override("http://127.0.0.1:4599", "eu-west-1")) as workspace:
        files = [workspace.workdir / (PROVIDER_FILE if extra_file else OVERRIDE_FILE)]
        blocks = [block["aws"] for path in files for block in hcl2.loads(path.read_text()).get("provider", [])]
        assert [unwrap(block.get("alias")) for block in blocks] == aliases
        for aws in blocks:
            endpoints = aws["endpoints"][0]
            assert {key for key in endpoints if not key.startswith("__")} == set(SERVICE_ENDPOINTS)
            assert {unwrap(endpoints[key]) for key in SERVICE_ENDPOINTS} == {"http://127.0.0.1:4599"}
            assert unwrap(aws["region"]) == "eu-west-1" and unwrap(aws["skip_requesting_account_id"]) is False


def test_a_missing_local_module_and_a_directory_without_configuration_are_one_line_errors(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('module "x" {\n  source = "./gone"\n}\n')
    with pytest.raises(StepgateError, match=r"main.tf: module source ./gone is not a directory"):
        local_module_dirs(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(StepgateError, match="contains no .tf files"):
        with open_workspace(tmp_path / "empty"):
            pass


def test_endpoint_keys_are_unique_primary_names() -> None:
    assert len(set(SERVICE_ENDPOINTS)) == len(SERVICE_ENDPOINTS)
    # aliases the provider rejects next to their primary key
    assert not {"cloudwatchlogs", "eventbridge", "stepfunctions", "cloudwatchevents"} & set(SERVICE_ENDPOINTS)
    assert render_provider_override("http://x", "us-east-1").count('= "http://x"') == len(SERVICE_ENDPOINTS)
