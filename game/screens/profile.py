"""The player's profile: level and XP, what the next level needs, and how they handle each principle."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from game.screens.record import RecordScreen
from game.text import printable
from game.widgets.key_footer import KeyFooter
from game.widgets.mastery import MasteryChart, bar_text, rate_text

if TYPE_CHECKING:
    from game.roomreport import Standing
    from scoring.mastery import PrincipleMastery

READING = "Reading your record…"
LEVEL_BAR_WIDTH = 30
MASTERY_HINT = (
    "How often you took the choice that practises each principle when one was on offer (taken / offered)."
)


class ProfileScreen(RecordScreen):
    AUTO_FOCUS = "#profile-body"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("t", "app.trophies", "Trophies"),
        Binding("question_mark", "app.help", "Help", key_display="?"),
    ]

    def __init__(self, name: str | None, load: Callable[[], Standing]) -> None:
        """`load` reads the player's record; it runs on a worker thread."""
        super().__init__(load)
        self.player_name = name

    def compose(self) -> ComposeResult:
        title = Text.assemble(("Your profile", "bold"))
        if self.player_name:
            title.append(f"  ·  {printable(self.player_name)}")
        yield Static(title, id="profile-head")
        with VerticalScroll(id="profile-body"):
            yield Static(Text(READING, style="italic"), id="profile-level")
            yield Static(Text("Principle mastery", style="bold"), classes="profile-section")
            yield Static(id="profile-summary")
            yield Static(Text(MASTERY_HINT), classes="profile-hint")
            yield MasteryChart(id="mastery-chart")
        yield KeyFooter()

    def show_standing(self, standing: Standing) -> None:
        self.query_one("#profile-level", Static).update(self._level(standing))
        self.query_one(MasteryChart).show(standing.mastery)
        self.query_one("#profile-summary", Static).update(self._summary(standing))

    def _level(self, standing: Standing) -> RenderableType:
        progress = standing.progress
        head = Text.assemble(
            (f"Level {progress.level} · {progress.level_name}", "bold"), f"   {progress.xp} XP"
        )
        parts: list[RenderableType] = [head, Text(progress.meaning, style="italic")]
        if progress.into_level is not None:
            into, span = progress.into_level
            meter = bar_text(into / span, self._style("bar"), self._style("track"), LEVEL_BAR_WIDTH)
            meter.append(f"  {into} of {span} XP towards {progress.next_level_name}")
            parts.append(meter)
        parts.append(Text(progress.needs))
        if standing.problem:
            parts.append(Text(f"⚠ Your record could not be read: {printable(standing.problem)}"))
        if not progress.runs:
            parts.append(Text("No finished runs yet: play a scenario, and your level and mastery grow here."))
        return Group(*parts)

    def _summary(self, standing: Standing) -> RenderableType:
        summary = standing.summary
        table = Table.grid(padding=(0, 2, 0, 0), expand=True)
        table.add_column(no_wrap=True, style="bold")
        table.add_column(ratio=1)
        if summary.strongest:
            table.add_row("Strongest", self._named(summary.strongest))
        if summary.to_work_on:
            table.add_row("To work on", self._to_work_on(standing, summary.to_work_on))
        if summary.not_met:
            table.add_row("Not met yet", Text(" · ".join(row.name for row in summary.not_met)))
        if not table.rows:
            table.add_row("", Text("Finish a few runs and your strongest principles are named here."))
        return table

    def _named(self, rows: Sequence[PrincipleMastery]) -> Text:
        return Text(" · ".join(f"{row.name} {rate_text(row)}" for row in rows))

    def _to_work_on(self, standing: Standing, rows: Sequence[PrincipleMastery]) -> Text:
        lines = []
        for row in rows:
            line = f"{row.name} {rate_text(row)}"
            title = standing.title_of(row.trained_by)
            if title is not None:
                line += f": practise it in {printable(title)}"
            lines.append(line)
        return Text("\n".join(lines))

    def _style(self, name: str) -> Style:
        return self.query_one(MasteryChart).get_component_rich_style(f"mastery-chart--{name}")
