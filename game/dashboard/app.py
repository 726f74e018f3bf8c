"""The facilitator's dashboard app: wiring only: the store reader, the room screen, the theme and `q`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from game.app import THEMES
from game.dashboard.reader import RoomReader
from game.dashboard.screen import Clock, RoomScreen
from game.paths import shipped
from game.scenario.models import Scenario
from game.store.base import StoreOpener
from scoring.challenges import Challenge


def local_now() -> datetime:
    return datetime.now().astimezone()


def served_goals() -> tuple[Challenge, ...]:
    """The room's goals when `tightrope serve --challenge` started this process (as its dashboard)."""
    from game.serve.settings import SessionSettings

    settings = SessionSettings.from_env()
    return settings.goals() if settings is not None else ()


class DashboardApp(App[None]):
    """The room, live. `store` opens the results store; it is called on the reader's own thread.

    `every` is the polling interval in seconds (None: read once, then only on `r`); `clock` stamps each
    read and `timezone` shows clock times (None: this machine's), so tests can pin both. `challenges` are
    the room's goals (None: those of the served room this process belongs to, if any).
    """

    TITLE = "Tightrope room report"
    CSS_PATH = str(shipped("assets") / "dashboard.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def __init__(
        self,
        store: StoreOpener,
        scenarios: Sequence[Scenario],
        *,
        cohort: str | None = None,
        scenario_id: str | None = None,
        every: float | None = 2.0,
        clock: Clock = local_now,
        timezone: tzinfo | None = None,
        challenges: Sequence[Challenge] | None = None,
    ) -> None:
        super().__init__()
        goals = served_goals() if challenges is None else tuple(challenges)
        self.reader = RoomReader(store, scenarios, cohort=cohort, scenario_id=scenario_id, challenges=goals)
        self.room_screen = RoomScreen(self.reader, every=every, clock=clock, timezone=timezone)

    def on_mount(self) -> None:
        theme = THEMES["dark"]
        self.register_theme(theme)
        self.theme = theme.name

    def get_default_screen(self) -> Screen[None]:
        return self.room_screen

    def on_unmount(self) -> None:
        self.reader.close()
