"""`tightrope` with no command (and `tightrope play SCENARIO`): the full-screen Textual game."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from game.commands import EXIT_OK
from game.scenario.models import Scenario

if TYPE_CHECKING:
    from game.app import TightropeApp
    from game.widgets.scenario_list import Entry


def load_shelf(folder: Path | None) -> tuple[list[Entry], str]:
    """Every scenario file in `folder` (default: the shipped ones), checked, and a note if there are none."""
    from game.library import check_files, default_folder, scenario_files
    from game.widgets.scenario_list import Entry

    folder = folder or default_folder()
    if not folder.is_dir():
        return [], f"There is no scenario folder at {folder}."
    entries = [Entry.from_checked(checked) for checked in check_files(scenario_files([folder]))]
    return entries, "" if entries else f"No scenario files (*.yaml) in {folder}."


def build_app(args: argparse.Namespace, scenario: Scenario | None = None) -> TightropeApp:
    from game.app import TightropeApp

    entries, note = load_shelf(args.scenarios)
    return TightropeApp(entries, direct=scenario, no_timers=bool(args.no_timers), empty_note=note)


def run_app(args: argparse.Namespace, scenario: Scenario | None = None) -> int:
    build_app(args, scenario).run()
    return EXIT_OK
