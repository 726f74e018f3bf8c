"""Recording a run into the results store as it is played: start, each decision, the finish.

Front ends (line mode, the Textual app, served sessions) hand the recorder engine states; the recorder
turns them into store rows. The clock is passed in so that tests, and replays, are exact.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from game.engine import Engine, RunState
from game.store import DecisionRow, Listing, ResultsStore, RunFinish, RunStart, StoreError

# No 0/O or 1/I/L: a resume code is read off one screen and typed on another.
RESUME_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RESUME_CODE_LENGTH = 6

Clock = Callable[[], str]


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def new_resume_code() -> str:
    return "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_CODE_LENGTH))


def new_run_id() -> str:
    return secrets.token_hex(8)


class RunRecorder:
    """Writes one run to a store. A store that fails is reported once, and play goes on without it."""

    def __init__(
        self,
        store: ResultsStore,
        engine: Engine,
        *,
        player_id: str,
        player_name: str,
        cohort: str = "",
        clock: Clock = utc_now,
        run_id: str | None = None,
        resume_code: str | None = None,
        rewound_from: str | None = None,
        listed: bool = False,
    ) -> None:
        self.store = store
        self.engine = engine
        self.clock = clock
        self.run_id = run_id or new_run_id()
        self.resume_code = resume_code or new_resume_code()
        self.player_id = player_id
        self.player_name = player_name
        self.cohort = cohort
        self.rewound_from = rewound_from
        self.listed = listed
        self.problem: str | None = None

    def _attempt(self, write: Callable[[], None]) -> None:
        # After the first failure the store is left alone: a locked file would otherwise make every
        # later choice wait out the busy timeout again.
        if self.problem is not None:
            return
        try:
            write()
        except StoreError as exc:
            self.problem = str(exc)

    def started(self, state: RunState) -> None:
        """Record the run's start, and any moves it already has (a rewound or resumed run)."""
        scenario = self.engine.scenario
        self._attempt(
            lambda: self.store.start_run(
                RunStart(
                    run_id=self.run_id,
                    player_id=self.player_id,
                    player_name=self.player_name,
                    cohort=self.cohort,
                    scenario_id=scenario.id,
                    scenario_title=scenario.title,
                    started_at=self.clock(),
                    resume_code=self.resume_code,
                    rewound_from=self.rewound_from,
                    listed=self.listed,
                )
            )
        )
        if state.history:
            _, steps = self.engine.replay(state.history)
            for step in steps:
                self.decided(step.state)

    def decided(self, state: RunState) -> None:
        """Record the latest move of `state`; recording the same one twice is harmless."""
        move = state.history[-1]
        meters = state.meters
        row = DecisionRow(
            run_id=self.run_id,
            seq=len(state.history) - 1,
            scene_id=move.scene,
            choice_id=move.choice,
            timed_out=move.timed_out,
            seconds=move.seconds,
            safety=meters["safety"],
            standards=meters["standards"],
            trust=meters["trust"],
            recorded_at=self.clock(),
        )
        self._attempt(lambda: self.store.record_decision(row))

    def finished(self, state: RunState) -> None:
        debrief = self.engine.debrief(state)
        finish = RunFinish(
            run_id=self.run_id,
            finished_at=self.clock(),
            ending_scene=state.scene,
            ending_title=debrief.ending_title,
            ending_tone=debrief.ending_tone,
            zone=debrief.zone.value,
            score=debrief.score,
            safety=debrief.final.safety,
            standards=debrief.final.standards,
            trust=debrief.final.trust,
        )
        self._attempt(lambda: self.store.finish_run(finish))


class ResultsLog:
    """The results store as a front end sees it: opened on first use, one recorder for the run on screen.

    Opening is lazy so that starting the game does not wait on a database; a store that cannot be
    opened or written is reported once (`take_problem`) and play goes on without it.
    """

    def __init__(
        self,
        target: str | None,
        *,
        player_id: str,
        player_name: str = "",
        cohort: str = "",
        clock: Clock = utc_now,
    ) -> None:
        self.target = target
        self.player_id, self.player_name, self.cohort = player_id, player_name, cohort
        self.listed = False
        """Whether the player chose to be on the room's leaderboard: see `list_player`."""
        self.clock = clock
        self.current: RunRecorder | None = None
        self._store: ResultsStore | None = None
        self._problem: str | None = None
        self._reported = False

    def store(self) -> ResultsStore | None:
        if self._store is None and not self._reported:
            from game.store import open_store

            try:
                # Queue while a database server is down, so a player who joins then loses nothing.
                self._store = open_store(self.target, queue_while_down=True)
            except StoreError as exc:
                self._problem = str(exc)
        return self._store

    def begin(
        self,
        engine: Engine,
        state: RunState,
        *,
        run_id: str | None = None,
        resume_code: str | None = None,
        rewound_from: str | None = None,
    ) -> RunRecorder | None:
        """Start recording a run (with any moves it already has); returns its recorder."""
        store = self.store()
        if store is None:
            self.current = None
            return None
        self.current = RunRecorder(
            store,
            engine,
            player_id=self.player_id,
            player_name=self.player_name,
            cohort=self.cohort,
            clock=self.clock,
            run_id=run_id,
            resume_code=resume_code,
            rewound_from=rewound_from,
            listed=self.listed,
        )
        self.current.started(state)
        return self.current

    def list_player(self, listed: bool) -> None:
        """The player's choice about the room's leaderboard, for the runs they have played in this cohort
        and the ones to come. Raises StoreError when the store cannot take it, and nothing changes: the
        player asked for this one thing and must hear that it did not happen."""
        store = self.store()
        if store is None:
            raise StoreError(self._problem or "the results store cannot be opened")
        store.list_player(Listing(self.player_id, self.cohort, listed))
        self.listed = listed

    def moved(self, state: RunState) -> None:
        if self.current is not None and state.history:
            self.current.decided(state)

    def finished(self, state: RunState) -> None:
        if self.current is not None:
            self.current.finished(state)

    def take_problem(self) -> str | None:
        """The first failure, once: the front end shows it and play goes on."""
        problem = self._problem or (self.current.problem if self.current else None)
        if problem is None or self._reported:
            return None
        self._reported = True
        return f"Results are not being recorded: {problem}"
