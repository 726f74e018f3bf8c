"""The room's opt-in leaderboard as one player sees it, read from the results store.

The ranking itself is `scoring.leaderboard`; this reads the runs it ranks and says who is looking.
"""

from __future__ import annotations

from dataclasses import dataclass

from game.store.base import ResultsStore, StoreOpener
from scoring.leaderboard import Board, leaderboard


@dataclass(frozen=True, slots=True)
class BoardView:
    board: Board
    player_id: str
    """Whose debrief it is shown on: their own line is marked."""
    listed: bool
    """Whether that player chose to be on it (they may be listed and not ranked yet: no full run)."""


def board_of(
    store: ResultsStore, *, scenario_id: str, cohort: str, player_id: str, listed: bool
) -> BoardView:
    """The board of one scenario in one cohort; raises StoreError. Reads only that scenario's runs."""
    runs = store.runs(cohort=cohort, scenario_id=scenario_id)
    return BoardView(leaderboard(runs, scenario_id), player_id, listed)


def read_board(
    open_store: StoreOpener, *, scenario_id: str, cohort: str, player_id: str, listed: bool
) -> BoardView:
    """`board_of` with a store of its own; raises StoreError. Slow: call it on a worker."""
    store = open_store()
    try:
        return board_of(store, scenario_id=scenario_id, cohort=cohort, player_id=player_id, listed=listed)
    finally:
        store.close()
