"""What the run earned on the debrief: drawn with the rest when it is quickly worked out, else "counting"
until it is; a failure hides the panel and says why, and the debrief stays usable."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from game.app import TightropeApp
from game.identity import local_player_id
from game.roomreport import Reckoning
from game.screens.debrief import DebriefScreen
from game.screens.play import PlayScreen
from game.store import RunRow, open_store
from game.widgets.earned import COUNTING, EarnedPanel
from game.widgets.scenario_list import Entry
from tests.ui.conftest import AppFactory, choose, open_scenario, settle, to_the_good_debrief, told
from tests.ui.test_profile_screen import drawn


def flat(text: str) -> str:
    return " ".join(text.split())


def held_back(monkeypatch: pytest.MonkeyPatch, release: threading.Event) -> None:
    """The app's reckoning waits for `release` before it works anything out."""
    real = TightropeApp._reckoner

    def reckoner(app: TightropeApp, *args: object) -> Callable[[], Reckoning]:
        reckon = real(app, *args)  # type: ignore[arg-type]

        def slow() -> Reckoning:
            release.wait(10)
            return reckon()

        return slow

    monkeypatch.setattr(TightropeApp, "_reckoner", reckoner)


async def test_a_quick_reckoning_is_on_the_debrief_from_its_first_frame(
    make_app: AppFactory, shelf: list[Entry]
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await to_the_good_debrief(pilot, shelf)
        assert isinstance(app.screen, DebriefScreen)
        panel = app.screen.query_one(EarnedPanel)
        # No worker ran for it: it was there when the screen was made.
        assert not app.screen.workers
        assert panel.reckoning is not None and "XP" in flat(drawn(panel))


async def test_a_slow_reckoning_says_counting_then_shows_what_was_earned(
    make_app: AppFactory, shelf: list[Entry], monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    held_back(monkeypatch, release)
    monkeypatch.setattr(TightropeApp, "RECKONING_WAIT", 0.01)
    app = make_app()
    notes = told(app)
    async with app.run_test(size=(100, 40)) as pilot:
        await to_the_good_debrief(pilot, shelf)
        assert isinstance(app.screen, DebriefScreen)
        panel = app.screen.query_one(EarnedPanel)
        assert COUNTING in flat(drawn(panel))
        release.set()
        await settle(pilot)
        assert "XP" in flat(drawn(panel)) and COUNTING not in flat(drawn(panel))
        assert any("Achievement: First steps" in note for note in notes)


async def test_a_failed_reckoning_hides_the_panel_and_says_why(
    make_app: AppFactory, shelf: list[Entry], monkeypatch: pytest.MonkeyPatch
) -> None:
    def reckoner(app: TightropeApp, *args: object) -> Callable[[], Reckoning]:
        def broken() -> Reckoning:
            raise OSError("the disk is gone")

        return broken

    monkeypatch.setattr(TightropeApp, "_reckoner", reckoner)
    app = make_app()
    notes = told(app)
    async with app.run_test(size=(100, 40)) as pilot:
        await to_the_good_debrief(pilot, shelf)
        await settle(pilot)
        assert isinstance(app.screen, DebriefScreen)
        assert not app.screen.query_one(EarnedPanel).display
        assert any("could not be worked out: the disk is gone" in note for note in notes)
        await pilot.press("s")
        await pilot.pause()
        assert not isinstance(app.screen, DebriefScreen)


async def to_the_good_ending(pilot: Pilot[None], shelf: list[Entry]) -> None:
    """The deadline's good run to its last choice: what it did is on screen, the debrief not yet."""
    await open_scenario(pilot, shelf, "deadline")
    await choose(pilot, 1)
    await pilot.press("1")
    await pilot.pause()


def recorded(home: Path) -> list[RunRow]:
    return open_store(home / "results.sqlite3").runs(player_id=local_player_id(home))


async def test_the_run_is_recorded_finished_as_soon_as_its_ending_is_reached(
    make_app: AppFactory, shelf: list[Entry], home: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await to_the_good_ending(pilot, shelf)
        assert isinstance(app.screen, PlayScreen) and app.screen.explaining
        (run,) = recorded(home)
        assert run.finish is not None and run.finish.ending_scene == "calm-end"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DebriefScreen)
        assert "XP" in flat(drawn(app.screen.query_one(EarnedPanel)))
        (again,) = recorded(home)
        assert again.finish == run.finish


async def test_a_run_started_over_after_leaving_at_its_ending_is_recorded_as_its_own(
    make_app: AppFactory, shelf: list[Entry], home: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await to_the_good_ending(pilot, shelf)
        await pilot.press("escape")  # and the player leaves before the debrief
        await pilot.pause()
        await open_scenario(pilot, shelf, "deadline")
        await pilot.press("n")  # start over: a new run, played the same way
        await pilot.pause()
        await choose(pilot, 1)
        await choose(pilot, 1)
        assert isinstance(app.screen, DebriefScreen)
        runs = recorded(home)
        assert len(runs) == 2 and all(run.finish is not None for run in runs)
