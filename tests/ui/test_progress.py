"""Resume after quitting, damaged saves, the player's name, and `tightrope play SCENARIO`."""

from __future__ import annotations

import argparse
import html
import json
import re
from pathlib import Path

from rich.text import Text
from textual.widgets import Input, Static

from game.commands.app import build_app
from game.saves import SavedRun, Saves
from game.screens.name import NamePrompt
from game.screens.play import PlayScreen
from game.screens.resume import ResumeDialog
from game.widgets.meters import MeterBar
from game.widgets.scenario_list import Entry
from tests.ui.conftest import SCENARIOS, AppFactory, choose, open_scenario


def screen_text(svg: str) -> str:
    """The characters of an SVG screenshot, without the markup that draws them."""
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def plain(static: Static) -> str:
    content = static.content
    return content.plain if isinstance(content, Text) else str(content)


async def test_quit_mid_scenario_then_resume_exactly_there(
    make_app: AppFactory, shelf: list[Entry], home: Path
) -> None:
    first = make_app()
    async with first.run_test() as pilot:
        await open_scenario(pilot, shelf, "deadline")
        await choose(pilot, 2)
        assert isinstance(first.screen, PlayScreen)
        left = first.screen.state
        await pilot.press("ctrl+q")
    saved = json.loads((home / "saves" / "deadline.json").read_text(encoding="utf-8"))
    assert [move["choice"] for move in saved["moves"]] == ["snap"]

    second = make_app()
    async with second.run_test() as pilot:
        await open_scenario(pilot, shelf, "deadline")
        assert isinstance(second.screen, ResumeDialog)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(second.screen, PlayScreen)
        assert second.screen.state == left
        safety = second.screen.query_one("#meter-safety", MeterBar)
        assert (safety.value, safety.change) == (40, -10)


async def test_start_over_discards_the_save(make_app: AppFactory, shelf: list[Entry], home: Path) -> None:
    Saves(home / "saves").write(SavedRun(scenario_id="deadline", moves=()))
    app = make_app()
    async with app.run_test() as pilot:
        await open_scenario(pilot, shelf, "deadline")
        assert isinstance(app.screen, ResumeDialog)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.screen.state.history == ()
    assert not (home / "saves" / "deadline.json").exists()


async def test_picker_marks_a_scenario_in_progress(make_app: AppFactory, home: Path) -> None:
    Saves(home / "saves").write(SavedRun(scenario_id="retro", moves=()))
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        prompts = [o.prompt for o in app.picker.query_one("#scenarios").options]  # type: ignore[attr-defined]
        assert any(isinstance(p, Text) and "▶ in progress" in p.plain and "Retro" in p.plain for p in prompts)


async def test_corrupt_save_is_reported_set_aside_and_play_starts_fresh(
    make_app: AppFactory, shelf: list[Entry], home: Path
) -> None:
    (home / "saves").mkdir()
    (home / "saves" / "deadline.json").write_text('{"moves": [oops', encoding="utf-8")
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        notice = plain(app.picker.query_one("#notice", Static))
        assert "could not be read" in notice and "deadline.json.unreadable-1" in notice
        assert "\n" not in notice
        await open_scenario(pilot, shelf, "deadline")
        assert isinstance(app.screen, PlayScreen) and app.screen.state.history == ()
    assert (home / "saves" / "deadline.json.unreadable-1").read_text(encoding="utf-8") == '{"moves": [oops'


async def test_save_that_no_longer_fits_the_scenario_is_set_aside(
    make_app: AppFactory, shelf: list[Entry], home: Path
) -> None:
    bad = '{"scenario_id": "deadline", "moves": [{"scene": "the-news", "choice": "vanished"}]}'
    (home / "saves").mkdir()
    (home / "saves" / "deadline.json").write_text(bad, encoding="utf-8")
    app = make_app()
    async with app.run_test() as pilot:
        await open_scenario(pilot, shelf, "deadline")
        assert isinstance(app.screen, PlayScreen) and app.screen.state.history == ()
    assert (home / "saves" / "deadline.json.unreadable-1").read_text(encoding="utf-8") == bad


async def test_corrupt_profile_does_not_crash(make_app: AppFactory, home: Path) -> None:
    (home / "profile.json").write_text("\x00\x01 not a profile", encoding="utf-8")
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert "Your profile could not be read" in plain(app.picker.query_one("#notice", Static))
        assert isinstance(app.screen, NamePrompt)
    assert (home / "profile.json.unreadable-1").exists()


async def test_name_full_of_markup_is_shown_literally(shelf: list[Entry], private_data_dir: Path) -> None:
    from game.app import TightropeApp

    name = "[bold red]Ada[/] [@click=app.quit]x[/]"
    app = TightropeApp(shelf, tick_every=None)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, NamePrompt)
        app.screen.query_one(Input).value = name
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is app.picker
        assert name in plain(app.picker.query_one("#welcome", Static))
        assert name in screen_text(app.export_screenshot())
    assert json.loads((private_data_dir / "profile.json").read_text(encoding="utf-8"))["name"] == name


async def test_name_is_asked_only_once(shelf: list[Entry], private_data_dir: Path) -> None:
    from game.app import TightropeApp

    first = TightropeApp(shelf, tick_every=None)
    async with first.run_test() as pilot:
        await pilot.pause()
        await pilot.press("escape")  # skipping counts as an answer
        await pilot.pause()
    second = TightropeApp(shelf, tick_every=None)
    async with second.run_test() as pilot:
        await pilot.pause()
        assert second.screen is second.picker


async def test_play_command_opens_the_scenario_directly(home: Path) -> None:
    from game.commands.play import load_playable
    from game.scenario.models import Scenario

    scenario = load_playable(str(SCENARIOS / "retro.yaml"), SCENARIOS)
    assert isinstance(scenario, Scenario)
    args = argparse.Namespace(scenarios=SCENARIOS, no_timers=False)
    app = build_app(args, scenario)
    app.tick_every = None
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        assert app.screen.state.scene == "silence"


async def test_missing_scenario_folder_shows_an_empty_picker(home: Path, tmp_path: Path) -> None:
    args = argparse.Namespace(scenarios=tmp_path / "nowhere", no_timers=False)
    app = build_app(args)
    async with app.run_test() as pilot:
        await pilot.pause()
        details = app.picker.query_one("#details-text", Static)
        assert "There is no scenario folder" in plain(details)
