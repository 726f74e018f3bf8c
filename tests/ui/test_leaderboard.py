"""The opt-in leaderboard in a served session: asked for at the join form only in a room that has one,
off unless ticked, shown on the debrief, and changed from there; names are never markup."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox

from game.engine import Engine
from game.room_board import board_of
from game.roomreport import Reckoning
from game.screens.debrief import DebriefScreen
from game.screens.join import JoinScreen
from game.screens.play import PlayScreen
from game.serve.session import ServedApp
from game.serve.settings import SessionSettings
from game.store import Listing, RunFinish, RunStart, StoreError, open_store
from game.store.sqlite import SqliteStore
from game.widgets.leaderboard import LeaderboardPanel
from game.widgets.scenario_list import Entry
from tests.ui.conftest import open_from_palette, settle, told
from tests.ui.test_profile_screen import drawn

TINY = Path(__file__).resolve().parent.parent / "fixtures" / "tiny.yaml"
COHORT = "monday"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A room where two others have finished tiny: Ann opted in, Bo did not."""
    path = tmp_path / "results.sqlite3"
    store = open_store(path)
    room = (("a", "[b]Ann[/b]", True, 90), ("b", "Bo", False, 95))
    for run_id, name, listed, score in room:
        started, finished = "2026-01-01T09:00:00", "2026-01-01T09:10:00"
        store.start_run(
            RunStart(run_id, f"p{run_id}", name, COHORT, "tiny", "Tiny", started, run_id, listed=listed)
        )
        store.finish_run(
            RunFinish(run_id, finished, "good-end", "Good", "good", "learning", score, 60, 60, 60)
        )
    store.close()
    return path


def served(
    tiny_shelf: list[Entry], store_path: Path, tmp_path: Path, *, leaderboard: bool = True
) -> ServedApp:
    settings = SessionSettings(
        cohort=COHORT, store=str(store_path), pinned_scenario="tiny", leaderboard=leaderboard
    )
    return ServedApp(tiny_shelf, settings, data=tmp_path / "session", tick_every=None)


async def join(pilot: Pilot[None], name: str, *, listed: bool, resume: str = "") -> None:
    await pilot.pause()
    assert isinstance(pilot.app.screen, JoinScreen)
    await pilot.press(*name)
    if resume:
        await pilot.press("tab", *resume)
    if listed:
        pilot.app.screen.query_one(Checkbox).value = True
    await pilot.press("enter")
    await pilot.pause()


async def play_tiny(pilot: Pilot[None], *, good: bool) -> None:
    for choice in ("1", "1") if good else ("2", "1"):
        assert isinstance(pilot.app.screen, PlayScreen), type(pilot.app.screen)
        await pilot.press(choice)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    await settle(pilot)
    assert isinstance(pilot.app.screen, DebriefScreen)


def listed_in_store(store_path: Path) -> dict[str, bool]:
    store = open_store(store_path)
    try:
        return {run.start.player_name: run.start.listed for run in store.runs(cohort=COHORT)}
    finally:
        store.close()


