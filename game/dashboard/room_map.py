"""The room on the safety × standards map: the four zones, labelled, and a mark where each player stands.

Drawn like the player's own zone map (standards left to right, safety bottom to top, the middle lines at
the zone threshold, a meter at the threshold on the high side) so the two pictures read the same way.
Where several players share a cell the cell shows how many.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from game.roomreport import Player
from game.widgets.zone_grid import Grid
from scoring import Zone

PLAYING, FINISHED, MANY = "○", "●", "+"
LEGEND = f"{PLAYING} playing {FINISHED} finished 2-9 several"
MIN_WIDTH, MIN_HEIGHT = 24, 9


def mark(players: int, finished: int) -> str:
    """One player: open or filled by whether they have finished; several: how many (+ for ten or more)."""
    if players == 1:
        return FINISHED if finished else PLAYING
    return str(players) if players < 10 else MANY


class RoomMap(Widget):
    """The four zones with a mark per player at their current (or final) meters."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "room-map--learning",
        "room-map--comfort",
        "room-map--anxiety",
        "room-map--apathy",
        "room-map--frame",
        "room-map--label",
        "room-map--mark",
        "room-map--many",
    }

    players: reactive[tuple[Player, ...]] = reactive(tuple)
    zones: reactive[Mapping[Zone, int]] = reactive(dict)

    def render(self) -> Text:
        width, height = self.size.width, self.size.height
        if width < MIN_WIDTH or height < MIN_HEIGHT:
            return Text("(the map needs more room)")
        # Rows: axis title, frame top, plot, frame bottom, legend; columns: frame, plot, frame.
        plot = Grid(half_width=(width - 3) // 2, half_height=(height - 5) // 2)
        frame = self.get_component_rich_style("room-map--frame")
        cells = self._cells(plot, frame)
        line = "─" * plot.half_width
        rows = [self._edge("▲ Safety", LEGEND, plot.width + 2, frame), Text(f"┌{line}┬{line}┐", style=frame)]
        for r, row_cells in enumerate(cells):
            side = "├" if r == plot.half_height else "│"
            row = Text(side, style=frame)
            for char, style in row_cells:
                row.append(char, style=style)
            row.append("┤" if r == plot.half_height else "│", style=frame)
            rows.append(row)
        rows.append(Text(f"└{line}┴{line}┘", style=frame))
        rows.append(self._edge("", "Standards ▶", plot.width + 2, frame))
        return Text("\n").join(rows)

    def _edge(self, left: str, right: str, width: int, style: Style) -> Text:
        """A line above or below the frame: `left` and `right` at its ends, `right` dropped when too long."""
        if len(left) + len(right) + 1 > width:
            right = ""
        return Text(left + " " * (width - len(left) - len(right)) + right, style=style)

    def _cells(self, plot: Grid, frame: Style) -> list[list[tuple[str, Style]]]:
        zones = {zone: self.get_component_rich_style(f"room-map--{zone.value}") for zone in Zone}
        cells: list[list[tuple[str, Style]]] = []
        for r in range(plot.height):
            row = []
            for c in range(plot.width):
                zone = plot.zone_at(r, c)
                if zone is not None:
                    row.append((" ", zones[zone]))
                elif r == plot.half_height and c == plot.half_width:
                    row.append(("┼", frame))
                else:
                    row.append(("─" if r == plot.half_height else "│", frame))
            cells.append(row)
        self._label(cells, plot, zones)
        self._mark(cells, plot, zones)
        return cells

    def _label(self, cells: list[list[tuple[str, Style]]], plot: Grid, zones: dict[Zone, Style]) -> None:
        label = self.get_component_rich_style("room-map--label", partial=True)
        last, right = plot.height - 1, plot.width - 2
        places = {
            Zone.COMFORT: (0, 1, False),
            Zone.LEARNING: (0, right, True),
            Zone.APATHY: (last, 1, False),
            Zone.ANXIETY: (last, right, True),
        }
        for zone, (row, column, from_right) in places.items():
            word = f"{zone.value.upper()} {self.zones.get(zone, 0)}"[: max(0, plot.half_width - 2)]
            first = column - len(word) + 1 if from_right else column
            for offset, char in enumerate(word):
                cells[row][first + offset] = (char, zones[zone] + label)

    def _mark(self, cells: list[list[tuple[str, Style]]], plot: Grid, zones: dict[Zone, Style]) -> None:
        placed = Counter(plot.cell(p.meters) for p in self.players)
        finished = Counter(plot.cell(p.meters) for p in self.players if p.finished)
        single = self.get_component_rich_style("room-map--mark", partial=True)
        many = self.get_component_rich_style("room-map--many", partial=True)
        for (r, c), count in placed.items():
            zone = plot.zone_at(r, c)
            background = zones[zone] if zone is not None else Style()
            cells[r][c] = (mark(count, finished[(r, c)]), background + (single if count == 1 else many))

    def show(self, players: Sequence[Player], zones: Mapping[Zone, int]) -> None:
        """Mark `players` on the map, and label each zone with its count from `zones`."""
        self.players = tuple(players)
        self.zones = dict(zones)
