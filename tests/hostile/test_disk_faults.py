"""A save or results store that is corrupt, locked, read-only or on a full disk: the player is told in one
line, play goes on where it can, and nothing already saved is destroyed.

The Textual game (Pilot) meets these with its saves and profile; the line mode (a real process) and a
served session (Pilot) with the results store. Read-only means read-only for root too (a read-only
bind mount, else `chattr +i`); a full disk is a tiny tmpfs filled up. Where this machine cannot make
one of those, the test is skipped with the reason (see tests/hostile/limits.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from game.app import TightropeApp
from game.engine import Move
from game.saves import SavedRun, Saves
from game.screens.debrief import DebriefScreen
from game.screens.play import PlayScreen
from game.serve.session import ServedApp
from game.serve.settings import SessionSettings
from game.store import open_store
from game.widgets.scenario_list import Entry
from tests.hostile.limits import TINY, Ran, Unavailable, fill, read_only, run_limited, small_disk
from tests.store.workers import decision, start
from tests.ui.conftest import told

PLAYED = "1\n1\n"  # tiny: thank them, then the review: the good ending


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A data folder whose player has a name, and a save for another scenario that must survive."""
    folder = tmp_path / "home"
    (folder / "saves").mkdir(parents=True)
    (folder / "profile.json").write_text(json.dumps({"name": "Sam"}), encoding="utf-8")
    Saves(folder / "saves").write(SavedRun(scenario_id="other", moves=(Move(scene="a", choice="b"),)))
    return folder


@contextlib.contextmanager
def fault(make: Callable[[], contextlib.AbstractContextManager[Path]]) -> Iterator[Path]:
    try:
        context = make()
        folder = context.__enter__()
    except Unavailable as reason:
        pytest.skip(str(reason))
    try:
        yield folder
    finally:
        context.__exit__(None, None, None)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


async def play_tiny(app: TightropeApp, *, resume: bool = False) -> list[str]:
    """Open tiny from the picker and play it to the debrief, checking that each scene came."""
    notes = told(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        if resume:
            await pilot.press("r")
            await pilot.pause()
        for _ in range(1 if resume else 2):
            assert isinstance(app.screen, PlayScreen), type(app.screen)
            await pilot.press("1")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
        assert isinstance(app.screen, DebriefScreen), type(app.screen)
    return notes


def one_line(notes: list[str], starting: str) -> str:
    found = [note for note in notes if note.startswith(starting)]
    assert len(found) >= 1, notes
    assert all("\n" not in note for note in found), found
    return found[0]


async def test_a_read_only_data_folder_is_reported_in_one_line_and_play_goes_on(
    tiny_shelf: list[Entry], home: Path
) -> None:
    before = snapshot(home)
    with fault(lambda: read_only(home)):
        app = TightropeApp(tiny_shelf, tick_every=None, data=home)
        notes = told(app)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("enter", "1")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, PlayScreen) and len(app.screen.state.history) == 1
        after = snapshot(home)
    one_line(notes, "Progress could not be saved: ")
    assert after == before


async def test_a_read_only_data_folder_lets_a_run_finish(tiny_shelf: list[Entry], home: Path) -> None:
    before = snapshot(home)
    with fault(lambda: read_only(home)):
        notes = await play_tiny(TightropeApp(tiny_shelf, tick_every=None, data=home))
        after = snapshot(home)
    one_line(notes, "Progress could not be saved: ")
    one_line(notes, "Your profile could not be saved: ")
    assert after == before


async def test_a_full_disk_keeps_the_last_save_and_play_goes_on(
    tiny_shelf: list[Entry], tmp_path: Path
) -> None:
    with fault(lambda: small_disk(tmp_path / "disk")) as disk:
        home = disk / "home"
        (home / "saves").mkdir(parents=True)
        (home / "profile.json").write_text(json.dumps({"name": "Sam"}), encoding="utf-8")
        saves = Saves(home / "saves")
        saves.write(SavedRun(scenario_id="tiny", moves=(Move(scene="first", choice="thank"),)))
        saved = saves.path_for("tiny").read_bytes()
        fill(disk)
        app = TightropeApp(tiny_shelf, tick_every=None, data=home)
        notes = told(app)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("r")  # resume at the second scene
            await pilot.pause()
            assert isinstance(app.screen, PlayScreen)
            await pilot.press("1")
            await pilot.pause()
            # The new save could not be written; the last one is still whole.
            assert saves.path_for("tiny").read_bytes() == saved
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, DebriefScreen)
        one_line(notes, "Progress could not be saved: ")
        assert "No space left on device" in one_line(notes, "Progress could not be saved: ")
        assert [p.name for p in (home / "saves").iterdir() if p.name.endswith(".tmp")] == []


