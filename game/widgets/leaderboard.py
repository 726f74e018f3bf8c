"""The room's opt-in leaderboard on the debrief: the top few listed players, and the player's own line."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text

from game.text import printable
from game.widgets.labelled import LabelledView, Row
from game.widgets.symbols import zone_title

# The board is read elsewhere (game.room_board, on a worker); this only draws it.
if TYPE_CHECKING:
    from game.room_board import BoardView
    from scoring.leaderboard import BoardLine

TITLE = "Leaderboard"
YOU = "◂ you"


def listing_hint(view: BoardView) -> str:
    """How many are listed, and what the player's own choice is and how to change it."""
    board = view.board
    players = "player" if board.players == 1 else "players"
    counted = f"{len(board.lines)} of {board.players} {players} chose to be listed."
    if view.listed:
        return f"{counted} You are listed: press l to take your name off."
    return f"{counted} You are not listed: press l to add your name."


def board_line(line: BoardLine) -> Text:
    """` 2. Sam  81  ◆ Learning zone` (the name is the player's text: never markup)."""
    zone = f"  {zone_title(line.zone)}" if line.zone is not None else ""
    return Text.assemble(f"{line.rank:>2}. ", printable(line.name), f"  {line.score}{zone}")


class LeaderboardPanel(LabelledView):
    """Hidden unless the room has a leaderboard (`tightrope serve --leaderboard`)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "leaderboard-panel--title",
        "leaderboard-panel--you",
        "leaderboard-panel--dim",
    }
    LABEL_COMPONENT = "leaderboard-panel--title"
    SHOWN: ClassVar[int] = 5
    """Lines shown above the player's own (which follows them when it is further down)."""

    def __init__(self, view: BoardView | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = view
        self.display = view is not None

    def show(self, view: BoardView | None) -> None:
        self.view = view
        self.display = view is not None
        self.relayout()

    def rows(self) -> list[Row]:
        view = self.view
        if view is None:
            return []
        board, you = view.board, self.get_component_rich_style("leaderboard-panel--you")
        lines = board.top(self.SHOWN, view.player_id)
        rows: list[Row] = []
        for n, line in enumerate(lines):
            text = board_line(line)
            if line.player_id == view.player_id:
                text.append(f"  {YOU}")
                text.stylize(you)
            if n == self.SHOWN:  # the player's own line, further down
                rows.append(("", Text("   …")))
            rows.append((TITLE if n == 0 else "", text))
        if not lines:
            rows.append((TITLE, Text("Nobody is on it yet.")))
        rows.append(
            ("", Text(listing_hint(view), style=self.get_component_rich_style("leaderboard-panel--dim")))
        )
        return rows
