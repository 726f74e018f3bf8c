"""The room's goals, one line each: a shared target for everyone in the room that never names anyone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text

from game.widgets.labelled import LabelledView, Row

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


class ChallengePanel(LabelledView):
    """The room's goals and how far the room has come; hidden when the room has none."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"challenge-panel--title", "challenge-panel--met"}
    LABEL_COMPONENT = "challenge-panel--title"

    def __init__(self, goals: Sequence[RoomGoal] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.goals = tuple(goals)
        self.display = bool(goals)

    def show(self, goals: Sequence[RoomGoal]) -> None:
        self.goals = tuple(goals)
        self.display = bool(goals)
        self.relayout()

    def rows(self) -> list[Row]:
        met = self.get_component_rich_style("challenge-panel--met")
        rows: list[Row] = []
        for n, goal in enumerate(self.goals):
            line = goal_line(goal)
            if goal.progress.met:
                line.stylize(met)
            rows.append(("Room goals" if n == 0 else "", line))
        return rows
