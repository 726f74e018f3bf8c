"""`tightrope play SCENARIO`: one scenario, by id or path, in the full-screen game or in line mode."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from game.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Command

# The models bring pydantic; parsing `tightrope`'s arguments must not wait for it.
if TYPE_CHECKING:
    from game.scenario.models import Scenario


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("scenario", metavar="SCENARIO", help="a scenario id or a .yaml file")
    parser.add_argument("--plain", action="store_true", help="line mode: numbered choices on stdin")
    parser.add_argument("--json", action="store_true", help="with --plain: one JSON object per event")
    parser.add_argument("--watch", action="store_true", help="reload the scenario whenever its file changes")
    parser.add_argument("--name", default="", help="with --plain: the name recorded with your results")
    parser.add_argument(
        "--store", metavar="PATH", help="results store (default: SQLite in the user data folder)"
    )


def load_playable(reference: str, folder: Path | None) -> Scenario | int:
    """The scenario to play, or the exit code after telling the user why there is none."""
    from game.library import check_file, default_folder, resolve

    folder = folder or default_folder()
    path = resolve(reference, folder)
    if path is None:
        print(
            f"tightrope: no scenario {reference!r}: give a .yaml file or the id of a scenario in {folder}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    checked = check_file(path)
    if checked.loaded.scenario is None or not checked.playable:
        for problem in checked.problems:
            print(problem, file=sys.stderr)
        return EXIT_PROBLEMS
    return checked.loaded.scenario


def run(args: argparse.Namespace) -> int:
    scenario = load_playable(args.scenario, args.scenarios)
    if isinstance(scenario, int):
        return scenario
    if args.watch and not args.plain:
        return _watch(args, scenario)
    if not args.plain:
        from game.commands.app import run_app

        return run_app(args, scenario)
    from game.engine import Engine
    from game.identity import local_player_id
    from game.plain import JsonRenderer, TextRenderer, play
    from game.profile import clean_name
    from game.recording import ResultsLog

    renderer = JsonRenderer(sys.stdout) if args.json else TextRenderer(sys.stdout)
    results = ResultsLog(args.store, player_id=local_player_id(), player_name=clean_name(args.name))
    play(Engine(scenario), sys.stdin, renderer, results)
    if problem := results.take_problem():
        print(f"tightrope: {problem}", file=sys.stderr)
    return EXIT_OK


COMMAND = Command("play", "play one scenario, by id or file path", register, run)


def _watch(args: argparse.Namespace, scenario: Scenario) -> int:
    from game.commands.app import load_shelf
    from game.library import resolve
    from game.watch_app import WatchingApp

    path = resolve(args.scenario, args.scenarios or Path("."))
    if path is None:  # load_playable found it a moment ago; only a race could get here
        return EXIT_USAGE
    entries, note = load_shelf(args.scenarios)
    app = WatchingApp(entries, path=path, scenario=scenario, no_timers=bool(args.no_timers), empty_note=note)
    app.store_target = args.store
    app.run()
    return EXIT_OK
