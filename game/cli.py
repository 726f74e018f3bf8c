"""The `tightrope` command: parses arguments and hands over to the subcommand that does the work."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from game import __version__
from game.commands import (
    EXIT_OK,
    Command,
    check,
    graph,
    new,
    play,
    principles,
    report,
    schema,
    serve,
    session,
)

STORE_HELP = "results store: a SQLite file (default: in the user data folder)"

COMMANDS: tuple[Command, ...] = (
    check.COMMAND,
    new.COMMAND,
    graph.COMMAND,
    schema.COMMAND,
    principles.COMMAND,
    play.COMMAND,
    report.COMMAND,
    serve.COMMAND,
    session.COMMAND,
    session.DASHBOARD_COMMAND,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tightrope",
        description="A leadership-training game: balance psychological safety and high standards.",
    )
    parser.add_argument("--version", action="version", version=f"tightrope {__version__}")
    _add_shared_options(parser)
    parser.add_argument("--store", metavar="PATH", help=STORE_HELP)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        # argparse lists a subcommand only when given `help`; internal ones (SUPPRESS) get none.
        if command.help == argparse.SUPPRESS:
            sub = subparsers.add_parser(command.name)
        else:
            sub = subparsers.add_parser(command.name, help=command.help, description=command.help)
        # Shared options are accepted after the command too (`tightrope play x --no-timers`);
        # SUPPRESS keeps a subparser from overwriting a value given before the command.
        _add_shared_options(sub, default=argparse.SUPPRESS)
        command.register(sub)
        sub.set_defaults(run=command.run)
    return parser


def _add_shared_options(parser: argparse.ArgumentParser, default: object = None) -> None:
    parser.add_argument(
        "--scenarios",
        type=Path,
        metavar="DIR",
        default=default,
        help="folder of scenarios (default: the shipped ones)",
    )
    parser.add_argument(
        "--no-timers",
        action="store_true",
        default=default if default is not None else False,
        help="turn every scene timer off",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if hasattr(args, "run"):
            return int(args.run(args))
        from game.commands.app import run_app

        return run_app(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`tightrope check ... | head`): nothing left to tell anyone.
        sys.stderr.close()
        return EXIT_OK
