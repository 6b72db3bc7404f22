"""Argument parsing shared by the front doors."""

from __future__ import annotations

from stepgate.errors import StepgateError


def parse_vars(items: list[str]) -> dict[str, str]:
    """`--var NAME=VALUE` items as a mapping."""
    parsed = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise StepgateError(f"--var expects NAME=VALUE, got {item!r}")
        parsed[name] = value
    return parsed
