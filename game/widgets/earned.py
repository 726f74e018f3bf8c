"""The debrief's "Earned this run": the XP the run earned part by part, new achievements, and the level."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text

from game.widgets.labelled import LabelledView, Row

# What was earned is worked out elsewhere (game.roomreport, on a worker); this only draws it.
if TYPE_CHECKING:
    from game.roomreport import Reckoning, RunRewards

COUNTING = "Counting what this run earned…"


def xp_line(rewards: RunRewards) -> Text:
    """`+55 XP  (finished the run +10 · a new ending +30 · new principles practised +15)`."""
    parts = rewards.xp.parts()
    if not parts:
        return Text("no new XP: find another ending, or replay to beat your best")
    line = Text(f"+{rewards.xp.total} XP", style="bold")
    line.append("  (" + " · ".join(f"{what} +{xp}" for what, xp in parts) + ")")
    return line


def level_line(rewards: RunRewards) -> Text:
    after = rewards.after
    level = f"Level {after.level} · {after.level_name}"
    if rewards.levelled_up:
        return Text.assemble(("▲ Level up! ", "bold"), (level, "bold"), f" · {after.xp} XP")
    line = Text(f"{level} · {after.xp} XP")
    if after.to_next_level is not None and after.next_level_name is not None:
        line.append(f", {after.to_next_level} more to {after.next_level_name}")
    return line


class EarnedPanel(LabelledView):
    """Says it is counting until the reckoning arrives (`show`), then what the run earned."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"earned-panel--title", "earned-panel--new", "earned-panel--dim"}
    LABEL_COMPONENT = "earned-panel--title"

    def __init__(self, reckoning: Reckoning | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.reckoning = reckoning

    def show(self, reckoning: Reckoning) -> None:
        self.reckoning = reckoning
        self.relayout()

    def rows(self) -> list[Row]:
        dim = self.get_component_rich_style("earned-panel--dim")
        reckoning = self.reckoning
        if reckoning is None:
            return [("Earned this run", Text(COUNTING, style=dim))]
        rewards = reckoning.rewards
        if rewards is None:
            why = f"your record could not be read: {reckoning.problem}" if reckoning.problem else ""
            return [("Earned this run", Text(f"not counted: {why}", style=dim))]
        rows: list[Row] = [("Earned this run", xp_line(rewards))]
        if rewards.new:
            names = " · ".join(a.name for a in rewards.new)
            rows.append(("", Text(f"★ {names}", style=self.get_component_rich_style("earned-panel--new"))))
        rows.append(("", level_line(rewards)))
        return rows
