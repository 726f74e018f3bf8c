"""Offers to resume a saved run exactly where the player left it, or to start over."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from game.text import printable


class ResumeDialog(ModalScreen[bool | None]):
    """True to resume, False to start over, None to go back to the scenarios."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "answer(True)", "Resume"),
        Binding("n", "answer(False)", "Start over"),
        Binding("escape", "answer(None)", "Back"),
    ]

    def __init__(self, title: str, scene: str, decisions: int) -> None:
        super().__init__()
        self.title_text, self.scene, self.decisions = title, scene, decisions

    def compose(self) -> ComposeResult:
        made = f"{self.decisions} decision{'s' * (self.decisions != 1)} made"
        with Vertical(id="resume-box", classes="dialog"):
            yield Static(Text("Resume your game?", style="bold"), classes="dialog-title")
            yield Static(
                Text.assemble(
                    "You were playing ",
                    (printable(self.title_text), "bold"),
                    f", at “{printable(self.scene)}” ({made}).",
                )
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Resume (r)", id="resume", variant="primary", compact=True)
                yield Button("Start over (n)", id="restart", compact=True)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "resume")

    def action_answer(self, answer: bool | None) -> None:
        self.dismiss(answer)
