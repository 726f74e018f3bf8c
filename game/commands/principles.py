"""`tightrope principles`: the catalogue every choice's explanation is grounded in."""

from __future__ import annotations

import argparse

from game.commands import EXIT_OK, Command


def register(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from scoring import load_catalogue

    for principle in load_catalogue().values():
        print(f"{principle.id:<28} {principle.name}\n{'':<28} {principle.rationale}")
    return EXIT_OK


COMMAND = Command("principles", "list the principle catalogue", register, run)
