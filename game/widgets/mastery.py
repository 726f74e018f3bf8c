"""Principle mastery as a chart: one bar per principle, its rate, and how often it was taken of offered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

if TYPE_CHECKING:
    from scoring.mastery import PrincipleMastery

BAR_WIDTH = 20
BAR, HALF_BAR, TRACK = "━", "╸", "─"
NAME_WIDTH = 41
"""The longest principle name the chart shows whole (a longer one ends in an ellipsis)."""


def bar(fraction: float, width: int = BAR_WIDTH) -> tuple[str, str]:
    """A bar in half cells, as a heavy line on a light track: (the filled part, the rest), `width` cells."""
    halves = round(max(0.0, min(1.0, fraction)) * width * 2)
    filled = BAR * (halves // 2) + HALF_BAR * (halves % 2)
    return filled, TRACK * (width - len(filled))


def bar_text(fraction: float, fill: Style, track: Style, width: int = BAR_WIDTH) -> Text:
    filled, rest = bar(fraction, width)
    return Text.assemble((filled, fill), (rest, track))


def rate_text(row: PrincipleMastery) -> str:
    """`67%`, or `–` for a principle never offered."""
    return "–" if row.rate is None else f"{round(100 * row.rate)}%"


class MasteryChart(Widget):
    """One row per principle, in catalogue order: name, bar, rate, taken/offered."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "mastery-chart--bar",
        "mastery-chart--track",
        "mastery-chart--dim",
    }

    rows: reactive[tuple[PrincipleMastery, ...]] = reactive((), layout=True)

    def show(self, rows: Sequence[PrincipleMastery]) -> None:
        self.rows = tuple(rows)

    def render(self) -> Table:
        style = self.get_component_rich_style
        fill, track, dim = (
            style("mastery-chart--bar"),
            style("mastery-chart--track"),
            style("mastery-chart--dim"),
        )
        table = Table.grid(padding=(0, 1, 0, 0))
        table.add_column(no_wrap=True, max_width=NAME_WIDTH, overflow="ellipsis")
        table.add_column(no_wrap=True, width=BAR_WIDTH)
        table.add_column(no_wrap=True, justify="right", width=4)
        table.add_column(no_wrap=True, justify="right")
        for row in self.rows:
            counts = Text(f"{row.taken}/{row.offered}")
            if row.rate is None:
                table.add_row(
                    Text(row.name, style=dim), Text("not offered yet", style=dim), Text("–", style=dim), ""
                )
                continue
            table.add_row(Text(row.name), bar_text(row.rate, fill, track), Text(rate_text(row)), counts)
        return table
