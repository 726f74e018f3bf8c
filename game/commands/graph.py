"""`tightrope graph FILE`: the story map of one scenario, as Mermaid (for a README), DOT or text."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from game.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Command

# Spelled out here (a test keeps it equal to game.authoring.graph.FORMATS) so that building the
# parser does not import the scenario models, and pydantic with them, on every `tightrope` start.
FORMATS = ("mermaid", "dot", "text")


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help="a scenario .yaml file")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="mermaid",
        help="mermaid renders in a GitHub README, dot in Graphviz, text in a terminal (default: mermaid)",
    )


def run(args: argparse.Namespace) -> int:
    from game.authoring.graph import render
    from game.scenario.loader import load_file
    from scoring import load_catalogue

    if not args.file.is_file():
        print(f"tightrope graph: no such file: {args.file}", file=sys.stderr)
        return EXIT_USAGE
    loaded = load_file(args.file, load_catalogue())
    if loaded.scenario is None:
        for problem in loaded.problems:
            print(problem, file=sys.stderr)
        print(f"tightrope graph: fix the errors above first: `tightrope check {args.file}`", file=sys.stderr)
        return EXIT_PROBLEMS
    sys.stdout.write(render(loaded.scenario, args.format))
    return EXIT_OK


COMMAND = Command("graph", "draw a scenario's story map (Mermaid, DOT or text)", register, run)