async def test_a_room_without_a_leaderboard_asks_nothing_and_shows_none(
    tiny_shelf: list[Entry], store_path: Path, tmp_path: Path
) -> None:
    app = served(tiny_shelf, store_path, tmp_path, leaderboard=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not app.screen.query(Checkbox)
        await join(pilot, "Cy", listed=False)
        await play_tiny(pilot, good=True)
        assert not app.screen.query_one(LeaderboardPanel).display
        assert app.screen.check_action("toggle_listing", ()) is False


async def test_a_player_who_does_not_tick_the_box_sees_the_board_without_being_on_it(
    tiny_shelf: list[Entry], store_path: Path, tmp_path: Path
) -> None:
    app = served(tiny_shelf, store_path, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.screen.query_one(Checkbox).value is False  # opting in is never the default
        await join(pilot, "Cy", listed=False)
        await play_tiny(pilot, good=True)
        panel = app.screen.query_one(LeaderboardPanel)
        text = " ".join(drawn(panel).split())
        # Ann's name is her text, not markup; Bo did not opt in, so is counted but never named.
        assert "1. [b]Ann[/b] 90 ◆ Learning zone" in text
        assert "Bo" not in text and "Cy" not in text
        assert "1 of 3 players chose to be listed. You are not listed: press l to add your name." in text
        assert listed_in_store(store_path)["Cy"] is False

        # Changing their mind on the debrief lists this run, and the board is read again.
        await pilot.press("l")
        await settle(pilot)
        text = " ".join(drawn(panel).split())
        assert "◂ you" in text and "2 of 3 players chose to be listed. You are listed" in text
        assert listed_in_store(store_path) == {"[b]Ann[/b]": True, "Bo": False, "Cy": True}
        await pilot.press("l")
        await settle(pilot)
        assert listed_in_store(store_path)["Cy"] is False
        assert "◂ you" not in drawn(panel)


async def test_a_player_who_ticks_the_box_is_ranked_with_their_own_line_marked(
    tiny_shelf: list[Entry], store_path: Path, tmp_path: Path
) -> None:
    app = served(tiny_shelf, store_path, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await join(pilot, "Cy", listed=True)
        await play_tiny(pilot, good=False)
        text = " ".join(drawn(app.screen.query_one(LeaderboardPanel)).split())
        assert listed_in_store(store_path)["Cy"] is True
        ann, cy = text.index("[b]Ann[/b] 90"), text.index("Cy")
        assert ann < cy and "2. Cy" in text and "◂ you" in text[cy:]


@pytest.mark.parametrize(("listed_before", "ticked"), [(False, True), (True, False), (False, False)])
async def test_coming_back_with_a_resume_code_keeps_or_adds_the_choice_never_removes_it(
    tiny_shelf: list[Entry], store_path: Path, tmp_path: Path, listed_before: bool, ticked: bool
) -> None:
    store = open_store(store_path)
    store.start_run(
        RunStart(
            "c", "pc", "Cy", COHORT, "tiny", "Tiny", "2026-01-01T09:00:00", "CYCYCY", None, listed_before
        )
    )
    store.close()
    app = served(tiny_shelf, store_path, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await join(pilot, "Cy", listed=ticked, resume="CYCYCY")
        await play_tiny(pilot, good=True)
        expected = listed_before or ticked
        assert listed_in_store(store_path)["Cy"] is expected
        panel = app.screen.query_one(LeaderboardPanel)
        assert ("◂ you" in drawn(panel)) is expected
        # A replay is a new run, recorded with the same choice.
        await pilot.press("r")
        await play_tiny(pilot, good=False)
    store = open_store(store_path)
    try:
        assert [run.start.listed for run in store.runs(cohort=COHORT, player_id="pc")] == [expected, expected]
    finally:
        store.close()


async def test_the_whole_join_form_can_be_reached_in_a_small_terminal(
    tiny_shelf: list[Entry], tmp_path: Path
) -> None:
    settings = SessionSettings(join_code="tulip", leaderboard=True, store=str(tmp_path / "r.sqlite3"))
    app = ServedApp(tiny_shelf, settings, data=tmp_path / "session", tick_every=None)
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        screen = app.screen
        for _ in range(4):  # name → code → resume code → the box → Join
            await pilot.press("tab")
            await pilot.pause()
        button = screen.query_one("#join-button")
        assert screen.focused is button
        placed = screen.find_widget(button)
        assert placed.clip.contains_region(placed.region)  # all of it shown, label and all


async def test_a_choice_the_store_cannot_take_is_reported_and_the_board_is_unchanged(
    tiny_shelf: list[Entry], store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = served(tiny_shelf, store_path, tmp_path)
    notes = told(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await join(pilot, "Cy", listed=False)
        await play_tiny(pilot, good=True)

        def refuse(store: object, listing: Listing) -> None:
            raise StoreError("cannot write to the results store: disk full")

        monkeypatch.setattr(SqliteStore, "list_player", refuse)
        await pilot.press("l")
        await settle(pilot)
        assert (
            notes[-1] == "The leaderboard could not be changed: cannot write to the results store: disk full"
        )
        assert "You are not listed" in " ".join(drawn(app.screen.query_one(LeaderboardPanel)).split())
        # Nothing changed, so the next run is not listed either.
        assert app.results is not None and not app.results.listed
    assert listed_in_store(store_path)["Cy"] is False


async def test_the_choice_can_be_changed_from_the_command_palette_before_the_debrief(
    tiny_shelf: list[Entry], store_path: Path, tmp_path: Path
) -> None:
    settings = SessionSettings(cohort=COHORT, store=str(store_path), leaderboard=True)
    app = ServedApp(tiny_shelf, settings, data=tmp_path / "session", tick_every=None)
    notes = told(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await join(pilot, "Cy", listed=True)
        await open_from_palette(pilot, "Leaderboard: take my name off")
        assert notes[-1] == "Your name is off the leaderboard." and app.results is not None
        assert not app.results.listed
        await pilot.press("enter")  # the picker: tiny, the only scenario
        await pilot.pause()
        await play_tiny(pilot, good=True)
        assert listed_in_store(store_path)["Cy"] is False
        await open_from_palette(pilot, "Leaderboard: put my name on")
        assert listed_in_store(store_path)["Cy"] is True
        assert "◂ you" in drawn(app.screen.query_one(LeaderboardPanel))  # the debrief's board, read again


async def test_a_room_without_a_leaderboard_offers_no_such_command(
    tiny_shelf: list[Entry], store_path: Path, tmp_path: Path
) -> None:
    app = served(tiny_shelf, store_path, tmp_path, leaderboard=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await join(pilot, "Cy", listed=False)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Help" in titles and not any("Leaderboard" in title for title in titles)


async def test_a_reckoning_that_arrives_before_the_debrief_is_drawn_shows_its_board(
    tiny_shelf: list[Entry], store_path: Path, tmp_path: Path
) -> None:
    """Ready between the debrief's making and its drawing: drawn with the rest, board included."""
    scenario = next(entry.scenario for entry in tiny_shelf if entry.scenario is not None)
    engine = Engine(scenario)
    state = engine.start()
    while not engine.is_over(state):
        state = engine.choose(state, engine.available(state)[0].key).state
    app = served(tiny_shelf, store_path, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        earned: asyncio.Future[Reckoning] = asyncio.get_running_loop().create_future()
        screen = DebriefScreen(engine, state, engine.debrief(state), earned=earned)
        store = open_store(store_path)
        view = board_of(store, scenario_id="tiny", cohort=COHORT, player_id="pa", listed=True)
        store.close()
        earned.set_result(Reckoning(None, board=view))
        await app.push_screen(screen)
        await pilot.pause()
        panel = screen.query_one(LeaderboardPanel)
        assert panel.display and "Ann[/b] 90 ◆ Learning zone ◂ you" in " ".join(drawn(panel).split())
        assert screen.check_action("toggle_listing", ()) is True
