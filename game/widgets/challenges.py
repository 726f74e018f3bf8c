"""The room's goals, one line each: a shared target for everyone in the room that never names anyone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

# The goals are computed elsewhere (game.roomreport, with pydantic); this only draws them.
if TYPE_CHECKING:
    from game.roomreport import RoomGoal

MET, NOT_YET = "✓", "◌"


def so_far(goal: RoomGoal) -> str:
    """`50% so far (2 of 4 runs)`, `3 so far`, `3 of 4 players so far`: the room's progress in words."""
    progress, target = goal.progress, goal.challenge.target
    if target == "runs":
        return f"{progress.current} so far"
    if not progress.considered:
        return "no finished runs yet"
    if target == "percent":
        runs = "run" if progress.considered == 1 else "runs"
        return f"{progress.current}% so far ({progress.counted} of {progress.considered} {runs})"
    players = "player" if progress.considered == 1 else "players"
    return f"{progress.counted} of {progress.considered} {players} so far"


def goal_line(goal: RoomGoal) -> Text:
    """`✓ at least 3 finished runs: 4 so far`: the mark says met or not yet without colour."""
    mark = MET if goal.progress.met else NOT_YET
    return Text(f"{mark} {goal.challenge.describe()}: {so_far(goal)}")


class ChallengePanel(Widget):
    """The room's goals and how far the room has come; hidden when the room has none."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"challenge-panel--title", "challenge-panel--met"}

    goals: reactive[tuple[RoomGoal, ...]] = reactive((), layout=True)

    def __init__(self, goals: Sequence[RoomGoal] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(ChallengePanel.goals, tuple(goals))
        self.display = bool(goals)

    def show(self, goals: Sequence[RoomGoal]) -> None:
        self.goals = tuple(goals)

    def watch_goals(self, goals: tuple[RoomGoal, ...]) -> None:
        self.display = bool(goals)

    def render(self) -> Table:
        table = Table.grid(padding=(0, 2, 0, 0), expand=True)
        table.add_column(no_wrap=True)
        table.add_column(ratio=1)
        title = self.get_component_rich_style("challenge-panel--title")
        met = self.get_component_rich_style("challenge-panel--met")
        for n, goal in enumerate(self.goals):
            line = goal_line(goal)
            if goal.progress.met:
                line.stylize(met)
            table.add_row(Text("Room goals" if n == 0 else "", style=title), line)
        return table
