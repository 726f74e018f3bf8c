"""Achievements in the game: earned by playing, announced, shown on the debrief and on the trophy screen;
a hidden one stays a secret until earned. Everything is read from the results store, per player."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from game.app import TightropeApp
from game.identity import local_player_id
from game.screens.debrief import DebriefScreen
from game.screens.trophies import TrophyScreen
from game.store import open_store
from game.widgets.achievements import AchievementList
from game.widgets.earned import EarnedPanel
from game.widgets.scenario_list import Entry
from scoring import load_achievements
from tests.ui.conftest import AppFactory, choose, open_from_palette, settle, to_the_good_debrief, told
from tests.ui.test_profile_screen import drawn, record_runs

SnapCompare = Callable[..., bool]

# What the first good run of the deadline (ask first, then tell the client the truth) earns.
FIRST_RUN = (
    "First steps",
    "Both held high",
    "A team that learns",
    "Balanced finish",
    "Safe ground",
    "Bar held",
    "Never dropped the rope",  # hidden: safety and standards never below 50
    "Cool head",
)


def flat(text: str) -> str:
    return " ".join(text.split())


async def play_the_good_run(pilot: Pilot[None], shelf: list[Entry]) -> None:
    """The good run of the deadline to its debrief, and wait for the reckoning."""
    await to_the_good_debrief(pilot, shelf)
    assert isinstance(pilot.app.screen, DebriefScreen)
    await settle(pilot)


async def earn_from_the_good_run(app: TightropeApp, shelf: list[Entry]) -> tuple[list[str], str]:
    """Play the good run in a fresh session; what the app notified and what the debrief says was earned."""
    notes = told(app)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await play_the_good_run(pilot, shelf)
        earned = flat(drawn(app.screen.query_one(EarnedPanel)))
    return notes, earned


async def trophies(pilot: Pilot[None]) -> str:
    await pilot.press("t")
    await settle(pilot)
    assert isinstance(pilot.app.screen, TrophyScreen)
    return flat(drawn(pilot.app.screen.query_one(AchievementList)))


async def test_a_hidden_achievement_is_a_secret_until_it_is_earned(
    make_app: AppFactory, shelf: list[Entry]
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        before = await trophies(pilot)
        await pilot.press("escape")
        await pilot.pause()
        await play_the_good_run(pilot, shelf)
        await pilot.press("s")
        await pilot.pause()
        after = await trophies(pilot)
    assert "Earned 0 of 26" in before
    assert "? ??? keep playing to discover it" in before
    assert "Never dropped the rope" not in before
    assert "Earned 8 of 26" in after
    earned, still = after.split("Still to earn")
    assert "★ Never dropped the rope Keep safety and standards both at 50 or more" in earned
    assert all(f"★ {name}" in earned for name in FIRST_RUN)
    assert "☆ Practice habit Come back and finish ten runs." in still


async def test_a_run_announces_each_unlock_and_the_debrief_shows_what_it_earned(
    make_app: AppFactory, shelf: list[Entry]
) -> None:
    app = make_app()
    notes, earned = await earn_from_the_good_run(app, shelf)
    unlocks = [note for note in notes if note.startswith("🏆")]
    assert unlocks[0] == "🏆 Achievement: First steps — Finish a run and read its debrief."
    # The first three each have their own notification; the rest share one, so the debrief stays visible.
    assert unlocks[1:3] == [
        "🏆 Achievement: Both held high — Finish a run in the learning zone, with safety and standards "
        "both at 50 or more.",
        "🏆 Achievement: A team that learns — Reach a good ending.",
    ]
    assert unlocks[3:] == ["🏆 5 more achievements: " + ", ".join(FIRST_RUN[3:])]
    assert earned.startswith(
        "Earned this run +70 XP (finished the run +10 · a new ending +30 · new principles practised +30)"
    )
    assert "★ " + " · ".join(FIRST_RUN) in earned
    assert "▲ Level up! Level 2 · Listener · 70 XP" in earned


async def test_a_replay_earns_only_what_is_new(make_app: AppFactory, shelf: list[Entry], home: Path) -> None:
    app = make_app()
    notes = told(app)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        await play_the_good_run(pilot, shelf)
        first = len(notes)
        await pilot.press("r")  # replay from the start, the same way
        await pilot.pause()
        await choose(pilot, 1)
        await choose(pilot, 1)
        await settle(pilot)
        earned = flat(drawn(app.screen.query_one(EarnedPanel)))
    assert not [note for note in notes[first:] if note.startswith("🏆")]
    # The same ending again: half the finishing XP, nothing new to find.
    assert (
        earned
        == "Earned this run +5 XP (finished the run +5) Level 2 · Listener · 75 XP, 75 more to Question asker"
    )
    runs = open_store(home / "results.sqlite3").runs(player_id=local_player_id(home))
    assert [run.finished for run in runs] == [True, True]


async def test_the_record_follows_the_player_through_the_store(
    make_app: AppFactory, shelf: list[Entry], home: Path
) -> None:
    record_runs(home)  # four earlier runs, from another front end under the same identity
    app = make_app()
    notes, earned = await earn_from_the_good_run(app, shelf)
    unlocks = [note for note in notes if note.startswith("🏆")]
    assert "🏆 Achievement: First steps — Finish a run and read its debrief." not in unlocks
    assert "(finished the run +5)" in earned  # the good ending of the deadline was found before


async def test_a_store_that_cannot_be_read_leaves_the_run_uncounted(
    make_app: AppFactory, shelf: list[Entry], tmp_path: Path
) -> None:
    app = make_app()
    app.store_target = str(tmp_path)  # a folder: no store can be opened there
    notes, earned = await earn_from_the_good_run(app, shelf)
    assert earned.startswith("Earned this run not counted: your record could not be read: cannot open")
    assert any(note.startswith("Results are not being recorded") for note in notes)
    assert not [note for note in notes if note.startswith("🏆")]


async def test_the_command_palette_opens_the_trophies(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_from_palette(pilot, "Trophies")
        assert isinstance(app.screen, TrophyScreen)


def test_every_global_achievement_is_listed() -> None:
    assert len(load_achievements()) == 26


def test_snapshot_80x24(snap_compare: SnapCompare, make_app: AppFactory, home: Path) -> None:
    record_runs(home)

    async def open_trophies(pilot: Pilot[None]) -> None:
        await pilot.pause()
        await pilot.press("t")
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=open_trophies)
