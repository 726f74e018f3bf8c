"""Trophies: every achievement, the ones the player has earned and the ones still to earn."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from game.screens.record import RecordScreen
from game.text import printable
from game.widgets.achievements import AchievementList
from game.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from game.roomreport import Standing

READING = "reading your record…"


class TrophyScreen(RecordScreen):
    AUTO_FOCUS = "#trophies-body"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("p", "app.profile", "Profile"),
        Binding("question_mark", "app.help", "Help", key_display="?"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(self._headline(), id="trophies-head")
        with VerticalScroll(id="trophies-body"):
            yield AchievementList(id="trophy-list")
        yield KeyFooter()

    def show_standing(self, standing: Standing) -> None:
        self.query_one(AchievementList).show(standing.trophies, standing.title_of)
        self.query_one("#trophies-head", Static).update(self._headline())

    def _headline(self) -> Text:
        line = Text.assemble(("Trophies", "bold"))
        standing = self.standing
        if standing is None:
            line.append(f"  {READING}", style="italic")
            return line
        progress = standing.progress
        line.append(f"  {standing.earned} of {len(standing.trophies)} earned")
        line.append(f"  ·  Level {progress.level} · {progress.level_name}, {progress.xp} XP")
        if standing.problem:
            line.append(f"\n⚠ Your record could not be read: {printable(standing.problem)}")
        return line
