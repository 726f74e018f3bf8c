"""Every decision of a finished run, in order; choosing one rewinds to just before it.

One option list rather than a card, text and button per decision: the debrief is the screen a whole room
reaches within a minute, and each widget on it is styled and laid out again at every pass.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from game.text import printable
from game.widgets.symbols import arrow, change_class
from scoring import DecisionRecord

CHANGE_STYLES = {"gain": "$text-success", "loss": "$text-error", "same": "$foreground-muted"}
MUTED = "$foreground-muted"
TITLE = "Timeline · Tab here, ↑↓ to a decision"
REWIND = "↺ Enter: play on from just before it, as a new run"


def decision_prompt(number: int, record: DecisionRecord) -> Content:
    """Scene, choice, what moved (▲/▼ as well as colour), principle and why; player text stays literal."""
    explanation = record.explanation
    parts: list[str | tuple[str, str]] = [(f"{number}. {printable(record.scene_title)}", "bold")]
    if record.timed_out:
        parts.append(("  ◷ the timer chose", MUTED))
    parts.append(f"\n{printable(record.choice_text)}\n")
    for n, change in enumerate(explanation.changes):
        parts.append(" · " if n else "")
        parts.append(
            (
                f"{change.meter.capitalize()} {arrow(change.applied)}",
                CHANGE_STYLES[change_class(change.applied)],
            )
        )
    if not explanation.changes:
        parts.append(("No meter moved", MUTED))
    if explanation.principle is not None:
        parts.append((f" · {explanation.principle.name}", MUTED))
    if explanation.why:
        parts.append((f"\n{printable(explanation.why)}", MUTED))
    return Content.assemble(*parts)


class Timeline(OptionList):
    """Posts `RewindRequested` when a decision is chosen (↑↓ to it and Enter, or a click)."""

    class RewindRequested(Message):
        """Play on from just before decision `index` (0-based)."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, records: Sequence[DecisionRecord], *, id: str | None = None) -> None:
        options: list[Option | None] = []
        for index, record in enumerate(records):
            if index:
                options.append(None)  # a rule between decisions
            options.append(Option(decision_prompt(index + 1, record)))
        super().__init__(*options, id=id)
        self.border_title, self.border_subtitle = TITLE, REWIND

    @on(OptionList.OptionSelected)
    def _rewind(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        # The rules between decisions are not options: an option's index is its decision's.
        self.post_message(self.RewindRequested(event.option_index))
