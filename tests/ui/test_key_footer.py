"""The one-line footer: the keys the screen offers, redrawn only when they change; a click presses a key."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType

from game.widgets.key_footer import KeyFooter


class Keys(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "replay", "Replay"),
        Binding("x", "hidden", "Hidden", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.done: list[str] = []
        self.can_replay = True

    def compose(self) -> ComposeResult:
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "replay" and not self.can_replay else True

    def action_replay(self) -> None:
        self.done.append("replay")

    def action_help(self) -> None:
        self.done.append("help")


def line(app: Keys) -> str:
    footer = app.screen.query_one(KeyFooter)
    return footer.render_line(0).text


def dimmed(footer: KeyFooter) -> list[bool | None]:
    """Whether each part of the line that says "Replay" is dimmed."""
    return [s.style.dim if s.style else None for s in footer.render_line(0) if s.text.strip() == "Replay"]


async def test_the_shown_keys_and_the_palette_key_on_one_line() -> None:
    app = Keys()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        text = line(app)
        assert text.startswith(" r Replay  ? Help ")
        assert "Hidden" not in text
        assert text.rstrip().endswith("^p palette") and len(text) == 60


async def test_a_click_on_a_key_presses_it() -> None:
    app = Keys()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        await pilot.click(KeyFooter, offset=(3, 0))  # on "Replay"
        await pilot.click(KeyFooter, offset=(12, 0))  # on "Help"
        assert app.done == ["replay", "help"]


async def test_a_key_that_cannot_be_pressed_now_is_dimmed_and_redrawn_when_it_can() -> None:
    app = Keys()
    app.can_replay = False
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        assert dimmed(footer) == [True]
        app.can_replay = True
        app.refresh_bindings()
        await pilot.pause()
        assert dimmed(footer) == [False]
