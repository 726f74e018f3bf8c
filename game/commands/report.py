"""`tightrope report`: the facilitator's view of what the room chose, live in a dashboard or as CSV/JSON."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from game.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Command

if TYPE_CHECKING:
    from game.roomreport import RoomReport
    from game.scenario.models import Scenario

CSV_COLUMNS = (
    "cohort",
    "scenario_id",
    "scenario_title",
    "scene_id",
    "scene_heading",
    "decided",
    "choice_id",
    "choice_text",
    "count",
    "percent",
    "timed_out",
)

EPILOG = """\
Without --format, a dashboard that refreshes every few seconds while the cohort plays:
q quits, r refreshes now, tab (or p s m e t) moves between panels, [ and ] switch scenario.

--format csv writes one row per (scenario, scene, choice), in the scenario's order:
  cohort          the --cohort given (empty: every cohort)
  scenario_id     the scenario's id
  scenario_title  its title
  scene_id        the scene where the decision is taken
  scene_heading   the scene's title as players saw it
  decided         how many players decided in this scene
  choice_id       the choice's id
  choice_text     the choice as players read it
  count           how many players took it
  percent         count / decided × 100, one decimal (0 when nobody decided)
  timed_out       how many of those had it taken for them when the scene timer ran out

--format json writes one document: {"cohort", "scenario", "scenarios": [...]}, each scenario with
player_counts, players, splits (per scene: decided, choices with count, percent, timed_out),
average_meters, zones, endings, talking_points and discussion.

Runs rewound from another run are listed among the players but left out of every count.
"""


def register(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--cohort", metavar="NAME", help="only this cohort's runs (default: every cohort)")
    parser.add_argument("--scenario", metavar="ID", help="only this scenario (default: every one played)")
    parser.add_argument(
        "--store",
        metavar="PATH",
        help="the results store (default: results.sqlite3 in the user data folder)",
    )
    parser.add_argument(
        "--format", choices=("csv", "json"), help="write the report to stdout instead of the dashboard"
    )
    parser.add_argument(
        "--every",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="how often the dashboard reads the store (default: 2)",
    )


def run(args: argparse.Namespace) -> int:
    from game.dashboard.reader import read_room
    from game.store import StoreError, is_database_url, open_store, resolve_target

    target = resolve_target(args.store)
    if not is_database_url(target) and not Path(target).is_file():
        _error(
            f"there is no results store at {target}: nobody has played on this machine yet, or give --store"
        )
        return EXIT_PROBLEMS
    if args.every <= 0:
        _error("--every needs a number of seconds above 0")
        return EXIT_USAGE
    folder = args.scenarios or _default_folder()
    scenarios = load_scenarios(folder)
    try:
        store = open_store(target)
        try:
            room = read_room(store, scenarios, cohort=args.cohort, scenario_id=args.scenario)
        finally:
            store.close()
    except StoreError as exc:
        _error(str(exc))
        return EXIT_PROBLEMS
    if args.scenario and room.scenario(args.scenario) is None:
        _error(f"no scenario {args.scenario!r} in {folder}, and no runs of it in the store")
        return EXIT_USAGE
    if args.format == "json":
        document = {"cohort": args.cohort, "scenario": args.scenario, **room.as_dict()}
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    elif args.format == "csv":
        write_csv(room, args.cohort or "")
    else:
        return _dashboard(args, target, scenarios)
    return EXIT_OK


def load_scenarios(folder: Path) -> list[Scenario]:
    """Every valid scenario in `folder`; a broken file is `tightrope check`'s business, not the report's."""
    from game.library import scenario_files
    from game.scenario.loader import load_file
    from scoring import load_catalogue

    if not folder.is_dir():
        return []
    catalogue = load_catalogue()
    loaded = (load_file(path, catalogue).scenario for path in scenario_files([folder]))
    return [scenario for scenario in loaded if scenario is not None]


def write_csv(room: RoomReport, cohort: str) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for scenario in room.scenarios:
        for split in scenario.splits:
            for choice in split.choices:
                writer.writerow(
                    (
                        cohort,
                        scenario.scenario_id,
                        scenario.title,
                        split.scene_id,
                        split.heading,
                        split.decided,
                        choice.choice_id,
                        choice.text,
                        choice.count,
                        f"{choice.percent:.1f}",
                        choice.timed_out,
                    )
                )


def _dashboard(args: argparse.Namespace, target: str, scenarios: list[Scenario]) -> int:
    from game.dashboard.app import DashboardApp
    from game.store import open_store

    DashboardApp(
        lambda: open_store(target),
        scenarios,
        cohort=args.cohort,
        scenario_id=args.scenario,
        every=args.every,
    ).run()
    return EXIT_OK


def _default_folder() -> Path:
    from game.library import default_folder

    return default_folder()


def _error(message: str) -> None:
    print(f"tightrope report: {message}", file=sys.stderr)


COMMAND = Command("report", "the facilitator's view of a cohort: live dashboard, CSV or JSON", register, run)
