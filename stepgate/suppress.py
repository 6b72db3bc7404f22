"""Suppressions with a reason: inline `# stepgate:ignore RULE reason` comments in HCL, and a config file.

An inline comment applies to the resource block it sits in, or to the next resource block below it, in
the module directory it was written in (so to every instance of that resource). checkov's own
`#checkov:skip=ID:reason` comments count too, with checkov's scope (the block they sit in): a team that
skips a stepgate check for checkov gets the same decision from stepgate, and a skip of a built-in check
without a reason is reported like any other. A suppression without a reason does not suppress anything
and is reported as SG-SUP-001.

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


from stepgate.errors import StepgateError
from stepgate.findings import Finding
from stepgate.plan.model import Plan
from stepgate.plan.model import module_path as strip_keys
from stepgate.rules.base import RuleConfig
from stepgate.rules.suppression import SUPPRESSION_RULE
from stepgate.source import SourceTree

_IGNORE = re.compile(r"(?:#|//)\s*stepgate:ignore\s+(?P<rules>SG-[A-Z]+-\d{3}(?:\s*,\s*SG-[A-Z]+-\d{3})*)\s*(?P<reason>.*)$")
# checkov's own syntax (checkov.common.comment.enum.COMMENT_REGEX): ids separated by commas, reason after ":"
_CHECKOV_SKIP = re.compile(r"(?:checkov|bridgecrew|cortex):skip=\s*(?P<rules>[A-Za-z_\d-]+(?:,[A-Za-z_\d-]+)*)(?::(?P<reason>.*))?$")

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
    import yaml  # only a config file needs the YAML parser

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


def inline_suppressions(tree: SourceTree) -> list[Suppression]:
    found = []
    for module_path in tree.modules:
        for source in tree.files(module_path):
            for number, line in enumerate(source.text.splitlines(), start=1):
                comment = _comment(line)
                if comment is None:
                    continue
                for pattern, below in ((_IGNORE, True), (_CHECKOV_SKIP, False)):
                    match = pattern.search(comment)
                    block = source.block_at(number, below) if match else None
                    if match is None or block is None:
                        continue
                    reason = (match.group("reason") or "").strip()
                    for rule_id in re.split(r"\s*,\s*", match.group("rules")):
                        found.append(Suppression(rule_id, f"{module_path}|{block.config_address}", reason,
                                                 f"{source.path}:{number}", inline=True))
    return found


def _comment(line: str) -> str | None:
    """The comment part of an HCL line (from the first #, // or /*), None when there is none."""
    positions = [p for p in (line.find("#"), line.find("//"), line.find("/*")) if p >= 0]
    return line[min(positions):] if positions else None


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
    module_path, config_address = suppression.address.split("|", 1)
    resource = plan.get(address)
    if resource is not None:
        return strip_keys(resource.module_address) == module_path and resource.config_address == config_address
    return False
