"""One decision explained: each meter before → after, the author's why, the principle and any notes.

`ExplanationPanel` is where the play screen shows it, in place of the story: swapping one panel in is a
fraction of the render work of pushing a screen, which matters when one server runs a whole room.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Static

from game.text import printable
from game.widgets.labelled import LabelledView, Row
from game.widgets.symbols import change_class, change_text
from scoring import Explanation


class ExplanationView(LabelledView):
    """Renders an `Explanation` after the player's choice; all text is shown literally, never as markup."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "explanation-view--gain",
        "explanation-view--loss",
        "explanation-view--same",
        "explanation-view--heading",
        "explanation-view--muted",
    }
    LABEL_COMPONENT = "explanation-view--heading"

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
        self.relayout()

    def rows(self) -> list[Row]:
        explanation = self.explanation
        if explanation is None:
            return []
        style = self.get_component_rich_style
        muted = style("explanation-view--muted")
        chose = "The timer chose" if self.timed_out else "You chose"
        rows: list[Row] = [(chose, Text(printable(self.choice_text), style="italic")), None]
        if explanation.changes:
            name_width = max(len(change.meter) for change in explanation.changes)
            meters = Text("\n").join(
                Text.assemble(
                    f"{change.meter.capitalize():<{name_width}}  {change.before:>3} → {change.after:<3} ",
                    (change_text(change), style(f"explanation-view--{change_class(change.applied)}")),
                )
                for change in explanation.changes
            )
            rows.append(("Meters", meters))
        else:
            rows.append(("Meters", Text("No meter moved.", style=muted)))
        if explanation.why:
            rows += [None, ("Why", Text(printable(explanation.why)))]
        if explanation.principle is not None:
            principle = explanation.principle
            words = Text.assemble((principle.name, "bold"), "\n", (principle.rationale, muted))
            rows += [None, ("Principle", words)]
        if explanation.notes:
            rows.append(None)
        rows += [("Note", Text(printable(note))) for note in explanation.notes]
        return rows


class ExplanationPanel(VerticalScroll, can_focus=False):
    """The explanation with its heading and a Continue button. Focus stays on the choices: the play screen
    scrolls this with ↑↓ and PageUp/PageDown while it is shown."""

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
