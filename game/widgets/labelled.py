"""Rows of a label and its words, as one Rich Text: the words wrapped beside the label, the label column
as wide as its widest label.

What `Table.grid` draws, at a twentieth of the cost: a table measures every cell each time it is
rendered, and a widget's content is rendered to measure its height as well as to draw it. The
explanation is drawn after every decision of every player in a room.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

Row = tuple[str, Text] | None
"""A label and its words (which may hold line breaks); None is a blank line."""


def labelled(
    rows: Sequence[Row], width: int, console: Console, *, label_style: Style | str = "", gap: int = 2
) -> Text:
    """`rows` laid out in `width` cells; every line fits, so nothing wraps it again."""
    labels = [row[0] for row in rows if row is not None]
    label_width = max(map(cell_len, labels), default=0) + gap
    words_width = width - label_width
    lines: list[Text] = []
    for row in rows:
        if row is None:
            lines.append(Text())
            continue
        label, words = row
        if words_width < 10:
            # Too narrow for two columns: the label above its words.
            lines.append(Text(label, style=label_style))
            for line in words.wrap(console, max(width, 1)):
                line.rstrip()
                lines.append(line)
            continue
        for n, line in enumerate(words.wrap(console, words_width)):
            lead = label if n == 0 else ""
            line.rstrip()
            lines.append(Text.assemble((lead, label_style), " " * (label_width - cell_len(lead)), line))
    text = Text("\n").join(lines)
    text.no_wrap = True
    return text


class LabelledView(Widget):
    """A widget drawn as `rows()`: laid out at exactly the width it is given, so measuring its height is
    drawing it, once per width and content. Call `relayout` when what `rows` returns has changed."""

    LABEL_COMPONENT: ClassVar[str] = ""
    """The component class the labels are styled with."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._drawn: tuple[int, Text] | None = None

    def rows(self) -> Sequence[Row]:
        raise NotImplementedError

    def relayout(self) -> None:
        self._drawn = None
        self.refresh(layout=True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._drawn = None  # a new theme: the same words in other colours

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._text(width).plain.split("\n"))

    def render(self) -> Text:
        return self._text(self.size.width)

    def label_style(self) -> Style | str:
        return self.get_component_rich_style(self.LABEL_COMPONENT) if self.LABEL_COMPONENT else "bold"

    def _text(self, width: int) -> Text:
        if self._drawn is None or self._drawn[0] != width:
            rows = self.rows()
            self._drawn = (width, labelled(rows, width, self.app.console, label_style=self.label_style()))
        return self._drawn[1]


class LabelledRows(LabelledView):
    """Rows given when made, with bold labels."""

    def __init__(self, rows: Sequence[Row], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows = list(rows)

    def rows(self) -> Sequence[Row]:
        return self._rows
