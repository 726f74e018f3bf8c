"""The safety × standards map: four labelled zones and the run's path drawn across them.

Standards run left to right and safety bottom to top, as in the usual drawing of the four zones.
The middle lines sit at 50, the threshold `scoring.zones` uses: a meter at 50 or above counts as high,
so it is drawn on the high side of the line.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from game.widgets.zone_grid import Grid
from scoring import Meters, Zone

START, END, DOT = "○", "●", "·"
MIN_WIDTH, MIN_HEIGHT = 24, 9


def _line(start: tuple[int, int], end: tuple[int, int]) -> list[tuple[int, int]]:
    """Cells from start to end (Bresenham), both ends included."""
    (r0, c0), (r1, c1) = start, end
    cells = []
    dr, dc = abs(r1 - r0), -abs(c1 - c0)
    sr, sc = (1 if r0 < r1 else -1), (1 if c0 < c1 else -1)
    error = dr + dc
    while True:
        cells.append((r0, c0))
        if (r0, c0) == (r1, c1):
            return cells
        double = 2 * error
        if double >= dc:
            error += dc
            r0 += sr
        if double <= dr:
            error += dr
            c0 += sc


class ZoneMap(Widget):
    """Draws `path` (meters at the start and after each decision) over the four zones."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "zone-map--learning",
        "zone-map--comfort",
        "zone-map--anxiety",
        "zone-map--apathy",
        "zone-map--frame",
        "zone-map--label",
        "zone-map--path",
        "zone-map--point",
        "zone-map--end",
    }

    path: reactive[tuple[Meters, ...]] = reactive(tuple)

    def __init__(self, *, end_word: str = "end", id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.legend = f"{START} start  1-9 decisions  {END} {end_word}"

    def show(self, path: Sequence[Meters]) -> None:
        self.path = tuple(path)

    def render(self) -> Text:
        width, height = self.size.width, self.size.height
        if width < MIN_WIDTH or height < MIN_HEIGHT:
            return Text("(the zone map needs more room)")
        # Rows: axis title, frame top, plot, frame bottom, axis title; columns: frame, plot, frame.
        grid = Grid(half_width=(width - 3) // 2, half_height=(height - 5) // 2)
        cells = self._plot(grid)
        frame = self.get_component_rich_style("zone-map--frame")
        rows = [Text("▲ Safety", style=frame), self._border(grid, "┌", "┬", "┐", frame)]
        for r in range(grid.height):
            row = Text()
            row.append("├" if r == grid.half_height else "│", style=frame)
            for c in range(grid.width):
                char, style = cells[r][c]
                row.append(char, style=style)
            row.append("┤" if r == grid.half_height else "│", style=frame)
            rows.append(row)
        rows.append(self._border(grid, "└", "┴", "┘", frame))
        footer = Text(self.legend, style=frame)
        title = "Standards ▶"
        gap = grid.width + 2 - footer.cell_len - len(title)
        if gap < 1:
            footer = Text()
            gap = grid.width + 2 - len(title)
        footer.append(" " * gap + title, style=frame)
        rows.append(footer)
        return Text("\n").join(rows)

    def _border(self, grid: Grid, left: str, middle: str, right: str, style: Style) -> Text:
        line = "─" * grid.half_width
        return Text(f"{left}{line}{middle}{line}{right}", style=style)

    def _plot(self, grid: Grid) -> list[list[tuple[str, Style]]]:
        zone_styles = {zone: self.get_component_rich_style(f"zone-map--{zone.value}") for zone in Zone}
        frame = self.get_component_rich_style("zone-map--frame")
        cells: list[list[tuple[str, Style]]] = []
        for r in range(grid.height):
            row = []
            for c in range(grid.width):
                zone = grid.zone_at(r, c)
                if zone is None:
                    char = (
                        "┼"
                        if (r == grid.half_height and c == grid.half_width)
                        else ("─" if r == grid.half_height else "│")
                    )
                    row.append((char, frame))
                else:
                    row.append((" ", zone_styles[zone]))
            cells.append(row)
        self._label(cells, grid, zone_styles)
        self._draw_path(cells, grid)
        return cells

    def _label(
        self, cells: list[list[tuple[str, Style]]], grid: Grid, zone_styles: dict[Zone, Style]
    ) -> None:
        label = self.get_component_rich_style("zone-map--label", partial=True)
        last = grid.height - 1
        right_edge = grid.width - 1
        places = {
            Zone.COMFORT: (0, 1, False),
            Zone.LEARNING: (0, right_edge - 1, True),
            Zone.APATHY: (last, 1, False),
            Zone.ANXIETY: (last, right_edge - 1, True),
        }
        for zone, (row, column, from_right) in places.items():
            word = zone.value.upper()[: grid.half_width - 2]
            start = column - len(word) + 1 if from_right else column
            for offset, char in enumerate(word):
                cells[row][start + offset] = (char, zone_styles[zone] + label)

    def _draw_path(self, cells: list[list[tuple[str, Style]]], grid: Grid) -> None:
        if not self.path:
            return
        points = [(grid.row(m.safety), grid.column(m.standards)) for m in self.path]
        path_style = self.get_component_rich_style("zone-map--path", partial=True)

        def put(cell: tuple[int, int], char: str, style: Style) -> None:
            r, c = cell
            base = grid.zone_at(r, c)
            background = cells[r][c][1] if base is not None else Style()
            cells[r][c] = (char, background + style)

        for start, end in pairwise(points):
            for cell in _line(start, end)[1:-1]:
                if cells[cell[0]][cell[1]][0] == " ":
                    put(cell, DOT, path_style)
        point = self.get_component_rich_style("zone-map--point", partial=True)
        for number, cell in enumerate(points[1:-1], start=1):
            put(cell, str(number % 10), point)
        put(points[0], START, point)
        put(points[-1], END, self.get_component_rich_style("zone-map--end", partial=True))
