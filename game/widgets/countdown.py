"""A visible countdown for timed scenes. Time is fed in by `tick`, so tests (and pauses) control it."""

from __future__ import annotations

import math
from typing import ClassVar

from rich.text import Text
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

URGENT_SECONDS = 10


class Countdown(Widget):
    """Counts down from `start(seconds)`; posts `Countdown.Expired` once when it reaches zero.

    With `tick_every` set, a Textual interval calls `tick(tick_every)`; with None nothing moves the
    clock but the caller, which is how tests run a 60-second scene in no time at all.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"countdown--bar", "countdown--empty"}

    class Expired(Message):
        """The time is up."""

    remaining: reactive[float] = reactive(0.0)
    total: reactive[int] = reactive(0)

    def __init__(self, *, tick_every: float | None = 1.0, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tick_every = tick_every
        self.running = False
        self.paused = False
        self._interval: Timer | None = None

    @property
    def elapsed(self) -> float:
        return self.total - self.remaining

    def on_mount(self) -> None:
        if self.tick_every is not None:
            self._interval = self.set_interval(self.tick_every, self._auto_tick)

    def _auto_tick(self) -> None:
        assert self.tick_every is not None
        self.tick(self.tick_every)

    def start(self, seconds: int) -> None:
        self.total = seconds
        self.remaining = float(seconds)
        self.running, self.paused = True, False
        self.display = True

    def stop(self) -> None:
        """No timer for this scene (or the player already chose): hide and forget."""
        self.running = self.paused = False
        self.display = False

    def pause(self) -> None:
        if self.running:
            self.paused = True

    def resume(self) -> None:
        self.paused = False

    def tick(self, seconds: float = 1.0) -> None:
        if not self.running or self.paused:
            return
        self.remaining = max(0.0, self.remaining - seconds)
        if self.remaining <= 0:
            self.running = False
            self.post_message(self.Expired())

    def watch_remaining(self, remaining: float) -> None:
        self.set_class(0 < remaining <= URGENT_SECONDS, "-urgent")

    def render(self) -> Text:
        left = math.ceil(self.remaining)
        urgent = "! " if 0 < left <= URGENT_SECONDS else ""
        label = Text(f"◷ {urgent}{left // 60}:{left % 60:02d} left to decide")
        width = max(self.size.width, 4)
        filled = round(width * self.remaining / self.total) if self.total else 0
        bar = Text.assemble(
            ("▬" * filled, self.get_component_rich_style("countdown--bar")),
            ("─" * (width - filled), self.get_component_rich_style("countdown--empty")),
        )
        return Text("\n").join([label, bar])
