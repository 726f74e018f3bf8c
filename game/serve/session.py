"""One served session: the game in a browser tab, with a join step, a resume code and results in the store.

A page refresh or a dropped connection ends this process and a new one starts, so a run's progress
lives in the results store, not here: the player joins again with their resume code and the run is
replayed from its recorded decisions, exactly where it was.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from game.app import TightropeApp
from game.engine import ChoiceError, Engine, Move, RunState
from game.recording import ResultsLog
from game.scenario.models import Scenario
from game.screens.join import Joined, JoinScreen, slowdown
from game.serve.attempts import JOIN_ADMITTED, JOIN_REFUSED, SERVER_EVENT
from game.serve.settings import SessionSettings
from game.store import StoreError
from game.widgets.scenario_list import Entry

if TYPE_CHECKING:  # imported after the first frame, with what play needs (game.app.FOR_PLAY)
    from game.roomreport import Library


class ServedApp(TightropeApp):
    def __init__(
        self,
        entries: Sequence[Entry],
        settings: SessionSettings,
        *,
        data: Path,
        tick_every: float | None = 1.0,
        lock_for: Callable[[int], float] = slowdown,
    ) -> None:
        super().__init__(entries, no_timers=settings.no_timers, tick_every=tick_every, data=data)
        self.session = settings
        self.lock_for = lock_for
        self.failures = settings.refused_before
        self.results = ResultsLog(settings.store, player_id=secrets.token_hex(16), cohort=settings.cohort)
        self.challenges = settings.goals()
        self.leaderboard = settings.leaderboard
        self._continuing: tuple[str, str] | None = None  # (run id, resume code) of a run being picked up

    def greet(self) -> None:
        self._ask_to_join()

    def _ask_to_join(self, problem: str = "") -> None:
        screen = JoinScreen(
            join_code=self.session.join_code,
            room=self.session.cohort,
            problem=problem,
            failures=self.failures,
            lock_for=self.lock_for,
            leaderboard=self.leaderboard,
            room_guessing=self.session.room_guessing,
        )
        self.push_screen(screen, self._joined)

    def on_join_screen_code_refused(self, message: JoinScreen.CodeRefused) -> None:
        self.failures += 1
        self._tell_server(JOIN_REFUSED)

    def _tell_server(self, event: str) -> None:
        # textual-serve carries nothing of an app's own to its server; a link it is asked to open, which
        # the server keeps for itself (game.serve.server), is the one way that is Textual's public API.
        if self.is_web:
            self.open_url(f"{SERVER_EVENT}:{event}")

    def _joined(self, joined: Joined | None) -> None:
        if joined is None:
            return
        self._tell_server(JOIN_ADMITTED)
        assert self.results is not None
        self.profile = self.profile.named(joined.name)
        self.results.player_name = joined.name
        self.results.listed = joined.listed  # a new player id: no runs of theirs to list yet
        # A room reaches its debriefs at about the same moment; what each needs that does not depend on
        # the run (every scenario's facts, the achievements) is loaded now, while the player reads.
        self.run_worker(partial(_prepare_debrief, self.library), thread=True, exit_on_error=False)
        self._refresh_picker()
        if joined.resume_code:
            self._pick_up(joined.resume_code, listed=joined.listed)
        elif self.session.pinned_scenario:
            scenario = self._scenario(self.session.pinned_scenario)
            if scenario is not None:
                self.start(scenario)

    def _scenario(self, scenario_id: str) -> Scenario | None:
        # Only the served folder's scenarios can ever be played: an id is looked up, never a path.
        for entry in self.picker.entries:
            # The catalogue knows each id without loading the file: only the match is loaded.
            if entry.playable and entry.id == scenario_id:
                return entry.scenario
        return None

    def _pick_up(self, code: str, *, listed: bool = False) -> None:
        assert self.results is not None
        store = self.results.store()
        run = store.run_by_resume_code(code) if store is not None else None
        if run is None:
            self.failures += 1
            self._ask_to_join(
                f"No run has the resume code {code}. Check it, or leave it empty to start afresh."
            )
            return
        if run.finished:
            self.notify("That run is already finished: pick a scenario to play again.", markup=False)
            return
        scenario = self._scenario(run.start.scenario_id)
        if scenario is None or store is None:
            self.notify("That run's scenario is not served here any more.", severity="warning", markup=False)
            return
        moves = tuple(
            Move(scene=d.scene_id, choice=d.choice_id, timed_out=d.timed_out, seconds=d.seconds)
            for d in store.decisions([run.start.run_id])
        )
        engine = Engine(scenario)
        try:
            state, _ = engine.replay(moves)
        except ChoiceError:
            self.notify(
                "That run no longer fits the scenario: starting afresh.", severity="warning", markup=False
            )
            self.start(scenario)
            return
        self.results.player_id = run.start.player_id
        # Ticking the box lists the player's earlier runs too; leaving it alone keeps their earlier
        # choice (coming off the board is a choice made on the debrief, not by a box left unticked).
        if listed and not run.start.listed:
            try:
                self.results.list_player(True)
            except StoreError as exc:
                self.notify(f"Your name could not be put on the leaderboard: {exc}", markup=False)
        else:
            self.results.listed = run.start.listed
        self._continuing = (run.start.run_id, run.start.resume_code)
        self._play(engine, state)

    def start(self, scenario: Scenario) -> None:
        # Served sessions keep no local saves: progress lives in the store, behind the resume code.
        engine = Engine(scenario)
        self._play(engine, engine.start())

    def begin_recording(self, engine: Engine, state: RunState, baseline: tuple[Move, ...] | None) -> None:
        assert self.results is not None
        if self._continuing is not None:
            run_id, code = self._continuing
            self._continuing = None
            self.results.begin(engine, state, run_id=run_id, resume_code=code)
        else:
            super().begin_recording(engine, state, baseline)
        self._report_results_problem()
        current = self.results.current
        if current is not None:
            self.sub_title = f"resume code {current.resume_code}"
            self.notify(
                f"Your resume code is {current.resume_code}. If the page reloads, join again with it.",
                title="Resume code",
                markup=False,
                timeout=30,
            )


def _prepare_debrief(library: Library) -> None:
    from scoring.achievements import load_achievements

    library.get()
    load_achievements()


def run_session(settings: SessionSettings, entries: Sequence[Entry]) -> None:
    data = Path(tempfile.mkdtemp(prefix="tightrope-session-"))
    try:
        ServedApp(entries, settings, data=data).run()
    finally:
        shutil.rmtree(data, ignore_errors=True)
