"""What the results store records and the interface every backend offers."""

from __future__ import annotations

from collections.abc import Sequence
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


class ResultsStore(Protocol):
    """Writes are idempotent: recording the same decision or finish twice changes nothing."""

    def start_run(self, run: RunStart) -> None: ...

    def record_decision(self, decision: DecisionRow) -> None: ...

    def finish_run(self, finish: RunFinish) -> None: ...

    def runs(
        self,
        *,
        cohort: str | None = None,
        scenario_id: str | None = None,
        player_id: str | None = None,
    ) -> list[RunRow]: ...

    def run_by_resume_code(self, code: str) -> RunRow | None: ...

    def decisions(self, run_ids: Sequence[str]) -> list[DecisionRow]: ...

    def close(self) -> None: ...
