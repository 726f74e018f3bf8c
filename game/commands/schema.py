"""`tightrope schema`: the scenario format's JSON Schema, for a facilitator's editor."""

from __future__ import annotations

import argparse
import sys

from game.commands import EXIT_OK, Command


def register(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from game.scenario.schema import json_schema_text

    sys.stdout.write(json_schema_text())
    return EXIT_OK


COMMAND = Command("schema", "print the JSON Schema of the scenario format", register, run)
