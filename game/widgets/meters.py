"""The meters panel: one bar per meter with its value and latest change, and the zone the team is in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widget import Widget

from game.widgets.symbols import arrow, change_class, zone_title
from scoring import METER_NAMES, MeterChange, Meters, Zone, zone_of
from scoring.meters import METER_MAX


class MeterBar(Widget):
    """`Safety      51  ▲ +6` over a bar filled to the value."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "meter-bar--fill",
        "meter-bar--empty",
        "meter-bar--gain",
        "meter-bar--loss",
        "meter-bar--same",
        "meter-bar--name",
    }

    value: reactive[int] = reactive(0)
    change: reactive[int | None] = reactive(None)

    def __init__(self, meter: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.meter = meter

    def render(self) -> Text:
        width = max(self.size.width, 10)
        name = Text(self.meter.capitalize(), style=self.get_component_rich_style("meter-bar--name"))
        figures = Text(f"{self.value:>3}")
        if self.change is not None:
            style = self.get_component_rich_style(f"meter-bar--{change_class(self.change)}")
            figures.append(f"  {arrow(self.change)}", style=style)
        gap = max(1, width - name.cell_len - figures.cell_len)
        top = Text.assemble(name, " " * gap, figures)
        filled = round(self.value * width / METER_MAX)
        bar = Text.assemble(
            ("█" * filled, self.get_component_rich_style("meter-bar--fill")),
            ("░" * (width - filled), self.get_component_rich_style("meter-bar--empty")),
        )
        return Text("\n").join([top, bar])


class ZoneBadge(Widget):
    """The current zone in words, with a CSS class per zone for its colour."""

    zone: reactive[Zone | None] = reactive(None)

    def watch_zone(self, old: Zone | None, new: Zone | None) -> None:
        if old is not None:
            self.remove_class(f"-{old.value}")
        if new is not None:
            self.add_class(f"-{new.value}")

    def render(self) -> Text:
        if self.zone is None:
            return Text("")
        title = Text(zone_title(self.zone), style="bold")
        # Given one line (a short terminal), the badge keeps the zone's name and drops its description.
        if self.size.height == 1:
            return title
        return Text.assemble(title, "\n", (self.zone.description, "italic"))


class MetersPanel(Vertical):
    """Three meter bars and the zone badge; `show` updates them from the engine's values."""

    def compose(self) -> ComposeResult:
        for meter in METER_NAMES:
            yield MeterBar(meter, id=f"meter-{meter}")
        yield ZoneBadge()

    def show(self, meters: Meters, changes: Iterable[MeterChange] = ()) -> None:
        applied: dict[str, int] = {change.meter: change.applied for change in changes}
        for bar in self.query(MeterBar):
            bar.value = meters.as_dict()[bar.meter]
            bar.change = applied.get(bar.meter)
        self.query_one(ZoneBadge).zone = zone_of(meters)
