#!/usr/bin/env python3
"""Generate (or verify) the module's inputs and outputs tables from variables.tf and outputs.tf.

The tables live in the README between `<!-- stepgate:inputs:start -->` / `<!-- stepgate:inputs:end -->`
and `<!-- stepgate:outputs:start -->` / `<!-- stepgate:outputs:end -->`. `--write` rewrites them,
`--check` (the default) exits 1 when they differ from what the HCL says, so a variable added without
regenerating the README fails the build.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2

REPO_ROOT = Path(__file__).resolve().parent.parent


class ReadmeTablesError(Exception):
    """A problem with the inputs (unparsable HCL, missing markers) rather than stale tables."""


@dataclass(frozen=True)
class Input:
    name: str
    type: str
    description: str
    default: Any
    required: bool


@dataclass(frozen=True)
class Output:
    name: str
    description: str


def _unwrap(value: Any) -> Any:
    """python-hcl2 wraps attribute values in one-element lists in some versions."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _expression(value: Any) -> str:
    text = str(_unwrap(value))
    return text[2:-1] if text.startswith("${") and text.endswith("}") else text


def _short_type(value: Any) -> str:
    """`map(object({...}))` -> `map(object)`: the attributes are documented in the description."""
    return re.sub(r"\(\{.*\}\)", "", _expression(value), flags=re.S)


def _parse(path: Path, block: str) -> list[tuple[str, dict[str, Any]]]:
    try:
        parsed = hcl2.loads(path.read_text())
    except OSError as error:
        raise ReadmeTablesError(f"cannot read {path}: {error}") from error
    except Exception as error:  # python-hcl2 raises lark errors of several types
        raise ReadmeTablesError(f"cannot parse {path}: {str(error).splitlines()[0]}") from error
    return [(name, body) for item in parsed.get(block, []) for name, body in item.items()]


def read_inputs(module_dir: Path) -> list[Input]:
    inputs = []
    for name, body in _parse(module_dir / "variables.tf", "variable"):
        required = "default" not in body
        inputs.append(Input(
            name=name,
            type=_short_type(body.get("type", "any")),
            description=str(_unwrap(body.get("description", ""))),
            default=None if required else _unwrap(body["default"]),
            required=required,
        ))
    return sorted(inputs, key=lambda i: (not i.required, i.name))


def read_outputs(module_dir: Path) -> list[Output]:
    outputs = [Output(name=name, description=str(_unwrap(body.get("description", "")))) for name, body in _parse(module_dir / "outputs.tf", "output")]
    return sorted(outputs, key=lambda o: o.name)


def _cell(text: str) -> str:
    """One Markdown table cell: list items stay on their own line, pipes cannot end the cell."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    rendered = ""
    for line in lines:
        separator = "<br>" if line.startswith("- ") and rendered else " "
        rendered = f"{rendered}{separator}{line}" if rendered else line
    return rendered.replace("|", "\\|")


def _default(value: Any) -> str:
    return "`" + json.dumps(value, separators=(", ", ": ")).replace("|", "\\|") + "`"


def render_inputs(inputs: list[Input]) -> str:
    rows = ["| Name | Description | Type | Default | Required |", "|---|---|---|---|:---:|"]
    for item in inputs:
        default = "n/a" if item.required else _default(item.default)
        rows.append(f"| `{item.name}` | {_cell(item.description)} | `{item.type}` | {default} | {'yes' if item.required else 'no'} |")
    return "\n".join(rows)


def render_outputs(outputs: list[Output]) -> str:
    rows = ["| Name | Description |", "|---|---|"]
    rows += [f"| `{item.name}` | {_cell(item.description)} |" for item in outputs]
    return "\n".join(rows)


def _section(kind: str) -> re.Pattern[str]:
    return re.compile(rf"(<!-- stepgate:{kind}:start -->\n)(.*?)(<!-- stepgate:{kind}:end -->)", re.S)


def updated_readme(readme: str, module_dir: Path) -> str:
    """The README text with both tables regenerated."""
    tables = {"inputs": render_inputs(read_inputs(module_dir)), "outputs": render_outputs(read_outputs(module_dir))}
    for kind, table in tables.items():
        pattern = _section(kind)
        if not pattern.search(readme):
            raise ReadmeTablesError(f"the README has no <!-- stepgate:{kind}:start --> ... <!-- stepgate:{kind}:end --> markers")
        readme = pattern.sub(lambda m: f"{m.group(1)}{table}\n{m.group(3)}", readme, count=1)
    return readme


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="rewrite the tables in the README")
    mode.add_argument("--check", action="store_true", help="exit 1 when the tables are stale (default)")
    parser.add_argument("--module", type=Path, default=REPO_ROOT, help="module directory (variables.tf, outputs.tf)")
    parser.add_argument("--readme", type=Path, default=REPO_ROOT / "README.md", help="README holding the tables")
    args = parser.parse_args(argv)
    try:
        current = args.readme.read_text()
        expected = updated_readme(current, args.module)
    except (OSError, ReadmeTablesError) as error:
        print(f"readme_tables: {error}", file=sys.stderr)
        return 2
    if args.write:
        if expected != current:
            args.readme.write_text(expected)
            print(f"readme_tables: updated {args.readme}")
        return 0
    if expected != current:
        print(f"readme_tables: the inputs/outputs tables in {args.readme} are stale; run `make docs`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
