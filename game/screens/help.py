"""Help: the keys on every screen and how the game scores a run."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from game.widgets.symbols import zone_title
from scoring import Zone

KEYS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Scenarios",
        (
            ("↑ ↓  then Enter", "play the highlighted scenario"),
            ("t", "trophies: every achievement, earned and still to earn"),
            ("p", "your profile: level, XP and principle mastery"),
            ("s", "settings"),
            ("q", "quit"),
        ),
    ),
    (
        "Playing",
        (
            ("1-9", "take that choice"),
            ("↑ ↓  then Enter", "take the highlighted choice"),
            ("PgUp PgDn", "scroll a long scene, or what your choice did"),
            ("Enter or Space", "continue after an explanation (↑ ↓ scroll it)"),
            ("Esc", "back to the scenarios (your progress is saved)"),
        ),
    ),
    (
        "Debrief",
        (
            ("Tab, ↑ ↓, Enter", "rewind: play on from before that timeline decision"),
            ("r", "replay from the start"),
            ("s or Esc", "try another scenario"),
        ),
    ),
    (
        "Anywhere",
        (
            ("?  or F1", "this help"),
            ("Ctrl+P", "command palette: every action by name"),
            ("F2", "switch between the light and dark theme"),
            ("Ctrl+Q", "quit (progress is saved after every choice)"),
        ),
    ),
)

HOW = (
    "Every choice moves three meters from 0 to 100: Safety (can people speak up?), "
    "Standards (is the bar high?) and Trust (do they believe you?). After each choice you see "
    "what changed and why, and the leadership principle behind it. Safety and Standards together "
    "place your team in one of four zones; aim for the learning zone, where both are 50 or more."
)

REWARDS = (
    "Finished runs earn XP and achievements for finding new endings, practising principles and beating "
    "your own best, never for repeating a run. They are kept with your results, so they follow you "
    "wherever you play under the same identity. In a room, the facilitator may set shared goals that "
    "everyone works towards together: they count runs and players, never name anyone, and there is no "
    "individual leaderboard."
)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,f1,q", "dismiss", "Close", key_display="Esc")
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog"):
            yield Static(Text("Help", style="bold"), classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(Text(HOW), id="help-how")
                yield Static(Text(REWARDS), id="help-rewards")
                yield Static(self._zones(), id="help-zones")
                yield Static(self._keys(), id="help-keys")
            yield Static(Text("Esc to close", style="italic"), classes="dialog-hint")

    def _zones(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="bold")
        table.add_column()
        for zone in Zone:
            table.add_row(zone_title(zone), zone.description)
        return table

    def _keys(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="bold")
        table.add_column()
        for section, keys in KEYS:
            table.add_row("", "")
            table.add_row(Text(section, style="bold underline"), "")
            for key, what in keys:
                table.add_row(key, what)
        return table
