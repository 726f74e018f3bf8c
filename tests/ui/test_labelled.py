"""Label-and-words rows as one Text: the words wrap beside the widest label and every line fits."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.app import App, ComposeResult

from game.widgets.labelled import LabelledView, Row, labelled

CONSOLE = Console(width=200)


def test_words_wrap_beside_a_column_as_wide_as_the_widest_label() -> None:
    rows = [("Why", Text("one two three four five six")), None, ("Principle", Text("seven"))]
    lines = labelled(rows, 25, CONSOLE).plain.split("\n")
    assert lines == [
        "Why        one two three",
        "           four five six",
        "",
        "Principle  seven",
    ]
    assert all(len(line) <= 25 for line in lines)


def test_line_breaks_in_the_words_are_kept() -> None:
    rows = [("Meters", Text("Safety 50 → 40\nTrust 50 → 44"))]
    assert labelled(rows, 40, CONSOLE).plain.split("\n") == [
        "Meters  Safety 50 → 40",
        "        Trust 50 → 44",
    ]


def test_too_narrow_for_two_columns_puts_the_label_above() -> None:
    rows = [("Principle", Text("Specific, timely feedback"))]
    lines = labelled(rows, 16, CONSOLE).plain.split("\n")
    assert lines[0] == "Principle" and lines[1:] == ["Specific, timely", "feedback"]


def test_the_words_keep_their_styles_and_the_label_takes_its_own() -> None:
    text = labelled([("Why", Text("because", style="italic"))], 30, CONSOLE, label_style="bold")
    styles = {text.plain[span.start : span.end]: str(span.style) for span in text.spans}
    assert styles["Why"] == "bold" and styles["because"] == "italic"


class Headed(LabelledView):
    DEFAULT_CSS = "Headed { height: auto; } Headed > .headed--label { color: $primary; }"
    COMPONENT_CLASSES: ClassVar[set[str]] = {"headed--label"}
    LABEL_COMPONENT = "headed--label"

    def rows(self) -> list[Row]:
        return [("Why", Text("because the words wrap beside the label"))]


class OneView(App[None]):
    def compose(self) -> ComposeResult:
        yield Headed()


def label_colour(view: LabelledView) -> str | None:
    (label, *_) = [span for span in view.render().spans if span.start == 0]
    style = label.style
    assert isinstance(style, Style) and style.color is not None
    return style.color.name


async def test_a_view_is_measured_at_its_width_and_redrawn_in_a_new_theme() -> None:
    app = OneView()
    async with app.run_test(size=(30, 6)) as pilot:
        app.theme = "textual-dark"
        await pilot.pause()
        view = app.query_one(Headed)
        assert view.size.height == 2  # 39 characters of words in the 25 left beside the label
        dark = label_colour(view)
        app.theme = "textual-light"
        await pilot.pause()
        assert label_colour(view) != dark
