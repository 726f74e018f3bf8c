"""The room's opt-in leaderboard: each listed player's best full run of one scenario, ranked.

Ranking people against each other works against the safety the game teaches, so nothing here is on
by default: a facilitator turns the leaderboard on for a room (`tightrope serve --leaderboard`) and a
player is only ever on it by choosing to be. Players who have not chosen are counted, never named.

Only full runs count. A rewound run replays a past decision with hindsight; it is there to learn from,
and ranking it would reward rewinding until the score is high rather than deciding well the first time.
Ties share a rank (1, 2, 2, 4), so two players on the same score are never told one of them lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scoring.rows import RunFinishLike, RunRowLike, RunStartLike
from scoring.zones import Zone

_ZONES = {zone.value: zone for zone in Zone}


@dataclass(frozen=True, slots=True)
class BoardLine:
    rank: int
    player_id: str
    name: str
    """The name the player gave for their best run."""
    score: int
    zone: Zone | None
    """The zone their best run ended in (None for a stored value that names no zone)."""
    runs: int
    """Their finished full runs of the scenario."""


@dataclass(frozen=True, slots=True)
class Board:
    scenario_id: str
    lines: tuple[BoardLine, ...]
    """Every listed player, best score first; among equal scores, by name."""
    players: int
    """Every player with a finished full run of the scenario, listed or not."""

    def line_of(self, player_id: str) -> BoardLine | None:
        return next((line for line in self.lines if line.player_id == player_id), None)

    def top(self, size: int, player_id: str | None = None) -> tuple[BoardLine, ...]:
        """The first `size` lines, and `player_id`'s own line after them when it is further down."""
        shown = self.lines[:size]
        own = self.line_of(player_id) if player_id is not None else None
        return shown if own is None or own in shown else (*shown, own)


def leaderboard(runs: Sequence[RunRowLike], scenario_id: str) -> Board:
    """The board of `scenario_id` from the room's runs (of any scenario; the others are left out)."""
    best: dict[str, tuple[RunStartLike, RunFinishLike]] = {}
    finished: dict[str, int] = {}
    listed: set[str] = set()
    for row in runs:
        start, finish = row.start, row.finish
        if finish is None or start.scenario_id != scenario_id or start.rewound_from is not None:
            continue
        player = start.player_id
        finished[player] = finished.get(player, 0) + 1
        if start.listed:
            listed.add(player)
        held = best.get(player)
        if held is None or _beats(finish, held[1]):
            best[player] = (start, finish)
    # A player is listed when any of their runs says so: the choice is the player's, and the store
    # writes it to all of a player's runs in the room at once (game.store's Listing).
    ordered = sorted(listed, key=lambda p: (-best[p][1].score, best[p][0].player_name.casefold(), p))
    lines: list[BoardLine] = []
    for position, player in enumerate(ordered, start=1):
        start, finish = best[player]
        rank = lines[-1].rank if lines and lines[-1].score == finish.score else position
        zone = _ZONES.get(finish.zone)
        lines.append(BoardLine(rank, player, start.player_name, finish.score, zone, finished[player]))
    return Board(scenario_id, tuple(lines), len(finished))


def _beats(finish: RunFinishLike, held: RunFinishLike) -> bool:
    """A higher score; of equal ones, the run that reached it first."""
    return (finish.score, held.finished_at) > (held.score, finish.finished_at)
