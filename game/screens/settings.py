"""Settings: explanations after each choice or only at the debrief, timers, and the theme."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static, Switch

from game.settings import Settings


class SettingsScreen(ModalScreen[Settings]):
    """Dismisses with the settings as the player left them."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "done", "Done")]

    def __init__(self, settings: Settings, *, timers_forced_off: bool = False) -> None:
        super().__init__()
        self.settings = settings
        self.timers_forced_off = timers_forced_off

    def compose(self) -> ComposeResult:
        timers_note = " (off for this session: --no-timers)" if self.timers_forced_off else ""
        rows = (
            (
                "explain",
                self.settings.explain_each_choice,
                "Explain each choice as you make it",
                "Off: explanations only at the debrief (harder)",
            ),
            (
                "timers",
                self.settings.timers,
                "Timed scenes count down",
                "Off: take all the time you need" + timers_note,
            ),
            ("light", self.settings.theme == "light", "Light theme", "Off: dark theme"),
        )
        with Vertical(id="settings-box", classes="dialog"):
            yield Static(Text("Settings", style="bold"), classes="dialog-title")
            for key, value, label, off in rows:
                with Horizontal(classes="setting"):
                    yield Switch(value, id=f"setting-{key}")
                    yield Static(
                        Text.assemble((label, "bold"), "\n", (off, "italic")), classes="setting-label"
                    )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Done", id="done", variant="primary", compact=True)

    @on(Switch.Changed)
    def _changed(self, event: Switch.Changed) -> None:
        key = (event.switch.id or "").removeprefix("setting-")
        if key == "explain":
            self.settings = self.settings.explaining_each_choice(event.value)
        elif key == "timers":
            self.settings = self.settings.changed(timers=event.value)
        elif key == "light":
            self.settings = self.settings.in_light_theme(event.value)

    @on(Button.Pressed, "#done")
    def action_done(self) -> None:
        self.dismiss(self.settings)
