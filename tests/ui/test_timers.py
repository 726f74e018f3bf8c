"""Timed scenes: a visible countdown that the test drives, on_timeout when it runs out, and --no-timers."""

from __future__ import annotations

import json
from pathlib import Path

from game.screens.play import PlayScreen
from game.widgets.countdown import Countdown
from game.widgets.scenario_list import Entry
from tests.ui.conftest import AppFactory, choose, open_scenario


async def test_timer_runs_out_and_takes_on_timeout(make_app: AppFactory, shelf: list[Entry]) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await open_scenario(pilot, shelf, "deadline")
        assert not app.screen.query_one(Countdown).display  # the first scene has no timer
        await choose(pilot, 1)
        countdown = app.screen.query_one(Countdown)
        assert countdown.display and countdown.remaining == 30
        countdown.tick(29)
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        assert "0:01" in str(countdown.render())
        countdown.tick(1)
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.screen.explaining
        await pilot.press("enter")
        await pilot.pause()
        last = app.screen.state.history[-1] if isinstance(app.screen, PlayScreen) else None
        assert last is None  # the timeout choice led to an ending: we are on the debrief
        timeline = app.screen.debrief.timeline
        assert timeline[-1].choice_id == "stall" and timeline[-1].timed_out


async def test_choosing_in_time_records_the_seconds_taken(
    make_app: AppFactory, shelf: list[Entry], home: Path
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await open_scenario(pilot, shelf, "deadline")
        await choose(pilot, 2)
        app.screen.query_one(Countdown).tick(12)
        await pilot.press("2")  # stall, with 18 seconds left
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.screen.explaining
        state = app.screen.state
        assert state.history[-1].seconds == 12 and not state.history[-1].timed_out


async def test_help_pauses_the_countdown(make_app: AppFactory, shelf: list[Entry]) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await open_scenario(pilot, shelf, "deadline")
        await choose(pilot, 1)
        countdown = app.screen.query_one(Countdown)
        await pilot.press("question_mark")
        await pilot.pause()
        countdown.tick(100)
        assert countdown.remaining == 30
        await pilot.press("escape")
        await pilot.pause()
        countdown.tick(5)
        assert countdown.remaining == 25


async def test_no_timers_turns_every_timer_off(make_app: AppFactory, shelf: list[Entry]) -> None:
    app = make_app(no_timers=True)
    async with app.run_test() as pilot:
        await open_scenario(pilot, shelf, "deadline")
        await choose(pilot, 1)
        countdown = app.screen.query_one(Countdown)
        assert not countdown.display
        countdown.tick(1000)
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.screen.state.scene == "the-call"


async def test_timers_setting_off(make_app: AppFactory, shelf: list[Entry], home: Path) -> None:
    (home / "settings.json").write_text(json.dumps({"timers": False}), encoding="utf-8")
    app = make_app()
    async with app.run_test() as pilot:
        await open_scenario(pilot, shelf, "deadline")
        await choose(pilot, 1)
        assert not app.screen.query_one(Countdown).display


async def test_real_clock_ticks_the_countdown(make_app: AppFactory, shelf: list[Entry]) -> None:
    """With an interval the widget ticks itself; 10 ms per tick keeps this test fast."""
    app = make_app(tick_every=0.01)
    async with app.run_test() as pilot:
        await open_scenario(pilot, shelf, "deadline")
        await choose(pilot, 1)
        countdown = app.screen.query_one(Countdown)
        start = countdown.remaining
        await pilot.pause(0.1)
        assert countdown.remaining < start
