"""Suppressions with a reason: inline `# stepgate:ignore RULE reason` comments in HCL, and a config file.

An inline comment applies to the resource block it sits in, or to the next resource block below it, in
the module directory it was written in (so to every instance of that resource). A suppression without a
reason does not suppress anything and is reported as SG-SUP-001.

Config file (YAML):

    min_retention_days: 400          # optional, SG-AUD-004
    extra_star_actions: []           # optional, more actions allowed on Resource "*" (SG-IAM-002)
    suppressions:
      - rule: SG-API-001
        address: module.api.aws_api_gateway_method.health*   # fnmatch pattern on the finding address
        reason: public health check, returns no data
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from stepgate.errors import StepgateError
from stepgate.plan.findings import Finding
from stepgate.plan.model import Plan
from stepgate.rules.base import RuleConfig
from stepgate.rules.suppression import SUPPRESSION_RULE

_IGNORE = re.compile(r"(?:#|//)\s*stepgate:ignore\s+(?P<rules>SG-[A-Z]+-\d{3}(?:\s*,\s*SG-[A-Z]+-\d{3})*)\s*(?P<reason>.*)$")
_BLOCK = re.compile(r'^\s*(resource|data)\s+"(?P<type>[^"]+)"\s+"(?P<name>[^"]+)"')

@dataclass(frozen=True)
class Suppression:
    rule_id: str
    address: str  # fnmatch pattern on a finding address, or "module-path|config-address" for inline ones
    reason: str
    origin: str  # file:line, for messages
    inline: bool = False


@dataclass(frozen=True)
class Settings:
    rule_config: RuleConfig
    suppressions: tuple[Suppression, ...]


def load_settings(path: Path | None) -> Settings:
    if path is None:
        return Settings(RuleConfig(), ())
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError) as error:
        raise StepgateError(f"cannot read config {path}: {error}") from error
    except yaml.YAMLError as error:
        raise StepgateError(f"config {path} is not valid YAML: {str(error).splitlines()[0]}") from error
    if not isinstance(raw, Mapping):
        raise StepgateError(f"config {path} must be a mapping with keys min_retention_days, extra_star_actions, suppressions")
    unknown = set(raw) - {"min_retention_days", "extra_star_actions", "suppressions"}
    if unknown:
        raise StepgateError(f"config {path} has unknown keys: {', '.join(sorted(unknown))}")
    days = raw.get("min_retention_days", 365)
    if not isinstance(days, int) or days < 1:
        raise StepgateError(f"config {path}: min_retention_days must be a positive integer")
    extra = raw.get("extra_star_actions") or []
    if not isinstance(extra, list) or not all(isinstance(a, str) for a in extra):
        raise StepgateError(f"config {path}: extra_star_actions must be a list of action names")
    suppressions = []
    for number, item in enumerate(raw.get("suppressions") or [], start=1):
        if not isinstance(item, Mapping) or not item.get("rule") or not item.get("address"):
            raise StepgateError(f"config {path}: suppression #{number} needs rule and address")
        suppressions.append(Suppression(str(item["rule"]).upper(), str(item["address"]), str(item.get("reason") or "").strip(), f"{path}#suppressions[{number}]"))
    return Settings(RuleConfig(min_retention_days=days, extra_star_actions=tuple(extra)), tuple(suppressions))


def _block_at(lines: list[str], comment_line: int) -> tuple[str, str] | None:
    """(type, name) of the resource block enclosing the comment, else of the next block below it."""
    depth, current = 0, None
    for line in lines[:comment_line]:
        match = _BLOCK.match(line)
        if match and depth == 0:
            current = (match.group(1), match.group("type"), match.group("name"))
        code = line.split("#", 1)[0]
        depth += code.count("{") - code.count("}")
        if depth <= 0:
            depth, current = 0, None
    if current is None:
        for line in lines[comment_line + 1 :]:
            match = _BLOCK.match(line)
            if match:
                current = (match.group(1), match.group("type"), match.group("name"))
                break
    if current is None:
        return None
    kind, rtype, name = current
    return ("data." if kind == "data" else "") + rtype, name


def inline_suppressions(directory: Path, module_path: str = "") -> list[Suppression]:
    found = []
    for tf_file in sorted(Path(directory).glob("*.tf")):
        lines = tf_file.read_text(encoding="utf-8", errors="replace").splitlines()
        for number, line in enumerate(lines):
            match = _IGNORE.search(line)
            if not match:
                continue
            block = _block_at(lines, number)
            if block is None:
                continue
            config_address = f"{block[0]}.{block[1]}"
            for rule_id in re.split(r"\s*,\s*", match.group("rules")):
                found.append(Suppression(rule_id, f"{module_path}|{config_address}", match.group("reason").strip(), f"{tf_file}:{number + 1}", inline=True))
    return found


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


def directory_suppressions(plan: Plan, root: Path) -> list[Suppression]:
    return [s for path, directory in module_directories(plan, root).items() for s in inline_suppressions(directory, path)]


def apply_suppressions(plan: Plan, findings: Iterable[Finding], suppressions: Iterable[Suppression]) -> list[Finding]:
    """Findings with `suppressed` set where a reasoned suppression matches, plus SG-SUP-001 for reasonless ones."""
    suppressions = list(suppressions)
    result = []
    for finding in findings:
        match = next((s for s in suppressions if s.rule_id == finding.rule_id and _matches(plan, s, finding.address)), None)
        result.append(finding.with_suppression(match.reason) if match and match.reason else finding)
    for suppression in suppressions:
        if not suppression.reason:
            result.append(SUPPRESSION_RULE.finding(suppression.origin, f"suppression of {suppression.rule_id} gives no reason, so it is ignored"))
    return result


def _matches(plan: Plan, suppression: Suppression, address: str) -> bool:
    if not suppression.inline:
        return fnmatchcase(address, suppression.address)
    resource = plan.get(address)
    if resource is None:
        return False
    module_path, config_address = suppression.address.split("|", 1)
    return re.sub(r"\[[^\]]*\]", "", resource.module_address) == module_path and resource.config_address == config_address
