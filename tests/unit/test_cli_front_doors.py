"""The table of front doors the command line imports one of: it names exactly the commands each registers."""

from __future__ import annotations

import argparse
import importlib

import pytest

from stepgate.cli import FRONT_DOORS, build_parser

# arguments that parse for each command without running anything
MINIMAL = {
    "check": ["check", "plan.json"],
    "explain": ["explain"],
    "policies-dir": ["policies-dir"],
    "toolchain": ["toolchain"],
    "sandbox": ["sandbox", "status"],
    "e2e": ["e2e", "dir"],
    "scenario": ["scenario", "init", "dir"],
    "trace": ["trace", "id", "--outputs", "outputs.json"],
}


def test_each_front_door_registers_the_commands_the_table_names() -> None:
    for module, commands in FRONT_DOORS.items():
        subparsers = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(module).register(subparsers)
        assert tuple(subparsers.choices) == commands, module
    assert sorted(c for commands in FRONT_DOORS.values() for c in commands) == sorted(MINIMAL)


@pytest.mark.parametrize("command", sorted(MINIMAL))
def test_a_command_parses_with_its_front_door_alone(command: str) -> None:
    assert callable(build_parser(command).parse_args(MINIMAL[command]).handler)


def test_without_a_command_the_help_lists_every_command() -> None:
    help_text = build_parser().format_help()
    assert all(command in help_text for command in MINIMAL)
