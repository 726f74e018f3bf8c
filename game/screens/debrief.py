"""The debrief: where the run ended on the zone map, the score, the key decisions and the full timeline,
and what the run earned (XP, achievements, level) with the room's goals."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from game.engine import Engine, RunState
from game.screens.breakpoints import set_breakpoints
from game.text import printable
from game.widgets.challenges import ChallengePanel
from game.widgets.earned import EarnedPanel
from game.widgets.key_footer import KeyFooter
from game.widgets.labelled import LabelledRows, Row
from game.widgets.leaderboard import LeaderboardPanel
from game.widgets.meters import MeterBar
from game.widgets.symbols import TONE_WORDS, arrow, signed, zone_title
from game.widgets.timeline import Timeline
from game.widgets.zone_map import ZoneMap
from scoring import METER_NAMES, Debrief, DecisionRecord

# What the run earned is reckoned on a worker (it reads the store); this screen only shows it.
if TYPE_CHECKING:
    from game.room_board import BoardView
    from game.roomreport import Reckoning


class DebriefScreen(Screen[None]):
    AUTO_FOCUS = "#debrief-body"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "replay", "Replay"),
        Binding("s", "scenarios", "Other scenario"),
        Binding("escape", "scenarios", "Other scenario", show=False),
        Binding("q", "app.quit", "Quit"),
        Binding("l", "toggle_listing", "Leaderboard"),
        Binding("question_mark", "app.help", "Help", key_display="?"),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012 (typed by Screen)

    class ReplayRequested(Message):
        def __init__(self, engine: Engine) -> None:
            super().__init__()
            self.engine = engine

    class RewindRequested(Message):
        """Play on from just before decision `index` of `state`, keeping `state` as the original."""

        def __init__(self, engine: Engine, state: RunState, index: int) -> None:
            super().__init__()
            self.engine, self.state, self.index = engine, state, index

    class Closed(Message):
        """Back to the scenario picker."""

    class ListingChanged(Message):
        """The player chose to be on the room's leaderboard, or to come off it."""

        def __init__(self, listed: bool) -> None:
            super().__init__()
            self.listed = listed

    class Earned(Message):
        """What the run earned has been reckoned (and is on screen)."""

        def __init__(self, reckoning: Reckoning) -> None:
            super().__init__()
            self.reckoning = reckoning

    def __init__(
        self,
        engine: Engine,
        state: RunState,
        debrief: Debrief,
        *,
        original: Debrief | None = None,
        earned: asyncio.Future[Reckoning] | None = None,
    ) -> None:
        """`earned` is what the run earned, being worked out elsewhere (it reads the store): shown with the
        rest if it is ready when the screen is made, else as soon as it is."""
        super().__init__()
        set_breakpoints(self)
        self.engine, self.state, self.debrief, self.original = engine, state, debrief, original
        self.earned = earned
        self.board: BoardView | None = None
        """The room's leaderboard, in a room that has one, once it has been read."""

    def _ready(self) -> Reckoning | None:
        earned = self.earned
        if earned is None or not earned.done() or earned.cancelled() or earned.exception() is not None:
            return None
        return earned.result()

    def compose(self) -> ComposeResult:
        ready = self._ready()
        # From the same reading as the other panels: the reckoning may have finished since __init__.
        self.board = ready.board if ready is not None else None
        yield Static(self._headline(), id="debrief-head")
        earned = EarnedPanel(ready, id="earned")
        earned.display = self.earned is not None
        yield earned
        with VerticalScroll(id="debrief-body"):
            with Vertical(id="debrief-left"):
                yield ChallengePanel(ready.goals if ready is not None else (), id="debrief-goals")
                yield LeaderboardPanel(self.board, id="debrief-board")
                yield ZoneMap(id="zone-map")
                with Vertical(id="final-meters"):
                    for meter in METER_NAMES:
                        yield MeterBar(meter, id=f"final-{meter}")
                yield LabelledRows(self._summary(), id="debrief-summary")
            yield Timeline(self.debrief.timeline, id="timeline")
        yield KeyFooter()

    def on_mount(self) -> None:
        debrief = self.debrief
        self.query_one(ZoneMap).show(debrief.path)
        for bar in self.query(MeterBar):
            bar.value = debrief.final.as_dict()[bar.meter]
            bar.change = bar.value - debrief.start.as_dict()[bar.meter]
        ready = self._ready()
        if ready is not None:
            self.post_message(self.Earned(ready))
        elif self.earned is not None:
            self.run_worker(self.earned, exit_on_error=False, group="earned")

    @on(Worker.StateChanged)
    def _reckoned(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.query_one(EarnedPanel).display = False
            problem = f"What this run earned could not be worked out: {event.worker.error}"
            self.notify(problem, severity="error", markup=False)
        if event.state is not WorkerState.SUCCESS:
            return
        reckoning = cast("Reckoning", event.worker.result)
        self.query_one(EarnedPanel).show(reckoning)
        self.query_one(ChallengePanel).show(reckoning.goals)
        self.show_board(reckoning.board)
        self.post_message(self.Earned(reckoning))

    def show_board(self, view: BoardView | None) -> None:
        self.board = view
        self.query_one(LeaderboardPanel).show(view)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_listing":
            return self.board is not None
        return True

    def action_toggle_listing(self) -> None:
        view = self.board
        if view is not None:
            self.post_message(self.ListingChanged(not view.listed))

    def _headline(self) -> Text:
        debrief = self.debrief
        text = Text.assemble(
            ("Debrief  ", "bold"),
            (printable(debrief.ending_title), "bold italic"),
            f"  ({TONE_WORDS[debrief.ending_tone]})",
            f"\nScore {debrief.score} / 100  ·  {zone_title(debrief.zone)}",
        )
        original = self.original
        if original is not None:
            text.append(
                f"\nAgainst your original run: score {original.score} → {debrief.score} "
                f"({arrow(debrief.score - original.score)})"
            )
            if original.zone is not debrief.zone:
                text.append(f", {original.zone.label} → {debrief.zone.label}")
            else:
                text.append(f", still the {debrief.zone.label}")
            if original.ending_title != debrief.ending_title:
                text.append(f", ending “{printable(original.ending_title)}” → this one")
        return text

    def _summary(self) -> list[Row]:
        debrief = self.debrief
        rows: list[Row] = [("Zone", Text(debrief.zone.description))]
        if debrief.strongest is not None:
            rows.append(("Strongest", self._decision(debrief.strongest)))
        if debrief.weakest is not None and debrief.weakest is not debrief.strongest:
            rows.append(("Weakest", self._decision(debrief.weakest)))
        practised = ", ".join(
            t.principle.name + (f" ×{t.times}" if t.times > 1 else "") for t in debrief.principles
        )
        rows.append(("Practised", Text(practised or "none")))
        return rows

    def _decision(self, record: DecisionRecord) -> Text:
        number = self.debrief.timeline.index(record) + 1
        return Text.assemble(
            f"#{number} ",
            printable(record.choice_text),
            (f" (net {signed(record.explanation.net)})", "italic"),
        )

    @on(Timeline.RewindRequested)
    def _rewind_requested(self, event: Timeline.RewindRequested) -> None:
        self.post_message(self.RewindRequested(self.engine, self.state, event.index))

    def action_replay(self) -> None:
        self.post_message(self.ReplayRequested(self.engine))

    def action_scenarios(self) -> None:
        self.post_message(self.Closed())
