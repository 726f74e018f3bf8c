"""The title and scenario picker: every scenario on the shelf with the player's record in each."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from game.profile import Profile
from game.text import printable
from game.widgets.challenges import ChallengePanel
from game.widgets.key_footer import KeyFooter
from game.widgets.scenario_list import Entry, ScenarioList, progress_line

# The picker shows the catalogue's entries; a scenario itself (pydantic) is loaded when it is picked.
if TYPE_CHECKING:
    from game.roomreport import RoomGoal
    from game.scenario.models import Scenario

TAGLINE = "Walk the line between psychological safety and high standards."


class PickerScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "play", "Play", show=True, key_display="⏎"),
        Binding("s", "app.settings", "Settings"),
        Binding("t", "app.trophies", "Trophies"),
        Binding("p", "app.profile", "Profile"),
        Binding("question_mark", "app.help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    goals: tuple[RoomGoal, ...] = ()
    """The room's goals as last read (served sessions with `--challenge` only)."""

    class Picked(Message):
        """The player chose a playable scenario."""

        def __init__(self, scenario: Scenario) -> None:
            super().__init__()
            self.scenario = scenario

    def __init__(self, entries: Sequence[Entry], *, empty_note: str = "") -> None:
        super().__init__()
        self.entries = list(entries)
        self.empty_note = empty_note
        self.profile = Profile()
        self.in_progress: frozenset[str] = frozenset()
        self.notices: list[str] = []
        self.selected: Entry | None = self.entries[0] if self.entries else None

    def compose(self) -> ComposeResult:
        with Horizontal(id="brand"):
            yield Static(Text("TIGHTROPE", style="bold"), id="brand-title")
            yield Static(Text(TAGLINE), id="brand-tagline")
        yield Static(id="welcome")
        yield ChallengePanel(self.goals, id="room-goals")
        with Horizontal(id="picker-body"):
            yield ScenarioList(self.entries, id="scenarios")
            with VerticalScroll(id="details"):
                yield Static(id="details-text")
        yield Static(id="notice")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._refresh()

    def show_progress(self, profile: Profile, in_progress: Collection[str]) -> None:
        self.profile, self.in_progress = profile, frozenset(in_progress)
        if self.is_mounted:
            self._refresh()

    def show_goals(self, goals: Sequence[RoomGoal]) -> None:
        """The room's progress towards its goals, one line each under the welcome."""
        self.goals = tuple(goals)
        if self.is_mounted:
            self.query_one(ChallengePanel).show(self.goals)

    def show_notice(self, text: str) -> None:
        """One line about something that went wrong but did not stop the game (a set-aside save)."""
        self.notices.append(printable(text))
        if self.is_mounted:
            self._refresh()

    def _refresh(self) -> None:
        name = self.profile.name
        welcome = Text.assemble("Welcome back, ", (name, "bold"), ".") if name else Text("Welcome.")
        welcome.append("  Choose a scenario to play.")
        self.query_one("#welcome", Static).update(welcome)
        notice = self.query_one("#notice", Static)
        notice.update(Text("\n".join(f"⚠ {line}" for line in self.notices[-2:])))
        notice.display = bool(self.notices)
        self.query_one(ScenarioList).show(self.profile, self.in_progress)
        self._show_details()

    @on(ScenarioList.Highlighted)
    def _highlighted(self, event: ScenarioList.Highlighted) -> None:
        self.selected = event.entry
        self._show_details()

    @on(ScenarioList.Chosen)
    def _chosen(self, event: ScenarioList.Chosen) -> None:
        self.selected = event.entry
        self.action_play()

    def action_play(self) -> None:
        entry = self.selected
        if entry is None:
            return
        opened = entry.opened()
        if opened.value is None:
            self.notify(f"{entry.title} cannot be played: {opened.problem}", severity="error", markup=False)
            return
        self.post_message(self.Picked(opened.value))

    def _show_details(self) -> None:
        self.query_one("#details-text", Static).update(self._details(self.selected))

    def _details(self, entry: Entry | None) -> RenderableType:
        if entry is None:
            return Text(self.empty_note or "No scenarios found.")
        title = Text(entry.title, style="bold")
        if entry.id is None or not entry.playable:
            problem = Text.assemble(("✗ Not playable: ", "bold"), entry.problem or "")
            if entry.more_problems:
                problem.append(f"\n(and {entry.more_problems} more: run `tightrope check {entry.path.name}`)")
            return Group(title, Text(), problem)
        table = Table.grid(padding=(0, 2, 1, 0))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(ratio=1)
        table.add_row("Your role", Text(printable(entry.role)))
        if entry.minutes:
            table.add_row("Time", f"about {entry.minutes} minutes")
        if entry.themes:
            table.add_row("Themes", " · ".join(entry.themes))
        progress = self.profile.progress(entry.id)
        table.add_row("Your record", progress_line(entry, progress, entry.id in self.in_progress))
        if progress.best_score is not None:
            table.add_row("Best score", f"{progress.best_score} / 100")
        action = "resume" if entry.id in self.in_progress else "play"
        hint = Text(f"Press Enter to {action}.", style="italic")
        return Group(title, Text(), Text(printable(entry.summary)), Text(), table, hint)
