"""Rows of a label and its words, as one Rich Text: the words wrapped beside the label, the label column
as wide as its widest label.

What `Table.grid` draws, at a twentieth of the cost: a table measures every cell each time it is
rendered, and a widget's content is rendered to measure its height as well as to draw it. The
explanation is drawn after every decision of every player in a room.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.style import Style
from rich.text import Text

Row = tuple[str, Text] | None
"""A label and its words (which may hold line breaks); None is a blank line."""


def labelled(
    rows: Sequence[Row], width: int, console: Console, *, label_style: Style | str = "", gap: int = 2
) -> Text:
    """`rows` laid out in `width` cells; every line fits, so nothing wraps it again."""
    labels = [row[0] for row in rows if row is not None]
    label_width = max((Text(label).cell_len for label in labels), default=0) + gap
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
            lines.append(Text.assemble((lead, label_style), " " * (label_width - Text(lead).cell_len), line))
    text = Text("\n").join(lines)
    text.no_wrap = True
    return text
