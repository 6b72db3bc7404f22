"""A scratch mirror of a configuration directory, so planning and applying never write into the user's tree.

The mirror keeps every path the configuration can reach by relative reference: the directory itself and
each local module it calls (transitively) become real directories under a scratch root, at the same
positions relative to their common ancestor; everything else in them is a symbolic link to the original.
tofu/terraform then write `.terraform/`, the lock file and state into the scratch copy only. An override
file in the mirror replaces the user's backend with a local state file in the scratch root (the user's
backend and state are never read or written) and, for a sandbox, points every aws provider configuration
at the emulator.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stepgate.errors import StepgateError

OVERRIDE_FILE = "stepgate_override.tf"
PROVIDER_FILE = "stepgate_provider.tf"  # when the configuration has no aws provider block to override
# Never mirrored: what a run of the user's own tofu/terraform left behind.
_LEFT_OUT = {".terraform", "terraform.tfstate", "terraform.tfstate.backup", ".terraform.tfstate.lock.info", ".git"}
LOCK_FILE = ".terraform.lock.hcl"


@dataclass(frozen=True)
class ProviderBlock:
    """An aws provider configuration of the root module: the default one (alias None) or an aliased one."""

    alias: str | None


@dataclass(frozen=True)
class Workspace:
    source: Path  # the user's configuration directory
    scratch: Path  # everything stepgate writes lives under here
    workdir: Path  # the mirror of `source` that tofu/terraform run in

    @property
    def state_file(self) -> Path:
        return self.scratch / "stepgate.tfstate"


def _parse(path: Path) -> Mapping[str, Any]:
    import hcl2  # its parser takes a tenth of a second to build: only when HCL is read

    try:
        if path.name.endswith(".tf.json"):
            document = json.loads(path.read_text(encoding="utf-8"))
            return document if isinstance(document, dict) else {}
        return hcl2.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except Exception as error:  # noqa: BLE001 - python-hcl2 raises lark errors of several types
        first = str(error).splitlines()[0] if str(error) else error.__class__.__name__
        raise StepgateError(f"cannot parse {path}: {first}") from error


def configuration_files(directory: Path) -> list[Path]:
    return sorted([*directory.glob("*.tf"), *directory.glob("*.tf.json")])


def _blocks(document: Mapping[str, Any], kind: str) -> list[tuple[str, Mapping[str, Any]]]:
    """(label, body) of the `kind` blocks of a parsed file, for python-hcl2 (list of dicts) and JSON (dict)."""
    raw = document.get(kind) or []
    items = raw if isinstance(raw, list) else [raw]
    found = []
    for item in items:
        if isinstance(item, Mapping):
            for label, body in item.items():
                for one in body if isinstance(body, list) else [body]:
                    if isinstance(one, Mapping):
                        found.append((str(label), one))
    return found


def _unquote(value: Any) -> str:
    text = str(value[0] if isinstance(value, list) and value else value)
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def local_module_dirs(directory: Path) -> list[Path]:
    """`directory` and every local module it calls, transitively (sources starting ./ or ../)."""
    seen: dict[Path, None] = {}
    pending = [directory.resolve()]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen[current] = None
        for path in configuration_files(current):
            for _, body in _blocks(_parse(path), "module"):
                source = _unquote(body.get("source", ""))
                if source.startswith(("./", "../")):
                    target = (current / source).resolve()
                    if not target.is_dir():
                        raise StepgateError(f"{path}: module source {source} is not a directory")
                    pending.append(target)
    return list(seen)


def aws_provider_blocks(directory: Path) -> list[ProviderBlock]:
    blocks = []
    for path in configuration_files(directory):
        for name, body in _blocks(_parse(path), "provider"):
            if _unquote(name) == "aws":
                alias = body.get("alias")
                blocks.append(ProviderBlock(_unquote(alias) if alias is not None else None))
    return blocks


def _mirror(anchor: Path, involved: Sequence[Path], target: Path, keep_lock: Path | None) -> None:
    """Real directories along every path from `anchor` to an involved directory, links for everything else."""
    on_path = {anchor}
    for directory in involved:
        for parent in [directory, *directory.parents]:
            on_path.add(parent)
            if parent == anchor:
                break

    def build(source: Path, destination: Path) -> None:
        destination.mkdir(parents=True, exist_ok=True)
        for entry in sorted(source.iterdir()):
            if entry.name in _LEFT_OUT or entry.name.endswith((".tfplan",)):
                continue
            if entry.name == LOCK_FILE:
                if source == keep_lock:
                    shutil.copy2(entry, destination / entry.name)  # tofu may update it: never through a link
                continue
            if entry.is_dir() and entry.resolve() in on_path:
                build(entry.resolve(), destination / entry.name)
            else:
                os.symlink(entry.resolve(), destination / entry.name)

    build(anchor, target)


def _common_anchor(paths: Sequence[Path]) -> Path:
    return Path(os.path.commonpath([str(p) for p in paths]))


def render_backend_override(state_file: Path) -> str:
    return (
        "# Written by stepgate into its scratch copy: a local state of its own, never your backend.\n"
        "terraform {\n"
        f'  backend "local" {{\n    path = "{state_file}"\n  }}\n'
        "}\n"
    )


@contextlib.contextmanager
def open_workspace(source: Path, provider_override: str = "", keep_lock_file: bool = True,
                   keep: bool = False) -> Iterator[Workspace]:
    """A scratch mirror of `source` with the backend (and optionally the providers) overridden; removed on exit.
    `provider_override` is the body of the aws provider configuration to use (see sandbox.overrides)."""
    source = Path(source).resolve()
    if not source.is_dir():
        raise StepgateError(f"{source} is not a directory")
    if not configuration_files(source):
        raise StepgateError(f"{source} contains no .tf files")
    involved = local_module_dirs(source)
    anchor = _common_anchor(involved)
    scratch = Path(tempfile.mkdtemp(prefix="stepgate-"))
    try:
        mirror_root = scratch / "tree"
        _mirror(anchor, involved, mirror_root, source if keep_lock_file else None)
        workdir = mirror_root / source.relative_to(anchor)
        workspace = Workspace(source=source, scratch=scratch, workdir=workdir)
        override = render_backend_override(workspace.state_file)
        if provider_override:
            blocks = aws_provider_blocks(source)
            override += "".join(_provider_block(provider_override, block.alias) for block in blocks)
            if not blocks:
                (workdir / PROVIDER_FILE).write_text(
                    "# Written by stepgate: the configuration has no aws provider block of its own.\n"
                    + _provider_block(provider_override, None))
        (workdir / OVERRIDE_FILE).write_text(override)
        yield workspace
    finally:
        if not keep:
            shutil.rmtree(scratch, ignore_errors=True)


def _provider_block(body: str, alias: str | None) -> str:
    alias_line = f'  alias = "{alias}"\n' if alias else ""
    return f'\nprovider "aws" {{\n{alias_line}{body}}}\n'
