"""`tightrope` with no command (and `tightrope play SCENARIO`): the full-screen Textual game."""

from __future__ import annotations

import argparse
import gc
from pathlib import Path
from typing import TYPE_CHECKING

from game.commands import EXIT_OK

if TYPE_CHECKING:
    from game.app import TightropeApp
    from game.catalog import Entry
    from game.scenario.models import Scenario


def load_shelf(folder: Path | None) -> tuple[list[Entry], str]:
    """Every scenario file in `folder` (default: the shipped ones), checked, and a note if there are none.

    Checked through the catalogue's cache: a file whose bytes the same checking code has already seen is
    not parsed again, so the picker's first frame needs neither YAML nor pydantic.
    """
    from game.catalog import read_shelf
    from game.library import default_folder

    folder = folder or default_folder()
    if not folder.is_dir():
        return [], f"There is no scenario folder at {folder}."
    entries = read_shelf(folder)
    return entries, "" if entries else f"No scenario files (*.yaml) in {folder}."


def build_app(args: argparse.Namespace, scenario: Scenario | None = None) -> TightropeApp:
    from game.app import TightropeApp

    # What is imported by now lives as long as the process: frozen, the garbage collector stops walking
    # it over and over while the first frame is built (one full collection there costs about 30 ms).
    gc.freeze()
    entries, note = load_shelf(args.scenarios)
    app = TightropeApp(entries, direct=scenario, no_timers=bool(args.no_timers), empty_note=note)
    app.store_target = getattr(args, "store", None)
    return app


def run_app(args: argparse.Namespace, scenario: Scenario | None = None) -> int:
    build_app(args, scenario).run()
    return EXIT_OK
