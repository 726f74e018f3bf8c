"""Every decision of a finished run, in order, each with a button to rewind to just before it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button

from game.text import printable
from game.widgets.symbols import arrow, change_class
from scoring import DecisionRecord


class DecisionText(Widget):
    """The words of one decision: scene, choice, what moved (▲/▼ as well as colour), principle, why."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "decision-text--gain",
        "decision-text--loss",
        "decision-text--same",
        "decision-text--muted",
    }

    def __init__(self, number: int, record: DecisionRecord) -> None:
        super().__init__()
        self.number, self.record = number, record

    def render(self) -> Text:
        record, explanation = self.record, self.record.explanation
        muted = self.get_component_rich_style("decision-text--muted")
        text = Text.assemble((f"{self.number}. {printable(record.scene_title)}", "bold"))
        if record.timed_out:
            text.append("  ◷ the timer chose", style=muted)
        text.append(f"\n{printable(record.choice_text)}\n")
        for n, change in enumerate(explanation.changes):
            style = self.get_component_rich_style(f"decision-text--{change_class(change.applied)}")
            text.append(" · " if n else "")
            text.append(f"{change.meter.capitalize()} {arrow(change.applied)}", style=style)
        if not explanation.changes:
            text.append("No meter moved", style=muted)
        if explanation.principle is not None:
            text.append(f" · {explanation.principle.name}", style=muted)
        if explanation.why:
            text.append(f"\n{printable(explanation.why)}", style=muted)
        return text


class DecisionCard(Horizontal):
    """One decision and its rewind button."""

    def __init__(self, index: int, record: DecisionRecord) -> None:
        super().__init__(classes="decision")
        self.index, self.record = index, record

    def compose(self) -> ComposeResult:
        yield DecisionText(self.index + 1, self.record)
        yield Button(
            "↺ Rewind",
            id=f"rewind-{self.index}",
            classes="rewind",
            compact=True,
            tooltip="Play on from just before this decision, as a new run",
        )


class Timeline(Vertical):
    """Posts `RewindRequested` when a decision's button is pressed (Tab or ↑↓ to it, then Enter)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "step(-1)", "Earlier", show=False),
        Binding("down", "step(1)", "Later", show=False),
    ]

    class RewindRequested(Message):
        """Play on from just before decision `index` (0-based)."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, records: Sequence[DecisionRecord], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.records = list(records)

    def compose(self) -> ComposeResult:
        for index, record in enumerate(self.records):
            yield DecisionCard(index, record)

    def action_step(self, direction: int) -> None:
        buttons = list(self.query(Button))
        focused = self.screen.focused
        if not isinstance(focused, Button) or focused not in buttons:
            return
        index = buttons.index(focused) + direction
        if 0 <= index < len(buttons):
            buttons[index].focus()

    @on(Button.Pressed, ".rewind")
    def _rewind(self, event: Button.Pressed) -> None:
        event.stop()
        card = event.button.parent
        if isinstance(card, DecisionCard):
            self.post_message(self.RewindRequested(card.index))
