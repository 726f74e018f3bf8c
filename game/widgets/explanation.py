"""One decision explained: each meter before → after, the author's why, the principle and any notes.

`ExplanationPanel` is where the play screen shows it, in place of the story: swapping one panel in is a
fraction of the render work of pushing a screen, which matters when one server runs a whole room.
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Static

from game.text import printable
from game.widgets.symbols import change_class, change_text
from scoring import Explanation


class ExplanationView(Widget):
    """Renders an `Explanation` after the player's choice; all text is shown literally, never as markup."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "explanation-view--gain",
        "explanation-view--loss",
        "explanation-view--same",
        "explanation-view--heading",
        "explanation-view--muted",
    }

    def __init__(
        self,
        choice_text: str = "",
        explanation: Explanation | None = None,
        *,
        timed_out: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.choice_text = choice_text
        self.explanation = explanation
        self.timed_out = timed_out

    def show(self, choice_text: str, explanation: Explanation, *, timed_out: bool = False) -> None:
        self.choice_text, self.explanation, self.timed_out = choice_text, explanation, timed_out
        self.refresh(layout=True)

    def render(self) -> Table | Text:
        if self.explanation is None:
            return Text()
        heading = self.get_component_rich_style("explanation-view--heading")
        muted = self.get_component_rich_style("explanation-view--muted")
        table = Table.grid(padding=(0, 2), expand=True)
        table.add_column(style=heading, no_wrap=True)
        table.add_column(ratio=1)
        chose = "The timer chose" if self.timed_out else "You chose"
        table.add_row(chose, Text(printable(self.choice_text), style="italic"))
        table.add_row()
        explanation = self.explanation
        if explanation.changes:
            changes = Table.grid(padding=(0, 1))
            for change in explanation.changes:
                style = self.get_component_rich_style(f"explanation-view--{change_class(change.applied)}")
                changes.add_row(
                    change.meter.capitalize(),
                    Text(f"{change.before:>3} → {change.after:<3}"),
                    Text(change_text(change), style=style),
                )
            table.add_row("Meters", changes)
        else:
            table.add_row("Meters", Text("No meter moved.", style=muted))
        if explanation.why:
            table.add_row()
            table.add_row("Why", Text(printable(explanation.why)))
        if explanation.principle is not None:
            principle = explanation.principle
            table.add_row()
            table.add_row(
                "Principle",
                Text.assemble((principle.name, "bold"), "\n", (principle.rationale, muted)),
            )
        if explanation.notes:
            table.add_row()
        for note in explanation.notes:
            table.add_row("Note", Text(printable(note)))
        return table


class ExplanationPanel(VerticalScroll, can_focus=True):
    """The explanation with its heading and a Continue button; focused, it scrolls with the arrow keys."""

    def compose(self) -> ComposeResult:
        yield Static(id="explanation-title", classes="dialog-title")
        yield ExplanationView()
        with Horizontal(classes="dialog-buttons"):
            yield Button("Continue ▸", id="continue", variant="primary", compact=True)

    def show(self, choice_text: str, explanation: Explanation, *, timed_out: bool = False) -> None:
        title = "◷ Time ran out" if timed_out else "What your choice did"
        self.query_one("#explanation-title", Static).update(Text(title, style="bold"))
        self.query_one(ExplanationView).show(choice_text, explanation, timed_out=timed_out)
        self.scroll_home(animate=False)
