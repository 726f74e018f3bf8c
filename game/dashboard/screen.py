"""The room screen: polls the store, keeps the room and the chosen scenario, and lays out the panels.

Data flows one way: the reader's `RoomReport` lands in `room`, the chosen scenario's report in
`current`, and the panels are bound to those. The only message coming up is a scenario tab being chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen

from game.dashboard.reader import RoomReader
from game.dashboard.widgets import (
    BoardPanel,
    EndingsPanel,
    GoalsPanel,
    MapPanel,
    PlayersPanel,
    ScenarioTabs,
    SplitsPanel,
    StatusLine,
    TalkingPointsPanel,
)
from game.roomreport import RoomReport, ScenarioReport
from game.screens.breakpoints import set_breakpoints
from game.store import StoreError
from game.widgets.key_footer import KeyFooter

Clock = Callable[[], datetime]

# Panel ids, in tab order, by the letter that jumps to each (underlined in its title).
PANELS = {
    "p": "players",
    "s": "splits",
    "g": "goals",
    "d": "board",
    "m": "map",
    "e": "endings",
    "t": "talking",
}
_PANEL_GROUP = Binding.Group("Panel")
_SCENARIO_GROUP = Binding.Group("Scenario", compact=True)


class RoomScreen(Screen[None]):
    AUTO_FOCUS = "#players"
    # Side by side from 110 columns and 32 rows (`.-wide.-tall`); smaller, the panels stack and scroll.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012 (Screen declares the type)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh_room", "Refresh"),
        Binding("left_square_bracket", "scenario(-1)", "Previous scenario", group=_SCENARIO_GROUP),
        Binding("right_square_bracket", "scenario(1)", "Next scenario", group=_SCENARIO_GROUP),
        *(
            Binding(key, f"panel('{panel}')", f"{panel.capitalize()} panel", group=_PANEL_GROUP)
            for key, panel in PANELS.items()
        ),
    ]

    room: reactive[RoomReport | None] = reactive(None)
    selected: reactive[str | None] = reactive(None)
    current: reactive[ScenarioReport | None] = reactive(None)
    updated: reactive[datetime | None] = reactive(None)
    problem: reactive[str | None] = reactive(None)

    def __init__(
        self,
        reader: RoomReader,
        *,
        every: float | None,
        clock: Clock,
        timezone: tzinfo | None,
    ) -> None:
        super().__init__()
        set_breakpoints(self)
        self.reader, self.every, self.clock, self.timezone = reader, every, clock, timezone
        self.reads = 0
        self._reading = False

    def compose(self) -> ComposeResult:
        yield StatusLine(self.reader.cohort, id="status").data_bind(
            RoomScreen.current, RoomScreen.updated, RoomScreen.problem
        )
        yield ScenarioTabs(id="scenarios").data_bind(RoomScreen.room, RoomScreen.selected)
        with VerticalScroll(id="body"), Horizontal(id="columns"):
            with Vertical(id="left"):
                yield PlayersPanel(self.timezone, id="players").data_bind(RoomScreen.current)
                yield SplitsPanel(id="splits").data_bind(RoomScreen.current)
                yield GoalsPanel(id="goals").data_bind(RoomScreen.room)
                yield BoardPanel(id="board").data_bind(RoomScreen.room, RoomScreen.current)
            with Vertical(id="right"):
                yield MapPanel(id="map").data_bind(RoomScreen.current)
                yield EndingsPanel(id="endings").data_bind(RoomScreen.current)
                yield TalkingPointsPanel(id="talking").data_bind(RoomScreen.current)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.action_refresh_room()
        if self.every:
            self.set_interval(self.every, self.action_refresh_room)

    def action_refresh_room(self) -> None:
        """Read the store now, unless a read is already on its way (a slow store is not asked twice)."""
        if not self._reading:
            self._reading = True
            self.run_worker(self._read(), group="room-reader")

    async def _read(self) -> None:
        try:
            room = await self.reader.report()
        except StoreError as exc:
            # Keep showing the last good report; the next poll tries again.
            self.problem = str(exc)
            return
        finally:
            self._reading = False
        self.room, self.problem, self.updated = room, None, self.clock()
        self.reads += 1

    def compute_current(self) -> ScenarioReport | None:
        if self.room is None or self.selected is None:
            return None
        return self.room.scenario(self.selected)

    def watch_room(self, room: RoomReport | None) -> None:
        if room is not None and room.scenarios and room.scenario(self.selected or "") is None:
            self.selected = room.scenarios[0].scenario_id
        self.refresh_bindings()  # the leaderboard's key comes and goes with the leaderboard

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "panel" and parameters == ("board",):
            rewards = self.room.rewards if self.room is not None else None
            return rewards is not None and bool(rewards.boards)
        return True

    @on(ScenarioTabs.Chosen)
    def _scenario_chosen(self, event: ScenarioTabs.Chosen) -> None:
        self.selected = event.scenario_id

    def action_scenario(self, step: int) -> None:
        if self.room is None or not self.room.scenarios:
            return
        ids = [report.scenario_id for report in self.room.scenarios]
        at = ids.index(self.selected) if self.selected in ids else 0
        self.selected = ids[(at + step) % len(ids)]

    def action_panel(self, panel: str) -> None:
        self.query_one(f"#{panel}").focus()
