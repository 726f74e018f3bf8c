"""Playing with the keyboard (and the mouse): picker → scenes → explanations → debrief → rewind."""

from __future__ import annotations

import json
from pathlib import Path

from rich.text import Text
from textual.widgets import ContentSwitcher, Static

from game.screens.debrief import DebriefScreen
from game.screens.help import HelpScreen
from game.screens.picker import PickerScreen
from game.screens.play import PlayScreen
from game.screens.settings import SettingsScreen
from game.widgets.choices import ChoiceList
from game.widgets.explanation import ExplanationView
from game.widgets.meters import MeterBar, MetersPanel
from game.widgets.scenario_list import Entry, ScenarioList
from scoring import Zone
from tests.ui.conftest import AppFactory, choose, open_scenario


def choice_ids(screen: PlayScreen) -> list[str | None]:
    return [option.id for option in screen.query_one(ChoiceList).options]


def plain(static: Static) -> str:
    content = static.content
    return content.plain if isinstance(content, Text) else str(content)


async def test_play_to_the_debrief_with_keys_only(
    make_app: AppFactory, shelf: list[Entry], home: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, PickerScreen)
        await open_scenario(pilot, shelf, "deadline")
        assert isinstance(app.screen, PlayScreen)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.screen.explaining
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        assert app.screen.state.scene == "the-call"
        await choose(pilot, 1)
        assert isinstance(app.screen, DebriefScreen)
        debrief = app.screen.debrief
        assert debrief.ending_title == "A date people believe"
        assert [r.choice_id for r in debrief.timeline] == ["ask", "honest"]
    profile = json.loads((home / "profile.json").read_text(encoding="utf-8"))
    assert profile["scenarios"]["deadline"]["endings"] == ["calm-end"]
    assert not (home / "saves" / "deadline.json").exists()