async def test_a_corrupt_save_is_kept_aside_and_a_fresh_run_starts(
    tiny_shelf: list[Entry], home: Path
) -> None:
    garbage = random.Random(4).randbytes(300)
    (home / "saves" / "tiny.json").write_bytes(garbage)
    notes = await play_tiny(TightropeApp(tiny_shelf, tick_every=None, data=home))
    problem = one_line(notes, "The saved game for 'tiny' could not be read")
    assert "tiny.json.unreadable-1" in problem
    assert (home / "saves" / "tiny.json.unreadable-1").read_bytes() == garbage


# The results store, from the line mode: a real process, its stderr and its exit code.


def play_plain(store: Path, *, busy_timeout: float | None = None) -> Ran:
    arguments = ["play", str(TINY), "--plain", "--store", str(store)]
    if busy_timeout is None:
        return run_limited([sys.executable, "-m", "game", *arguments], stdin=PLAYED)
    # The store waits this long for a lock (30 s in the game) before it gives up: shortened here.
    code = (
        "import sys, game.store.sqlite as s; from game.cli import main; "
        f"s.BUSY_TIMEOUT_SECONDS = {busy_timeout}; sys.exit(main(sys.argv[1:]))"
    )
    return run_limited([sys.executable, "-c", code, *arguments], stdin=PLAYED)


def assert_told_once_and_played_on(ran: Ran) -> None:
    assert "Traceback" not in ran.output, ran.output
    assert ran.returncode == 0, ran.output
    assert "=== Debrief: A team that learns (good ending) ===" in ran.stdout
    assert ran.stderr.startswith("tightrope: Results are not being recorded: "), ran.stderr
    assert ran.stderr.count("\n") == 1, ran.stderr


def store_with_one_run(path: Path) -> None:
    store = open_store(path)
    store.start_run(start("before"))
    store.record_decision(decision("before", 0))
    store.close()


def assert_run_before_is_whole(path: Path) -> None:
    store = open_store(path)
    try:
        (run,) = [r for r in store.runs() if r.start.run_id == "before"]
        assert run.decisions == 1
    finally:
        store.close()
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_line_mode_with_a_corrupt_store(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite3"
    garbage = random.Random(5).randbytes(8192)
    path.write_bytes(garbage)
    ran = play_plain(path)
    assert_told_once_and_played_on(ran)
    assert "file is not a database" in ran.stderr
    assert path.read_bytes() == garbage


def test_line_mode_with_a_locked_store(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite3"
    store_with_one_run(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        ran = play_plain(path, busy_timeout=0.5)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_told_once_and_played_on(ran)
    assert "database is locked" in ran.stderr
    assert_run_before_is_whole(path)


def test_line_mode_with_a_read_only_store(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    path = folder / "results.sqlite3"
    store_with_one_run(path)
    before = snapshot(folder)
    with fault(lambda: read_only(folder)):
        ran = play_plain(path)
    assert_told_once_and_played_on(ran)
    assert snapshot(folder) == before
    assert_run_before_is_whole(path)


def test_line_mode_with_a_store_on_a_full_disk(tmp_path: Path) -> None:
    with fault(lambda: small_disk(tmp_path / "disk", size_kib=512)) as disk:
        path = disk / "results.sqlite3"
        store_with_one_run(path)
        fill(disk)
        ran = play_plain(path)
        (disk / "filler").unlink()
        assert_told_once_and_played_on(ran)
        assert_run_before_is_whole(path)


async def test_a_served_session_with_a_corrupt_store_plays_on(
    tiny_shelf: list[Entry], tmp_path: Path
) -> None:
    path = tmp_path / "results.sqlite3"
    garbage = random.Random(6).randbytes(4096)
    path.write_bytes(garbage)
    settings = SessionSettings(store=str(path), scenarios=TINY.parent, pinned_scenario="tiny")
    app = ServedApp(tiny_shelf, settings, data=tmp_path / "session", tick_every=None)
    notes = told(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*"Ann", "enter")
        await pilot.pause()
        for _ in range(2):
            assert isinstance(app.screen, PlayScreen), type(app.screen)
            await pilot.press("1")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
        assert isinstance(app.screen, DebriefScreen)
    problems = [note for note in notes if note.startswith("Results are not being recorded: ")]
    assert len(problems) == 1 and "\n" not in problems[0], notes
    assert path.read_bytes() == garbage
    assert not os.path.exists(str(path) + "-wal")
