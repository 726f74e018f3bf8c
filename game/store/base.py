"""What the results store records and the interface every backend offers."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Protocol


class StoreError(Exception):
    """The store cannot be opened or written; the message is one line for the person at the keyboard."""


@dataclass(frozen=True, slots=True)
class RunStart:
    run_id: str
    player_id: str
    player_name: str
    cohort: str
    scenario_id: str
    scenario_title: str
    started_at: str
    resume_code: str
    rewound_from: str | None = None
    listed: bool = False
    """The player chose to be on the room's leaderboard (`scoring.leaderboard`); see `Listing`."""


@dataclass(frozen=True, slots=True)
class Listing:
    """A player's choice about the room's leaderboard, written to all their runs in the cohort: a player
    who opts in (or out) after some runs means it for those too."""

    player_id: str
    cohort: str
    listed: bool


@dataclass(frozen=True, slots=True)
class DecisionRow:
    run_id: str
    seq: int
    scene_id: str
    choice_id: str
    timed_out: bool
    seconds: float | None
    safety: int
    standards: int
    trust: int
    recorded_at: str


@dataclass(frozen=True, slots=True)
class RunFinish:
    run_id: str
    finished_at: str
    ending_scene: str
    ending_title: str
    ending_tone: str
    zone: str
    score: int
    safety: int
    standards: int
    trust: int


@dataclass(frozen=True, slots=True)
class RunRow:
    """A run as read back: its start, and its finish when it has one."""

    start: RunStart
    finish: RunFinish | None
    decisions: int

    @property
    def finished(self) -> bool:
        return self.finish is not None


@dataclass(frozen=True, slots=True)
class RunNow:
    """A run and the last decision it has recorded (by seq): where its player is, without the rest."""

    run: RunRow
    last: DecisionRow | None


# The room counted by the store: what `game.roomreport` needs for its aggregates, with no player named
# and no scenario model consulted (the report brings the model). Rewound runs are left out of all of it
# but the run counts, as the report's counting rules say.


@dataclass(frozen=True, slots=True)
class ScenarioTally:
    """One scenario's runs: how many, how many are rewinds, how many counted ones have finished."""

    scenario_id: str
    title: str
    """The scenario's title as its first run recorded it."""
    runs: int
    rewinds: int
    finished: int
    first: tuple[str, str] = ("", "")
    """When its first run started, and that run's id: the first by start, then by run id."""


@dataclass(frozen=True, slots=True)
class ChoiceTally:
    """The counted decisions taken at one scene through one choice that moved safety and standards alike.

    A run's first decision has no recorded meters before it (the scenario's start is in the model, not
    the store): for those, `first` is set and `meters` are the safety and standards it led to; for the
    others, `meters` are how much it changed safety and standards.
    """

    scenario_id: str
    scene_id: str
    choice_id: str
    first: bool
    meters: tuple[int, int]
    decided: int
    timed_out: int


@dataclass(frozen=True, slots=True)
class PositionTally:
    """How many counted runs stand at these meters: their final ones, or their last decision's."""

    scenario_id: str
    finished: bool
    safety: int
    standards: int
    trust: int
    runs: int


@dataclass(frozen=True, slots=True)
class EndingTally:
    """How many counted runs finished at an ending, with the title and tone its latest finish recorded."""

    scenario_id: str
    ending_scene: str
    ending_title: str
    ending_tone: str
    runs: int
    latest: tuple[str, str] = ("", "")
    """When the latest run to reach it started, and that run's id: the last by start, then by run id."""


@dataclass(frozen=True, slots=True)
class RoomTally:
    scenarios: tuple[ScenarioTally, ...]
    """In order of first play."""
    choices: tuple[ChoiceTally, ...]
    positions: tuple[PositionTally, ...]
    endings: tuple[EndingTally, ...]


EMPTY_TALLY = RoomTally((), (), (), ())
"""A room with no run in it."""


@dataclass(frozen=True, slots=True)
class CohortRange:
    """The cohorts named from `first` to `last`, in the store's order of names: the order
    `ResultsStore.cohorts` lists them in."""

    first: str
    last: str


class ResultsStore(Protocol):
    """Writes are idempotent: recording the same decision or finish twice changes nothing."""

    def start_run(self, run: RunStart) -> None: ...

    def record_decision(self, decision: DecisionRow) -> None: ...

    def finish_run(self, finish: RunFinish) -> None: ...

    def list_player(self, listing: Listing) -> None: ...

    def runs(
        self,
        *,
        cohort: str | None = None,
        scenario_id: str | None = None,
        player_id: str | None = None,
    ) -> list[RunRow]: ...

    def run_by_resume_code(self, code: str) -> RunRow | None: ...

    def decisions(self, run_ids: Sequence[str]) -> list[DecisionRow]: ...

    def tally(self, *, cohort: str | None = None, scenario_id: str | None = None) -> RoomTally:
        """The runs matching the filters counted for the room report, without reading them one by one."""
        ...

    def tallies(
        self, groups: Sequence[Collection[str] | CohortRange], *, scenario_id: str | None = None
    ) -> list[RoomTally]:
        """The runs of each group of cohorts (of `scenario_id`) counted together as `tally` counts a room,
        every group in one pass over the rows: a tally per group, in order (empty for one without runs)."""
        ...

    def cohorts(self, *, scenario_id: str | None = None) -> dict[str, tuple[int, int, int]]:
        """Each cohort's runs, decisions and finished runs (of `scenario_id`), counted, in the store's
        order of names: every write that changes what the room report counts changes these, so a cohort
        whose counts are the same as before has the same tally."""
        ...

    def runs_now(
        self, *, cohort: str | None = None, scenario_id: str | None = None, latest: int | None = None
    ) -> list[RunNow]:
        """The runs matching the filters with their last decisions, by start then run id; with `latest`,
        only each scenario's `latest` most recently started runs."""
        ...

    def close(self) -> None: ...


StoreOpener = Callable[[], ResultsStore]
"""Opens the store afresh: each thread that reads it needs its own connection."""