async def test_the_explanation_takes_the_storys_place_until_the_player_continues(
    make_app: AppFactory, shelf: list[Entry]
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await open_scenario(pilot, shelf, "deadline")
        screen = app.screen
        assert isinstance(screen, PlayScreen)
        await pilot.press("2")
        await pilot.pause()
        switcher = screen.query_one("#main", ContentSwitcher)
        assert screen.explaining and switcher.current == "explanation"
        choices = screen.query_one(ChoiceList)
        assert choices.has_class("-waiting") and screen.focused is choices
        assert screen.query_one(MetersPanel).query_one("#meter-safety", MeterBar).change < 0  # shown beside
        await pilot.press("down", "enter")  # neither moves nor takes a choice: scrolls, then continues
        await pilot.pause()
        assert [move.choice for move in screen.state.history] == ["snap"]
        assert not screen.explaining and switcher.current == "story"
        assert not choices.has_class("-waiting") and screen.focused is choices
        await pilot.press("2")
        await pilot.pause()
        assert screen.explaining
        await pilot.press("1", "space")  # a number key does not choose again; space continues
        await pilot.pause()
        assert len(screen.state.history) == 2 and not screen.explaining


async def test_explanation_shows_each_change_why_and_principle(
    make_app: AppFactory, shelf: list[Entry]
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_scenario(pilot, shelf, "deadline")
        await pilot.press("2")
        await pilot.pause()
        view = app.screen.query_one(ExplanationView)
        text = " ".join(view.render().plain.split())  # as read, whatever the wrapping
        assert "Tell her this should have reached you on Friday." in text
        assert "The point is fair" in text
        assert "Specific, timely, compassionate feedback" in text
        changes = {c.meter: (c.before, c.after) for c in view.explanation.changes}
        assert changes == {"safety": (50, 40), "standards": (50, 56), "trust": (50, 44)}
        assert any("anxiety zone" in note for note in view.explanation.notes)


async def test_choice_unavailable_without_flag_is_not_shown(make_app: AppFactory, shelf: list[Entry]) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await open_scenario(pilot, shelf, "deadline")
        await choose(pilot, 2)  # snap: safety falls to 40 and the `asked` flag is never set
        assert isinstance(app.screen, PlayScreen)
        assert choice_ids(app.screen) == ["commit", "stall"]
        await choose(pilot, 1)  # number keys follow what is shown: 1 is now "commit"
        assert isinstance(app.screen, DebriefScreen)
        assert app.screen.debrief.timeline[-1].choice_id == "commit"


async def test_choice_needing_a_meter_shows_only_when_it_holds(
    make_app: AppFactory, shelf: list[Entry]
) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await open_scenario(pilot, shelf, "retro")
        await choose(pilot, 2)  # defend: safety 42, below the ">= 55" the change needs
        assert isinstance(app.screen, PlayScreen)
        assert choice_ids(app.screen) == ["leave"]
        await pilot.press("escape")
        await pilot.pause()
        await open_scenario(pilot, [e for e in app.picker.entries], "retro")
        await pilot.press("n")  # start over
        await pilot.pause()
        await choose(pilot, 1)  # thank: safety 60
        assert isinstance(app.screen, PlayScreen)
        assert choice_ids(app.screen) == ["change", "leave"]


async def test_explanations_at_the_debrief_only(make_app: AppFactory, shelf: list[Entry], home: Path) -> None:
    (home / "settings.json").write_text(json.dumps({"explanations": "debrief-only"}), encoding="utf-8")
    app = make_app()
    async with app.run_test() as pilot:
        await open_scenario(pilot, shelf, "deadline")
        await choose(pilot, 1, explained=False)
        assert isinstance(app.screen, PlayScreen)
        assert app.screen.state.scene == "the-call"
        await choose(pilot, 1, explained=False)
        assert isinstance(app.screen, DebriefScreen)
        assert app.screen.debrief.timeline[0].explanation.why.startswith("Asking first")


async def test_rewind_plays_on_as_a_new_run_and_compares(
    make_app: AppFactory, shelf: list[Entry], home: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_scenario(pilot, shelf, "deadline")
        await choose(pilot, 1)
        await choose(pilot, 2)  # stall: the poor ending
        assert isinstance(app.screen, DebriefScreen)
        original = app.screen.debrief
        await pilot.press("tab", "down", "enter")  # to the timeline, its second decision: rewind
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        assert app.screen.state.scene == "the-call"
        assert [m.choice for m in app.screen.state.history] == ["ask"]
        await choose(pilot, 1)  # honest, this time
        assert isinstance(app.screen, DebriefScreen)
        assert app.screen.original == original
        assert app.screen.debrief.score > original.score
        head = plain(app.screen.query_one("#debrief-head", Static))
        assert f"score {original.score} → {app.screen.debrief.score}" in head
    progress = json.loads((home / "profile.json").read_text(encoding="utf-8"))["scenarios"]["deadline"]
    assert progress["finished"] == 2 and progress["endings"] == ["calm-end", "crunch-end"]


async def test_replay_and_another_scenario_from_the_debrief(make_app: AppFactory, shelf: list[Entry]) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await open_scenario(pilot, shelf, "deadline")
        await choose(pilot, 1)
        await choose(pilot, 1)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.screen.state.history == ()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.picker
        prompt = app.picker.query_one(ScenarioList).get_option_at_index(1).prompt
        assert isinstance(prompt, Text)
        assert "✓ finished · best: learning · 1 of 2 endings" in prompt.plain


async def test_picker_lists_broken_files_with_their_first_error(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("home")
        await pilot.pause()
        details = plain_details(app.picker)
        assert "Not playable" in details and "broken.yaml:12:9: unknown key 'efects'" in details
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is app.picker


def plain_details(picker: PickerScreen) -> str:
    from rich.console import Console

    console = Console(width=200, record=True)
    console.print(picker.query_one("#details-text", Static).content)
    return console.export_text()


async def test_the_mouse_plays_too(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        # The second scenario in the list (deadline): each option is two lines tall, inside a border.
        await pilot.click(ScenarioList, offset=(4, 3))
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        await pilot.click(ChoiceList, offset=(4, 1))
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.screen.explaining
        await pilot.click("#continue")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen) and app.screen.state.scene == "the-call"


async def test_help_settings_and_theme(make_app: AppFactory, home: Path) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.theme == "tightrope-dark"
        await pilot.press("f2")
        await pilot.pause()
        assert app.theme == "tightrope-light"
    assert json.loads((home / "settings.json").read_text(encoding="utf-8"))["theme"] == "light"


async def test_command_palette_offers_the_main_actions(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"settings")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)


async def test_zone_badge_names_the_zone(make_app: AppFactory, shelf: list[Entry]) -> None:
    from game.widgets.meters import ZoneBadge

    app = make_app()
    async with app.run_test() as pilot:
        await open_scenario(pilot, shelf, "deadline")
        await choose(pilot, 2)
        assert app.screen.query_one(ZoneBadge).zone is Zone.ANXIETY
