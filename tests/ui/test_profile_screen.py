"""The profile screen: level, XP and principle mastery drawn from the runs the results store holds for
this player, and its snapshot at 80×24 (the runs are written into the store at fixed times first)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static

from game.engine import Engine
from game.identity import local_player_id
from game.offers import history_from_store
from game.recording import RunRecorder
from game.scenario import Scenario, load_file
from game.screens.profile import ProfileScreen
from game.store import open_store
from game.widgets.mastery import MasteryChart
from scoring import load_catalogue, progress
from tests.ui.conftest import SCENARIOS, AppFactory, open_from_palette, settle

SnapCompare = Callable[..., bool]

# Four finished runs of the fixture scenarios, by choice id.
RUNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("deadline", ("ask", "honest")),  # good ending: psychological safety and accountability practised
    ("deadline", ("snap", "stall")),  # poor ending: asking first was on offer and not taken
    ("retro", ("thank", "leave")),  # closing the loop was on offer and not taken
    ("retro", ("defend", "leave")),
)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def scenario(scenario_id: str) -> Scenario:
    loaded = load_file(SCENARIOS / f"{scenario_id}.yaml", load_catalogue())
    assert loaded.scenario is not None, loaded.problems
    return loaded.scenario


def ticks() -> Iterator[str]:
    moment = START
    while True:
        yield moment.isoformat(timespec="milliseconds")
        moment += timedelta(seconds=30)


def record_runs(home: Path, runs: Sequence[tuple[str, tuple[str, ...]]] = RUNS) -> str:
    """Play `runs` into the store in the data folder `home` as this machine's player; returns their id."""
    player_id = local_player_id(home)
    store = open_store(home / "results.sqlite3")
    clock = ticks()
    for number, (scenario_id, choices) in enumerate(runs):
        engine = Engine(scenario(scenario_id))
        recorder = RunRecorder(
            store,
            engine,
            player_id=player_id,
            player_name="Sam",
            clock=lambda: next(clock),
            run_id=f"run-{number:02d}",
            resume_code=f"CODE{number:02d}",
        )
        state = engine.start()
        recorder.started(state)
        for choice in choices:
            state = engine.choose(state, choice).state
            recorder.decided(state)
        assert engine.is_over(state)
        recorder.finished(state)
        assert recorder.problem is None, recorder.problem
    store.close()
    return player_id


def drawn(widget: Widget, width: int = 200) -> str:
    """What a widget draws, laid out at `width` so that nothing is cut short."""
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(widget.content if isinstance(widget, Static) else widget.render())
    return console.export_text()


def screen_text(pilot: Pilot[None]) -> str:
    """Every Static and chart on the current screen, as text."""
    screen = pilot.app.screen
    parts = [drawn(widget) for widget in screen.query(Static)]
    parts.extend(drawn(chart) for chart in screen.query(MasteryChart))
    return "\n".join(parts)


async def open_profile(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.press("p")
    await settle(pilot)


async def test_level_and_xp_come_from_the_recorded_runs(make_app: AppFactory, home: Path) -> None:
    player_id = record_runs(home)
    store = open_store(home / "results.sqlite3")
    rows = store.runs(player_id=player_id)
    history = history_from_store(
        rows,
        store.decisions([r.start.run_id for r in rows]),
        {s: scenario(s) for s in ("deadline", "retro")},
    )
    expected = progress(history)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_profile(pilot)
        assert isinstance(app.screen, ProfileScreen)
        text = screen_text(pilot)
    # 70 for the first run (finish, new ending, two new principles), 40 and 40 for two more new endings,
    # 5 for a repeated ending: 155 XP, past Question asker (150).
    assert (expected.xp, expected.level_name) == (155, "Question asker")
    assert "Level 3 · Question asker   155 XP" in text
    assert "5 of 125 XP towards Fair witness" in text  # Question asker is at 150 XP, Fair witness at 275
    assert "120 XP to Fair witness" in text


async def test_mastery_is_a_bar_per_principle_with_rate_and_taken_of_offered(
    make_app: AppFactory, home: Path
) -> None:
    record_runs(home)
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_profile(pilot)
        chart = drawn(app.screen.query_one(MasteryChart))
        text = " ".join(screen_text(pilot).split())
    rows = {line.split("  ")[0].strip(): line for line in chart.splitlines() if line.strip()}
    assert len(rows) == len(load_catalogue())
    # Asking first (or thanking) was on offer in all four runs and taken in two.
    assert rows["Psychological safety"].split()[-2:] == ["50%", "2/4"]
    assert "━" in rows["Psychological safety"]
    assert rows["Accountability"].split()[-2:] == ["100%", "1/1"]
    assert rows["The learning loop"].split()[-2:] == ["0%", "0/1"]
    assert "not offered yet" in rows["Repair and recovery"]
    # Strongest: taken at least half the time over two chances or more; to work on: less than half,
    # with the scenario whose choices practise it most.
    assert "Strongest Psychological safety 50%" in text
    assert "To work on The learning loop 0%: practise it in The Quiet Retro" in text


async def test_a_new_player_is_told_how_the_profile_fills(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_profile(pilot)
        text = screen_text(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.picker
    assert "Level 1 · Newcomer   0 XP" in text
    assert "No finished runs yet" in text


async def test_the_profile_and_the_trophies_take_each_others_place(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_profile(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert type(app.screen).__name__ == "TrophyScreen"
        await pilot.press("p")
        await settle(pilot)
        assert type(app.screen).__name__ == "ProfileScreen"
        await pilot.press("escape")  # back where the player was: trophies and profile replaced each other
        await pilot.pause()
        assert app.screen is app.picker


async def test_the_command_palette_opens_the_profile(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_from_palette(pilot, "Your profile")
        assert isinstance(app.screen, ProfileScreen)


@pytest.mark.parametrize("size", [pytest.param((80, 24), id="80x24")])
def test_snapshot(size: tuple[int, int], snap_compare: SnapCompare, make_app: AppFactory, home: Path) -> None:
    record_runs(home)
    assert snap_compare(make_app(), terminal_size=size, run_before=open_profile)
