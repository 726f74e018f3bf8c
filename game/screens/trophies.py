"""Trophies: every achievement, the ones the player has earned and the ones still to earn."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from game.text import printable
from game.widgets.achievements import AchievementList
from game.widgets.key_footer import KeyFooter

# The player's record is read on a worker (it needs the store and every scenario); this only shows it.
if TYPE_CHECKING:
    from game.roomreport import Standing

READING = "reading your record…"


class TrophyScreen(Screen[None]):
    AUTO_FOCUS = "#trophies-body"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        Binding("p", "app.profile", "Profile"),
        Binding("question_mark", "app.help", "Help", key_display="?"),
    ]

    def __init__(self, load: Callable[[], Standing]) -> None:
        """`load` reads the player's record; it runs on a worker thread."""
        super().__init__()
        self.load = load
        self.standing: Standing | None = None

    def compose(self) -> ComposeResult:
        yield Static(self._headline(), id="trophies-head")
        with VerticalScroll(id="trophies-body"):
            yield AchievementList(id="trophy-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.run_worker(self.load, thread=True, exit_on_error=False, group="record")

    @on(Worker.StateChanged)
    def _read(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.SUCCESS:
            self.standing = cast("Standing", event.worker.result)
            self.query_one(AchievementList).show(self.standing.trophies, self.standing.title_of)
        elif event.state is WorkerState.ERROR:
            self.notify(
                f"Your record could not be read: {event.worker.error}", severity="error", markup=False
            )
        else:
            return
        self.query_one("#trophies-head", Static).update(self._headline())

    def _headline(self) -> Text:
        line = Text.assemble(("Trophies", "bold"))
        standing = self.standing
        if standing is None:
            line.append(f"  {READING}", style="italic")
            return line
        progress = standing.progress
        line.append(f"  {standing.earned} of {len(standing.trophies)} earned")
        line.append(f"  ·  Level {progress.level} · {progress.level_name}, {progress.xp} XP")
        if standing.problem:
            line.append(f"\n⚠ Your record could not be read: {printable(standing.problem)}")
        return line

    def action_close(self) -> None:
        self.dismiss()
