"""Fixtures for the Textual game: fixture scenarios, an app factory and Pilot helpers.

Every app here runs with `tick_every=None`, so no countdown moves unless a test moves it, and with the
data folder in a temporary directory (the autouse `private_data_dir` fixture in tests/conftest.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from syrupy import snapshot as syrupy_snapshot
from textual.pilot import Pilot

from game.app import TightropeApp
from game.commands.app import load_shelf
from game.widgets.scenario_list import Entry

SCENARIOS = Path(__file__).parent / "scenarios"

# tests/conftest.py rebuilds pytest-snapshot's `snapshot` fixture under the same name as syrupy's;
# pytest-textual-snapshot's `snap_compare` needs syrupy's, so this folder takes it back.
snapshot = syrupy_snapshot

AppFactory = Callable[..., TightropeApp]


@pytest.fixture
def shelf() -> list[Entry]:
    entries, _ = load_shelf(SCENARIOS)
    return entries


@pytest.fixture
def home(private_data_dir: Path) -> Path:
    """The data folder of this test, with a player who has already given their name."""
    (private_data_dir / "profile.json").write_text(json.dumps({"name": "Sam"}), encoding="utf-8")
    return private_data_dir


@pytest.fixture
def make_app(shelf: list[Entry], home: Path) -> AppFactory:
    def make(**options: Any) -> TightropeApp:
        options.setdefault("tick_every", None)
        return TightropeApp(shelf, **options)

    return make


def index_of(shelf: list[Entry], scenario_id: str) -> int:
    return next(n for n, e in enumerate(shelf) if e.scenario is not None and e.scenario.id == scenario_id)


async def open_scenario(pilot: Pilot[None], shelf: list[Entry], scenario_id: str) -> None:
    """From the picker, move to a scenario with the arrow keys and press Enter."""
    await pilot.press("home", *["down"] * index_of(shelf, scenario_id), "enter")
    await pilot.pause()


async def choose(pilot: Pilot[None], number: int, *, explained: bool = True) -> None:
    """Take a choice by its number key, then read the explanation and continue with Enter."""
    await pilot.press(str(number))
    await pilot.pause()
    if explained:
        await pilot.press("enter")
        await pilot.pause()


async def to_the_good_debrief(pilot: Pilot[None], shelf: list[Entry]) -> None:
    """The deadline from the picker: ask first, then tell the client the truth; on to the debrief."""
    await open_scenario(pilot, shelf, "deadline")
    await choose(pilot, 1)
    await choose(pilot, 1)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until every worker (reading the store) is done and what it read is drawn."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def open_from_palette(pilot: Pilot[None], command: str) -> None:
    """From the picker, open the command palette, type a command's name and run it."""
    await pilot.pause()
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*command)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await settle(pilot)


def told(app: TightropeApp) -> list[str]:
    """Every notification the app shows from now on, as text."""
    notes: list[str] = []
    show = app.notify

    def notify(message: str, **options: object) -> None:
        notes.append(message)
        show(message, **options)  # type: ignore[arg-type]

    app.notify = notify  # type: ignore[method-assign]
    return notes
