"""The reference app for the serve benchmark: a bare Textual app that shows a counter and counts keys."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.events import Key
from textual.widgets import Static


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("Ready. Pressed 0", id="counter")

    def on_key(self, event: Key) -> None:
        self.presses = getattr(self, "presses", 0) + 1
        self.query_one("#counter", Static).update(f"Ready. Pressed {self.presses}")


if __name__ == "__main__":
    Bare().run()
