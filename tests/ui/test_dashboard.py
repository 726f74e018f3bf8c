"""The facilitator's dashboard, driven with Pilot on a store filled by scripted runs, and its SVG snapshots.

Snapshots (update with `pytest --snapshot-update`) are deterministic: the runs are recorded at fixed
times, the read time and time zone are pinned, and the dashboard does not poll on its own.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, timedelta, timezone
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Tab, Tabs

from game.dashboard.app import DashboardApp
from game.dashboard.widgets import Panel, StatusLine, bar, clock_time
from game.engine import Engine
from game.offers import practised_by_run
from game.recording import RunRecorder
from game.scenario import load_file
from game.store import Listing, ResultsStore, StoreError, open_store
from scoring import challenge_progress, load_catalogue, parse_challenge
from tests.conftest import FIXTURES
from tests.ui.dashboard_snapshots.room import (
    COHORT,
    MARKUP_NAME,
    SCRIPT,
    Run,
    dashboard,
    fill,
    filled_store,
    play,
    scenario,
)

SnapCompare = Callable[..., bool]


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return filled_store(tmp_path / "results.sqlite3")


async def settle(pilot: Pilot[None], reads: int = 1) -> None:
    """Wait until the dashboard has read the store `reads` times and drawn what it read."""
    app = pilot.app
    assert isinstance(app, DashboardApp)
    for _ in range(500):
        if app.room_screen.reads >= reads:
            break
        await pilot.pause(0.01)
    assert app.room_screen.reads >= reads, "the dashboard never read the store"
    await pilot.pause()
    await pilot.pause()


def drawn(app: DashboardApp, panel_id: str, width: int = 200) -> str:
    """The text a panel draws, laid out at `width` so that nothing is cut short."""
    panel = app.room_screen.query_one(f"#{panel_id}", Panel)
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None)
    console.print(panel.body.content)
    return console.export_text()


def status(app: DashboardApp) -> str:
    return str(app.room_screen.query_one(StatusLine).content)


def test_bars_are_drawn_in_half_cells() -> None:
    assert bar(0.5, 4) == ("━━", "──")
    assert bar(0.125, 4) == ("╸", "───")
    assert bar(1.0, 4) == ("━━━━", "")
    assert bar(0.0, 4) == ("", "────")


def test_clock_times_are_shown_in_the_facilitators_time_zone() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert clock_time("2026-03-02T09:05:00.000+00:00", plus_two) == "11:05"
    assert clock_time("2026-03-02T09:05:00", UTC) == "09:05"  # the store writes UTC
    assert clock_time("not a time", UTC) == "?" and clock_time(None, UTC) == ""


async def test_the_dashboard_shows_the_room(store_path: Path) -> None:
    app = dashboard(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "cohort tuesday · 3 playing, 6 finished, 1 rewind · 09:30:15" in status(app)
        players = drawn(app, "players")
        assert "Fatima" in players and "The checklist" in players and "↺ rewind" in players
        splits = drawn(app, "splits")
        assert "Nine o'clock  8 decisions" in splits
        assert "4 50% Ask Tom to walk everyone through the night" in splits
        assert "[1 timed out] Leave it for now" in splits
        assert "Average safety 48 · standards 56 · trust 50" in drawn(app, "map")
        endings = drawn(app, "endings")
        assert "✓ good ending" in endings and "A handover both shifts own" in endings
        talking = drawn(app, "talking")
        assert "1. Nine o'clock: 3 of 8 lost safety" in talking
        assert "Who in your team would tell you first" in talking


async def test_a_player_name_full_of_markup_is_shown_literally(store_path: Path) -> None:
    app = dashboard(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert MARKUP_NAME in drawn(app, "players")


async def test_a_new_decision_appears_after_a_refresh(store_path: Path) -> None:
    app = dashboard(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Zed" not in drawn(app, "players")
        # Another player's machine writes to the same store while the dashboard runs.
        writer = open_store(store_path)
        fill(writer, [Run("Zed", ("shrug",))], prefix="late-")
        writer.close()
        await pilot.press("r")
        await settle(pilot, reads=2)
        assert "Zed" in drawn(app, "players")
        assert "Nine o'clock  9 decisions" in drawn(app, "splits")
        assert "2 22% Tell the room these things happen" in drawn(app, "splits")


async def test_the_dashboard_polls_the_store_on_its_own(store_path: Path) -> None:
    app = dashboard(store_path, every=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        writer = open_store(store_path)
        engine = Engine(scenario())
        recorder = RunRecorder(writer, engine, player_id="p-yan", player_name="Yan", cohort=COHORT)
        state = engine.start()
        recorder.started(state)
        recorder.decided(play(engine, state, "blame"))
        writer.close()
        await settle(pilot, reads=app.room_screen.reads + 2)
        assert "Yan" in drawn(app, "players")
        assert "4 44% Say in front of everyone" in drawn(app, "splits")


async def test_an_unreadable_store_is_one_line_and_the_dashboard_goes_on(tmp_path: Path) -> None:
    def broken() -> ResultsStore:
        raise StoreError("cannot open the results store /nowhere: disk I/O error")

    app = DashboardApp(broken, [scenario()], every=None)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(100):
            if app.room_screen.problem:
                break
            await pilot.pause(0.01)
        await pilot.pause()
        assert "⚠ cannot open the results store /nowhere: disk I/O error" in status(app)
        assert app.room_screen.query_one(StatusLine).has_class("-problem")
        assert "Nobody has started yet" in drawn(app, "players")
        await pilot.press("q")
    assert app.return_code == 0


async def test_several_scenarios_switch_with_brackets_and_tabs(store_path: Path) -> None:
    tiny = load_file(FIXTURES / "tiny.yaml", load_catalogue()).scenario
    assert tiny is not None
    writer = open_store(store_path)
    engine = Engine(tiny)
    recorder = RunRecorder(writer, engine, player_id="p-tia", player_name="Tia", cohort=COHORT)
    state = engine.start()
    recorder.started(state)
    recorder.decided(engine.choose(state, "thank").state)
    writer.close()
    app = DashboardApp(lambda: open_store(store_path), [scenario(), tiny], cohort=COHORT, every=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tabs = app.room_screen.query_one(Tabs)
        assert [tab.label.plain for tab in tabs.query(Tab)] == ["The Missed Handover", "Tiny"]
        assert app.room_screen.selected == "handover"
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.room_screen.selected == "tiny" and tabs.active == "scenario-1"
        assert "Tia" in drawn(app, "players") and "Fatima" not in drawn(app, "players")
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert app.room_screen.selected == "handover"
        await pilot.click("#scenario-1")
        await pilot.pause()
        assert app.room_screen.selected == "tiny"


async def test_keys_move_between_panels_and_q_quits(store_path: Path) -> None:
    app = dashboard(store_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.has_class("-narrow", "-short")
        assert app.focused is not None and app.focused.id == "players"
        await pilot.press("tab")
        assert app.focused is not None and app.focused.id == "splits"
        await pilot.press("m")
        assert app.focused is not None and app.focused.id == "map"
        await pilot.press("t")
        assert app.focused is not None and app.focused.id == "talking"
        await pilot.press("q")
    assert app.return_code == 0


GOALS = ("learning:50%", "finished:5", "good:everyone", "clear-expectations:3")


async def test_the_room_goals_panel_shows_the_stores_numbers_and_names_nobody(store_path: Path) -> None:
    goals = [parse_challenge(goal) for goal in GOALS]
    app = dashboard(store_path, challenges=goals)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = drawn(app, "goals")
        await pilot.press("g")
        assert app.focused is not None and app.focused.id == "goals"
    store = open_store(store_path)
    runs = store.runs(cohort=COHORT)
    practised = practised_by_run(
        runs, store.decisions([r.start.run_id for r in runs]), {"handover": scenario()}
    )
    learning, finished, good, expectations = (challenge_progress(g, runs, practised) for g in goals)
    # Six first runs and one rewind have finished: rewinds count towards a goal like any run.
    assert (learning.counted, learning.considered, learning.met) == (4, 7, True)
    assert "✓ 50% of the finished runs end in the learning zone" in text
    assert f"{learning.current}%, goal 50%" in text
    assert "✓ at least 5 finished runs" in text and f"{finished.current}, goal 5" in text
    assert "◌ every player has a run that reaches a good ending" in text
    assert f"{good.counted} of {good.considered} players" in text
    assert "◌ at least 3 runs practise clear expectations" in text
    assert f"{expectations.current}, goal 3" in text
    # Achievements are counted per player over their runs in the room, and never say who.
    assert "Achievements  11 of 26 earned · 6 players finished" in text
    assert "6 First steps" in text
    for run in SCRIPT:
        assert not re.search(rf"\b{re.escape(run.name)}\b", text), run.name


async def test_without_goals_the_panel_says_how_to_set_them(store_path: Path) -> None:
    app = dashboard(store_path, challenges=())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = drawn(app, "goals")
    assert "No room goals set: give some with tightrope serve --challenge" in text
    assert "6 First steps" in text


@pytest.mark.parametrize(
    ("size", "side_by_side"), [((120, 40), True), ((110, 32), True), ((120, 24), False), ((100, 40), False)]
)
async def test_side_by_side_from_110_columns_and_32_rows(
    size: tuple[int, int], side_by_side: bool, store_path: Path
) -> None:
    app = dashboard(store_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert app.screen.has_class("-wide", "-tall") == side_by_side
        layout = app.screen.query_one("#columns").styles.layout
        assert (layout is not None and layout.name == "horizontal") == side_by_side


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_snapshot(size: tuple[int, int], store_path: Path, snap_compare: SnapCompare) -> None:
    assert snap_compare(dashboard(store_path), terminal_size=size, run_before=settle)


def test_snapshot_map_at_80x24(store_path: Path, snap_compare: SnapCompare) -> None:
    async def to_the_map(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("m")
        await pilot.pause()

    assert snap_compare(dashboard(store_path), terminal_size=(80, 24), run_before=to_the_map)


async def test_the_leaderboard_names_only_the_players_who_chose_it_and_appears_only_then(
    store_path: Path,
) -> None:
    app = dashboard(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not app.room_screen.query_one("#board").display
        assert "panel('board')" not in {b.action for _, b, *_ in app.room_screen.active_bindings.values()}
    store = open_store(store_path)
    for name in ("Bo", MARKUP_NAME, "Ann"):
        store.list_player(Listing(f"player-{name}", COHORT, listed=True))
    store.close()
    app = dashboard(store_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.room_screen.query_one("#board").display
        lines = [" ".join(line.split()) for line in drawn(app, "board").splitlines() if line.strip()]
    ranked = [line for line in lines if re.match(r"\d+\. ", line)]
    assert [line.split(". ", 1)[1] for line in ranked] == [
        f"{name} {score} {zone}" for name, score, zone in board_of_store(store_path)
    ]
    assert {"Chen", "Dara", "Eli"}.isdisjoint(" ".join(lines).split())
    assert lines[-1] == "3 of 6 players chose to be listed; best full run each"


def board_of_store(path: Path) -> list[tuple[str, int, str]]:
    """The listed players' best full runs, worked out here from the store's rows."""
    store = open_store(path)
    try:
        best: dict[str, tuple[int, str, str]] = {}
        for run in store.runs(cohort=COHORT):
            if run.start.listed and run.finish is not None and run.start.rewound_from is None:
                held = best.get(run.start.player_id)
                if held is None or run.finish.score > held[0]:
                    best[run.start.player_id] = (run.finish.score, run.start.player_name, run.finish.zone)
    finally:
        store.close()
    marks = {"learning": "◆", "comfort": "◇", "anxiety": "▲", "apathy": "▽"}
    ordered = sorted(best.values(), key=lambda b: (-b[0], b[1].casefold()))
    return [(name, score, f"{marks[zone]} {zone}") for score, name, zone in ordered]
