"""Every achievement, earned first, then those still to earn; a hidden one keeps its secret until earned."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from game.text import printable

if TYPE_CHECKING:
    from scoring.achievements import Shown

EARNED, LOCKED, SECRET = "★", "☆", "?"
NAME_WIDTH = 28
"""The widest name column; a longer name ends in an ellipsis."""
SECRET_NAME = "???"
SECRET_DESCRIPTION = "keep playing to discover it"

TitleOf = Callable[[str | None], str | None]


def order(trophies: Sequence[Shown]) -> tuple[list[Shown], list[Shown]]:
    """(earned, still to earn): each in catalogue order, the secrets last among those still to earn."""
    earned = [t for t in trophies if t.earned]
    open_, secret = [t for t in trophies if not t.earned and not t.secret], [t for t in trophies if t.secret]
    return earned, open_ + secret


class AchievementList(Widget):
    """The player's achievements, in two groups: earned, and still to earn."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "achievement-list--heading",
        "achievement-list--earned",
        "achievement-list--name",
        "achievement-list--dim",
    }

    trophies: reactive[tuple[Shown, ...]] = reactive((), layout=True)

    def __init__(self, title_of: TitleOf = lambda _: None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title_of = title_of

    def show(self, trophies: Sequence[Shown], title_of: TitleOf | None = None) -> None:
        """`title_of` names the scenario of a scenario's own achievement."""
        if title_of is not None:
            self.title_of = title_of
        self.trophies = tuple(trophies)

    def render(self) -> Group:
        earned, to_earn = order(self.trophies)
        # Both groups share one name column width, so that their descriptions line up.
        width = min(NAME_WIDTH, max((len(t.name) for t in self.trophies if not t.secret), default=0))
        heading = self.get_component_rich_style("achievement-list--heading")
        parts: list[Table | Text] = [Text(f"Earned  {len(earned)} of {len(self.trophies)}", style=heading)]
        if earned:
            parts.append(self._table(earned, width))
        else:
            dim = self.get_component_rich_style("achievement-list--dim")
            parts.append(Text("None yet: finish a run to earn your first.", style=dim))
        if to_earn:
            parts.extend(
                [Text(""), Text(f"Still to earn  {len(to_earn)}", style=heading), self._table(to_earn, width)]
            )
        return Group(*parts)

    def _table(self, trophies: Sequence[Shown], name_width: int) -> Table:
        style = self.get_component_rich_style
        table = Table.grid(padding=(0, 1, 0, 0), expand=True)
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True, width=max(name_width, len(SECRET_NAME)), overflow="ellipsis")
        table.add_column(ratio=1)
        for shown in trophies:
            if shown.secret:
                table.add_row(
                    Text(SECRET, style=style("achievement-list--dim")),
                    Text(SECRET_NAME, style=style("achievement-list--dim")),
                    Text(SECRET_DESCRIPTION, style=style("achievement-list--dim")),
                )
                continue
            achievement = shown.achievement
            description = Text(printable(achievement.description))
            title = self.title_of(achievement.scenario_id)
            if title is not None:
                description = (
                    Text(f"{printable(title)}: ", style=style("achievement-list--dim")) + description
                )
            if shown.earned:
                mark = Text(EARNED, style=style("achievement-list--earned"))
                name = Text(printable(achievement.name), style=style("achievement-list--name"))
            else:
                mark = Text(LOCKED, style=style("achievement-list--dim"))
                name = Text(printable(achievement.name))
            table.add_row(mark, name, description)
        return table
