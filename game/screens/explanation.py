"""What a choice did, shown before the story moves on; the player reads it and continues with a key."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from game.widgets.explanation import ExplanationView
from scoring import Explanation


class ExplanationScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,space", "dismiss", "Continue", key_display="⏎"),
        Binding("escape", "dismiss", "Continue", show=False),
    ]

    def __init__(self, choice_text: str, explanation: Explanation, *, timed_out: bool = False) -> None:
        super().__init__()
        self.choice_text, self.explanation, self.timed_out = choice_text, explanation, timed_out

    def compose(self) -> ComposeResult:
        with Vertical(id="explanation-box", classes="dialog"):
            title = "◷ Time ran out" if self.timed_out else "What your choice did"
            yield Static(Text(title, style="bold"), classes="dialog-title")
            with VerticalScroll(id="explanation-body"):
                yield ExplanationView(self.choice_text, self.explanation, timed_out=self.timed_out)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Continue ▸", id="continue", variant="primary", compact=True)

    @on(Button.Pressed, "#continue")
    def _continue(self) -> None:
        self.dismiss()
