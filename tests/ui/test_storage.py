"""Saves, profile and settings on disk: atomic, readable back, and never lost when damaged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from game.engine import Engine, Move
from game.library import check_file
from game.profile import Profile, ProfileStore, clean_name
from game.saves import SavedRun, Saves, atomic_write
from game.settings import Settings, SettingsStore
from scoring import Zone

SCENARIOS = Path(__file__).parent / "scenarios"


def test_save_round_trips_the_moves(tmp_path: Path) -> None:
    saves = Saves(tmp_path)
    run = SavedRun(scenario_id="deadline", moves=(Move(scene="the-news", choice="ask"),))
    saves.write(run)
    assert saves.load("deadline").value == run
    assert saves.load("deadline").problem is None


def test_missing_save_is_not_a_problem(tmp_path: Path) -> None:
    read = Saves(tmp_path).load("deadline")
    assert read.value is None and read.problem is None


def test_corrupt_save_is_set_aside_and_reported_in_one_line(tmp_path: Path) -> None:
    saves = Saves(tmp_path)
    saves.path_for("deadline").write_text("{not json", encoding="utf-8")
    read = saves.load("deadline")
    assert read.value is None
    assert read.problem is not None and "\n" not in read.problem
    assert "deadline.json.unreadable-1" in read.problem
    assert not saves.path_for("deadline").exists()
    assert (tmp_path / "deadline.json.unreadable-1").read_text(encoding="utf-8") == "{not json"


def test_a_second_corrupt_save_does_not_overwrite_the_first(tmp_path: Path) -> None:
    saves = Saves(tmp_path)
    for text in ("first", "second"):
        saves.path_for("deadline").write_text(text, encoding="utf-8")
        saves.load("deadline")
    assert (tmp_path / "deadline.json.unreadable-1").read_text(encoding="utf-8") == "first"
    assert (tmp_path / "deadline.json.unreadable-2").read_text(encoding="utf-8") == "second"


def test_save_that_is_not_utf8_is_set_aside(tmp_path: Path) -> None:
    saves = Saves(tmp_path)
    saves.path_for("deadline").write_bytes(b"\xff\xfe\x00garbage")
    read = saves.load("deadline")
    assert read.problem is not None and "not UTF-8" in read.problem
    assert (tmp_path / "deadline.json.unreadable-1").exists()


def test_save_for_another_scenario_is_set_aside(tmp_path: Path) -> None:
    saves = Saves(tmp_path)
    saves.path_for("deadline").write_text(SavedRun(scenario_id="retro").as_json(), encoding="utf-8")
    read = saves.load("deadline")
    assert read.value is None and read.problem is not None and "retro" in read.problem


def test_atomic_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "file.json"
    atomic_write(target, "one")
    atomic_write(target, "two")
    assert target.read_text(encoding="utf-8") == "two"
    assert os.listdir(target.parent) == ["file.json"]


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "file.json"
    atomic_write(target, "old")
    with pytest.raises(TypeError):
        atomic_write(target, object())  # type: ignore[arg-type]
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["file.json"]


def test_resume_after_kill_loses_at_most_one_choice(tmp_path: Path) -> None:
    """A process killed right after a save leaves a save that replays to the same state."""
    scenario = check_file(SCENARIOS / "deadline.yaml").loaded.scenario
    assert scenario is not None
    engine = Engine(scenario)
    state = engine.choose(engine.start(), "ask").state
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from game.engine import Move\n"
        "from game.saves import SavedRun, Saves\n"
        f"Saves(Path({str(tmp_path)!r})).write(SavedRun(scenario_id='deadline', "
        "moves=(Move(scene='the-news', choice='ask'),)))\n"
        "import os; os._exit(9)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], check=False)
    assert result.returncode == 9
    saved = Saves(tmp_path).load("deadline").value
    assert saved is not None
    assert engine.replay(saved.moves)[0] == state


def test_in_progress_lists_readable_saves_and_reports_the_rest(tmp_path: Path) -> None:
    saves = Saves(tmp_path)
    saves.write(SavedRun(scenario_id="deadline"))
    saves.path_for("retro").write_text("[]", encoding="utf-8")
    found = saves.in_progress()
    assert found["deadline"].value is not None
    assert found["retro"].value is None and found["retro"].problem is not None


def test_profile_records_endings_and_best_zone(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    profile = store.load().value
    assert profile == Profile()
    profile = profile.named("Ada").finished("deadline", "crunch-end", Zone.ANXIETY, 40)
    profile = profile.finished("deadline", "calm-end", Zone.LEARNING, 80)
    profile = profile.finished("deadline", "crunch-end", Zone.COMFORT, 90)
    store.save(profile)
    progress = store.load().value.progress("deadline")  # type: ignore[union-attr]
    assert progress.finished == 3
    assert progress.endings == ("calm-end", "crunch-end")
    assert (progress.best_zone, progress.best_score) == (Zone.LEARNING, 80)


def test_between_comfort_and_anxiety_the_score_decides_the_best(tmp_path: Path) -> None:
    profile = Profile().finished("x", "a", Zone.ANXIETY, 40).finished("x", "b", Zone.COMFORT, 45)
    assert profile.progress("x").best_zone is Zone.COMFORT


def test_corrupt_profile_is_set_aside_and_a_fresh_one_used(tmp_path: Path) -> None:
    (tmp_path / "profile.json").write_text(json.dumps({"name": 5, "scenarios": []}), encoding="utf-8")
    read = ProfileStore(tmp_path).load()
    assert read.value == Profile()
    assert read.problem is not None and "profile.json.unreadable-1" in read.problem


def test_names_are_cleaned_of_control_characters() -> None:
    assert clean_name("  Ada\x1b[31m \n Lovelace\x07 ") == "Ada Lovelace"
    assert clean_name("[bold]Ada[/bold]") == "[bold]Ada[/bold]"
    assert len(clean_name("x" * 500)) == 40


def test_settings_round_trip(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path)
    assert store.load().value == Settings()
    store.save(Settings(explanations="debrief-only", timers=False, theme="light"))
    settings = store.load().value
    assert settings is not None and not settings.explain_each_choice and settings.theme == "light"


def test_settings_change_one_at_a_time_and_each_change_is_checked() -> None:
    quiet = Settings().explaining_each_choice(False).in_light_theme(True).changed(timers=False)
    assert quiet == Settings(explanations="debrief-only", timers=False, theme="light")
    assert quiet.explaining_each_choice(True).in_light_theme(False) == Settings(timers=False)
    with pytest.raises(ValueError, match="theme"):
        Settings().changed(theme="sepia")


@pytest.mark.parametrize("module", ["game.saves", "game.profile", "game.settings"])
def test_storage_modules_import_without_textual(module: str) -> None:
    code = f"import sys, {module}; print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
