"""The HCL a plan was made from: the directory of each (local) module and its resource blocks with lines.

Findings get their file:line from here, and inline suppressions their scope. Remote modules (registry,
git) have no directory in the user's tree, so their resources carry no location.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stepgate.errors import StepgateError
from stepgate.findings import Finding, Location
from stepgate.plan.model import module_path as strip_keys
from stepgate.plan.model import Plan

if TYPE_CHECKING:
    from stepgate.hcl.syntax import Block as SyntaxBlock



@dataclass(frozen=True)
class Block:
    file: Path
    start: int  # 1-based first and last line, as python-hcl2 reports them
    end: int
    config_address: str  # e.g. aws_iam_role.this or data.aws_iam_policy_document.trust


@dataclass(frozen=True)
class SourceFile:
    path: Path
    text: str
    blocks: tuple[Block, ...]

    @cached_property
    def syntax(self) -> tuple[SyntaxBlock, ...]:
        """The file's blocks with their attributes' source, for evaluation; none when stepgate.hcl cannot read it."""
        from stepgate.hcl.syntax import SyntaxProblem, parse_file

        try:
            return tuple(parse_file(self.text).blocks)
        except SyntaxProblem:
            return ()

    def block_at(self, line: int, below: bool) -> Block | None:
        """The block enclosing `line` (1-based), else (when `below`) the next block below it."""
        for block in self.blocks:
            if block.start <= line <= block.end:
                return block
        if below:
            return next((block for block in self.blocks if block.start > line), None)
        return None


@dataclass
class SourceTree:
    """Module path (no instance keys) -> its directory and parsed .tf files, parsed once per check."""

    root: Path
    modules: dict[str, Path]
    _files: dict[Path, list[SourceFile]] = field(default_factory=dict)

    @classmethod
    def of(cls, plan: Plan, root: Path) -> SourceTree:
        return cls(Path(root), module_directories(plan, Path(root)))

    def files(self, module_path: str) -> list[SourceFile]:
        directory = self.modules.get(module_path)
        if directory is None:
            return []
        if directory not in self._files:
            self._files[directory] = [_source_file(path) for path in sorted(directory.glob("*.tf"))]
        return self._files[directory]

    def directory(self, module_path: str) -> Path | None:
        return self.modules.get(module_path)

    def blocks(self, module_path: str, kind: str, *labels: str) -> list[SyntaxBlock]:
        """The blocks of a (local) module: `resource TYPE NAME`, `locals`, `output NAME`, `module NAME`..."""
        return [block for source in self.files(module_path) for block in source.syntax
                if block.kind == kind and block.labels[: len(labels)] == labels]

    def location(self, module_address: str, config_address: str) -> Location | None:
        module_path = strip_keys(module_address)
        for source in self.files(module_path):
            for block in source.blocks:
                if block.config_address == config_address:
                    return Location(_relative(block.file, self.root), block.start)
        return None

    def locate(self, plan: Plan, findings: list[Finding]) -> list[Finding]:
        """Findings with the file:line of their resource where the HCL has it."""
        located = []
        for finding in findings:
            resource = plan.get(finding.address)
            where = self.location(resource.module_address, resource.config_address) if resource else None
            located.append(finding.located(where))
        return located


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _source_file(path: Path) -> SourceFile:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise StepgateError(f"cannot read {path}: {error.strerror or error}") from error
    return SourceFile(path, text, tuple(_blocks(path, text)))


def _blocks(tf_file: Path, text: str) -> list[Block]:
    """The resource and data blocks of a file with their line ranges; python-hcl2 parses the file, so
    braces and `#` inside strings, heredocs and interpolations cannot throw the ranges off."""
    import hcl2  # its parser takes a tenth of a second to build: only when HCL is read

    try:
        parsed = hcl2.loads(text)
    except Exception as error:  # noqa: BLE001 - python-hcl2 raises lark errors of several types
        first = str(error).splitlines()[0] if str(error) else error.__class__.__name__
        raise StepgateError(f"cannot parse {tf_file}: {first}") from error
    found = []
    for kind, prefix in (("resource", ""), ("data", "data.")):
        for item in parsed.get(kind) or []:
            for rtype, named in item.items():
                for name, body in named.items():
                    found.append(Block(tf_file, int(body[hcl2.START_LINE]), int(body[hcl2.END_LINE]),
                                       f"{prefix}{_unquote(rtype)}.{_unquote(name)}"))
    return sorted(found, key=lambda block: block.start)


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def module_directories(plan: Plan, root: Path) -> dict[str, Path]:
    """Module path (no instance keys) -> directory, for local module sources in the plan's configuration."""
    directories = {"": Path(root)}

    def visit(module: Mapping[str, Any], path: str, directory: Path) -> None:
        for name, call in (module.get("module_calls") or {}).items():
            source = str(call.get("source", ""))
            if source.startswith("./") or source.startswith("../"):
                child_path = f"{path}.module.{name}" if path else f"module.{name}"
                child_dir = (directory / source).resolve()
                directories[child_path] = child_dir
                visit(call.get("module") or {}, child_path, child_dir)

    visit((plan.configuration or {}).get("root_module") or {}, "", Path(root))
    return directories
