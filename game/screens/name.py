"""Asks the player's name once; whatever they type is kept as plain text, never read as markup."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from game.profile import MAX_NAME_LENGTH, clean_name


class NamePrompt(ModalScreen[str]):
    """Dismisses with the cleaned name, or "" when the player skips."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "skip", "Skip")]

    def __init__(self, current: str | None = None) -> None:
        super().__init__()
        self.current = current or ""

    def compose(self) -> ComposeResult:
        with Vertical(id="name-box", classes="dialog"):
            yield Static(Text("Welcome to Tightrope", style="bold"), classes="dialog-title")
            yield Static(Text("What should the game call you?"))
            yield Input(self.current, placeholder="your name", max_length=MAX_NAME_LENGTH, id="name-input")
            yield Static(Text("Enter to save · Esc to skip", style="italic"), classes="dialog-hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(clean_name(event.value))

    def action_skip(self) -> None:
        self.dismiss(self.current)
