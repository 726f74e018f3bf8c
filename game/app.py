"""The Textual App: which screen follows which, the bindings, the themes and the command palette."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, NamedTuple, cast

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme

from game.paths import data_dir, shipped
from game.profile import Profile, ProfileStore
from game.saves import SavedRun, Saves
from game.screens.picker import PickerScreen
from game.settings import Settings, SettingsStore

# Screens other than the picker are imported when first shown, and the engine when a scenario is
# started: the picker's first frame comes sooner.
if TYPE_CHECKING:
    from textual.worker import Worker

    from game.engine import Engine, Move, RunState
    from game.recording import ResultsLog
    from game.room_board import BoardView
    from game.roomreport import Library, Reckoning, RoomGoal, Standing
    from game.scenario.models import Scenario
    from game.screens.debrief import DebriefScreen
    from game.screens.play import PlayScreen
    from game.store import ResultsStore
    from game.store.base import StoreOpener
    from game.widgets.scenario_list import Entry
    from scoring import Challenge, Debrief

# What playing a scenario through to its debrief needs, imported in a thread once the first frame is up:
# while the player reads, not in the middle of a key press. Not the loader (YAML, pydantic): a scenario
# comes from the catalogue's cache unless its file changed, and a browser session should not carry them.
FOR_PLAY = (
    "game.engine",
    "game.screens.play",
    "game.screens.resume",
    "game.screens.debrief",
    "game.roomreport",
    "game.offers",
)


def _import_for_play() -> None:
    for module in FOR_PLAY:
        importlib.import_module(module)


THEMES = {
    "dark": Theme(
        name="tightrope-dark",
        primary="#4EA8DE",
        secondary="#9D7CD8",
        accent="#E0AF68",
        success="#73C991",
        warning="#E0AF68",
        error="#F7768E",
        foreground="#D8DEE9",
        background="#15161E",
        surface="#1E2030",
        panel="#2A2E42",
        dark=True,
    ),
    "light": Theme(
        name="tightrope-light",
        primary="#1F5F99",
        secondary="#6B4FBB",
        accent="#A35200",
        success="#2E7D32",
        warning="#8A5A00",
        error="#C62828",
        foreground="#1E1E1E",
        background="#F6F5F0",
        surface="#FFFFFF",
        panel="#E4E1D6",
        dark=False,
    ),
}


class Ending(NamedTuple):
    """A run at its ending: the debrief of the run it was rewound from, and what it earned (being
    worked out on a thread from the moment the ending was reached)."""

    state: RunState
    original: Debrief | None
    earned: asyncio.Future[Reckoning]


class TightropeApp(App[None]):
    TITLE = "Tightrope"
    CSS_PATH = str(shipped("assets") / "tightrope.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,f1", "help", "Help", show=False),
        Binding("f2", "toggle_theme", "Light/dark", show=False),
    ]

    def __init__(
        self,
        entries: Sequence[Entry],
        *,
        direct: Scenario | None = None,
        no_timers: bool = False,
        tick_every: float | None = 1.0,
        data: Path | None = None,
        empty_note: str = "",
    ) -> None:
        super().__init__()
        folder = data if data is not None else data_dir()
        self.saves, self.profiles, self.settings_store = (
            Saves(folder / "saves"),
            ProfileStore(folder),
            SettingsStore(folder),
        )
        self.picker = PickerScreen(entries, empty_note=empty_note)
        self.direct, self.no_timers, self.tick_every = direct, no_timers, tick_every
        # The player's files are read here (they are small, and need no pydantic) so that the theme is
        # set before the stylesheet is first parsed: see `refresh_css`.
        settings, profile = self.settings_store.load(), self.profiles.load()
        self.settings, self.profile = settings.value or Settings(), profile.value or Profile()
        self._read_problems = [settings.problem, profile.problem]
        for theme in THEMES.values():
            self.register_theme(theme)
        self.theme = THEMES[self.settings.theme].name

    def refresh_css(self, animate: bool = True) -> None:
        # Setting the theme in __init__ queues a refresh that runs before any screen exists. Nothing has
        # been styled yet, so the stylesheet needs only the theme's variables for its first parse; a full
        # re-parse here would parse all of the game's CSS twice before the first frame.
        if not self.screen_stack:
            self.stylesheet.set_variables(self.get_css_variables())
            return
        super().refresh_css(animate)

    def get_default_screen(self) -> PickerScreen:
        """The picker is the first screen (no blank screen under it to compose and render first)."""
        return self.picker

    def on_mount(self) -> None:
        self._refresh_picker(problems=self._read_problems)
        self.greet()
        # Once the first frame is up, so that the first scenario picked starts without this wait.
        self.call_after_refresh(self.run_worker, _import_for_play, thread=True, exit_on_error=False)

    def greet(self) -> None:
        """The first thing after the picker appears: ask a new player's name, or open `play SCENARIO`."""
        if self.profile.name is None:
            from game.screens.name import NamePrompt

            self.push_screen(NamePrompt(), self._named_then_start)
        elif self.direct is not None:
            self.start(self.direct)

    def _named_then_start(self, name: str | None) -> None:
        self._named(name)
        if self.direct is not None:
            self.start(self.direct)

    def _named(self, name: str | None) -> None:
        self.profile = self.profile.named(name or "")
        self._store_profile()
        if self.results is not None and self.profile.name:
            self.results.player_name = self.profile.name
        self._refresh_picker()

    def _refresh_picker(self, problems: Iterable[str | None] = ()) -> None:
        saved = self.saves.in_progress()
        problems = [*problems, *(read.problem for read in saved.values())]
        for problem in filter(None, problems):
            self.picker.show_notice(problem)
            self.notify(problem, severity="warning", markup=False, timeout=10)
        self.picker.show_progress(self.profile, {sid for sid, read in saved.items() if read.problem is None})
        self._refresh_room_goals()

    def _store_profile(self) -> None:
        try:
            self.profiles.save(self.profile)
        except OSError as exc:
            self.notify(f"Your profile could not be saved: {exc}", severity="error", markup=False)

    # Starting, resuming and finishing runs.

    def on_picker_screen_picked(self, message: PickerScreen.Picked) -> None:
        self.start(message.scenario)

    def start(self, scenario: Scenario) -> None:
        from game.engine import ChoiceError, Engine

        engine = Engine(scenario)
        read = self.saves.load(scenario.id)
        if read.problem:
            self.notify(read.problem, severity="warning", markup=False, timeout=10)
        if read.value is None:
            self._play(engine, engine.start())
            return
        saved = read.value
        try:
            state, _ = engine.replay(saved.moves)
        except ChoiceError as exc:
            problem = self.saves.set_aside(scenario.id, f"it no longer fits the scenario: {exc}")
            self.notify(problem, severity="warning", markup=False, timeout=10)
            self._play(engine, engine.start())
            return
        heading = engine.scene(state).heading(state.scene)

        def answered(resume: bool | None) -> None:
            if resume:
                self._play(engine, state, saved.baseline)
            elif resume is False:
                self.saves.discard(scenario.id)
                self._play(engine, engine.start())

        from game.screens.resume import ResumeDialog

        self.push_screen(ResumeDialog(scenario.title, heading, len(saved.moves)), answered)

    def _play(self, engine: Engine, state: RunState, baseline: tuple[Move, ...] | None = None) -> None:
        from game.screens.debrief import DebriefScreen
        from game.screens.play import PlayScreen

        if engine.is_over(state):
            self.post_message(PlayScreen.Finished(engine, state, baseline))
            return
        self.begin_recording(engine, state, baseline)
        screen = PlayScreen(
            engine,
            state,
            saves=self.saves,
            explain_each_choice=self.settings.explain_each_choice,
            timers=self.settings.timers and not self.no_timers,
            tick_every=self.tick_every,
            baseline=baseline,
            on_move=self.record_move,
        )
        if isinstance(self.screen, DebriefScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def on_play_screen_ended(self, message: PlayScreen.Ended) -> None:
        message.stop()
        self._ending_reached(message.engine, message.state, message.baseline)

    def _ending_reached(self, engine: Engine, state: RunState, baseline: tuple[Move, ...] | None) -> Ending:
        """Record the finish (the room's goals count this run) and start working out what the run earned,
        while the player reads what their last choice did; once per run."""
        if self._ending is not None and self._ending.state == state:
            return self._ending
        if self.results is not None:
            self.results.finished(state)
            self._report_results_problem()
        original = self._debrief_of(engine, baseline)
        earned = asyncio.ensure_future(asyncio.to_thread(self._reckoner(engine, state, original)))
        self._ending = Ending(state, original, earned)
        return self._ending

    async def on_play_screen_finished(self, message: PlayScreen.Finished) -> None:
        from game.screens.debrief import DebriefScreen
        from game.screens.play import PlayScreen

        engine, state = message.engine, message.state
        _, original, earned = self._ending_reached(engine, state, message.baseline)
        self._ending = None
        debrief = engine.debrief(state)
        self.profile = self.profile.finished(state.scenario_id, state.scene, debrief.zone, debrief.score)
        self._store_profile()
        self.saves.discard(state.scenario_id)
        # Shown with the rest of the debrief when it is quickly ready (a served player's usually is): a
        # second pass of styling and layout over the whole screen for it costs more than the wait.
        await asyncio.wait([earned], timeout=self.RECKONING_WAIT)
        screen = DebriefScreen(engine, state, debrief, original=original, earned=earned)
        if isinstance(self.screen, PlayScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def _debrief_of(self, engine: Engine, moves: tuple[Move, ...] | None) -> Debrief | None:
        from game.engine import ChoiceError

        if moves is None:
            return None
        try:
            return engine.debrief(engine.replay(moves)[0])
        except ChoiceError:
            return None

    def on_play_screen_left(self) -> None:
        self._back_to_picker()

    def on_debrief_screen_closed(self) -> None:
        self._back_to_picker()

    def on_debrief_screen_replay_requested(self, message: DebriefScreen.ReplayRequested) -> None:
        self._play(message.engine, message.engine.start())

    def on_debrief_screen_rewind_requested(self, message: DebriefScreen.RewindRequested) -> None:
        engine, original = message.engine, message.state
        state = engine.rewind(original, message.index)
        try:
            self.saves.write(
                SavedRun(scenario_id=state.scenario_id, moves=state.history, baseline=original.history)
            )
        except OSError as exc:
            self.notify(f"Progress could not be saved: {exc}", severity="error", markup=False)
        self._play(engine, state, original.history)

    def _back_to_picker(self) -> None:
        self._pop_to_picker()
        self._refresh_picker()

    def _pop_to_picker(self) -> None:
        while self.screen is not self.picker and len(self.screen_stack) > 1:
            self.pop_screen()

    # Recording runs into the results store, so a trainee's history and a cohort's choices are kept.

    results: ResultsLog | None = None

    def begin_recording(self, engine: Engine, state: RunState, baseline: tuple[Move, ...] | None) -> None:
        self._ending = None  # a new run: what the last one earned is not this one's, however it was played
        results = self.results_log()
        previous = results.current
        rewound_from = previous.run_id if baseline is not None and previous is not None else None
        results.begin(engine, state, rewound_from=rewound_from)
        self._report_results_problem()

    def record_move(self, state: RunState) -> None:
        if self.results is not None:
            self.results.moved(state)
            self._report_results_problem()

    def _report_results_problem(self) -> None:
        problem = self.results.take_problem() if self.results else None
        if problem:
            self.notify(problem, severity="warning", markup=False, timeout=10)

    store_target: str | None = None
    """The terminal's results store (None: `results.sqlite3` in the data folder)."""

    def results_log(self) -> ResultsLog:
        """Where runs are recorded: a served session's own log, else this machine's store under its player
        id (`game.identity`), so a trainee's record is the same wherever they use that identity."""
        if self.results is None:
            from game.identity import local_player_id
            from game.recording import ResultsLog

            folder = self.profiles.path.parent
            target = self.store_target or str(folder / "results.sqlite3")
            name = self.profile.name or ""
            self.results = ResultsLog(target, player_id=local_player_id(folder), player_name=name)
        return self.results

    # Rewards: what a run earned, the player's record and the room's goals. All of it is read from the
    # results store on worker threads: the store may be a database across the network, and judging a
    # run needs every scenario on the shelf loaded.

    challenges: tuple[Challenge, ...] = ()
    """The room's goals (`tightrope serve --challenge`); none in the terminal."""
    leaderboard: bool = False
    """The room has an opt-in leaderboard (`tightrope serve --leaderboard`); never in the terminal."""
    UNLOCKS_SHOWN: ClassVar[int] = 3
    RECKONING_WAIT: ClassVar[float] = 0.25
    """Seconds the debrief waits for what the run earned before it shows "counting" in its place."""
    _ending: Ending | None = None
    """The run that just reached its ending, and what it earned, worked out since."""

    @cached_property
    def library(self) -> Library:
        from game.roomreport import Library

        entries = self.picker.entries
        return Library(lambda: [s for e in entries if e.playable and (s := e.scenario) is not None])

    def _store_opener(self) -> StoreOpener:
        """Opens the store afresh: a worker thread needs its own connection."""
        target = self.results_log().target

        def open_on_worker() -> ResultsStore:
            from game.store import open_store

            return open_store(target)

        return open_on_worker

    def _reckoner(self, engine: Engine, state: RunState, original: Debrief | None) -> Callable[[], Reckoning]:
        """What the debrief runs on a worker: this run's rewards after the player's other runs."""
        results = self.results_log()
        run_id = results.current.run_id if results.current is not None else None
        opener, library, challenges = self._store_opener(), self.library, self.challenges
        player_id, cohort, scenario = results.player_id, results.cohort, engine.scenario
        origin = original.zone if original is not None else None
        leaderboard, listed = self.leaderboard, results.listed

        def reckon() -> Reckoning:
            from game.offers import run_view
            from game.roomreport import reckon_run

            run = run_view(scenario, state, rewound_from_zone=origin, run_id=run_id)
            return reckon_run(
                opener,
                library,
                run,
                player_id=player_id,
                challenges=challenges,
                cohort=cohort,
                leaderboard=leaderboard,
                listed=listed,
            )

        return reckon

    def on_debrief_screen_earned(self, message: DebriefScreen.Earned) -> None:
        rewards = message.reckoning.rewards
        new = rewards.new if rewards is not None else ()
        # One notification per unlock; past a few they would cover the debrief, so the rest share one
        # (a single one left over gets its own: a shared notification would save nothing).
        cut = len(new) if len(new) <= self.UNLOCKS_SHOWN + 1 else self.UNLOCKS_SHOWN
        shown, rest = new[:cut], new[cut:]
        for achievement in shown:
            self.notify(
                f"🏆 Achievement: {achievement.name} — {achievement.description}", markup=False, timeout=8
            )
        if rest:
            names = ", ".join(achievement.name for achievement in rest)
            self.notify(f"🏆 {len(rest)} more achievements: {names}", markup=False, timeout=8)

    def on_debrief_screen_listing_changed(self, message: DebriefScreen.ListingChanged) -> None:
        self.change_listing(message.listed)

    def change_listing(self, listed: bool) -> None:
        """Write the player's choice about the room's leaderboard; a debrief showing the board shows it
        again as the store now has it."""
        from game.screens.debrief import DebriefScreen
        from game.store import StoreError

        results = self.results_log()
        try:
            results.list_player(listed)
        except StoreError as exc:
            self.notify(f"The leaderboard could not be changed: {exc}", severity="error", markup=False)
            return
        self.notify(
            "Your name is on the leaderboard." if listed else "Your name is off the leaderboard.",
            markup=False,
        )
        shown = self.screen.board if isinstance(self.screen, DebriefScreen) else None
        if shown is None:
            return
        scenario_id, opener = shown.board.scenario_id, self._store_opener()
        cohort, player_id = results.cohort, results.player_id

        def read() -> BoardView:
            from game.room_board import read_board

            return read_board(
                opener, scenario_id=scenario_id, cohort=cohort, player_id=player_id, listed=listed
            )

        self.run_worker(read, thread=True, exit_on_error=False, group="board", exclusive=True)

    def _record_reader(self) -> Callable[[], Standing]:
        opener, library, player_id = self._store_opener(), self.library, self.results_log().player_id

        def read() -> Standing:
            from game.roomreport import read_standing

            return read_standing(opener, library, player_id=player_id)

        return read

    def _refresh_room_goals(self) -> None:
        """The room's goals on the picker, read afresh each time it is shown."""
        if not self.challenges:
            return
        opener, library, challenges = self._store_opener(), self.library, self.challenges
        cohort = self.results_log().cohort

        def read() -> tuple[RoomGoal, ...]:
            from game.roomreport import read_goals

            return read_goals(opener, library, challenges, cohort=cohort)

        self.run_worker(read, thread=True, exit_on_error=False, group="room-goals", exclusive=True)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        from textual.worker import WorkerState

        if event.state is not WorkerState.SUCCESS:
            return
        if event.worker.group == "room-goals":
            self.picker.show_goals(cast("tuple[RoomGoal, ...]", event.worker.result))
        elif event.worker.group == "board":
            from game.screens.debrief import DebriefScreen

            if isinstance(self.screen, DebriefScreen):
                self.screen.show_board(cast("BoardView", event.worker.result))

    # Actions for keys and the command palette.

    def action_help(self) -> None:
        from game.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_settings(self) -> None:
        from game.screens.settings import SettingsScreen

        self.push_screen(SettingsScreen(self.settings, timers_forced_off=self.no_timers), self._set)

    def _set(self, settings: Settings | None) -> None:
        if settings is None:
            return
        self.settings = settings
        self.theme = THEMES[settings.theme].name
        try:
            self.settings_store.save(settings)
        except OSError as exc:
            self.notify(f"Settings could not be saved: {exc}", severity="error", markup=False)

    def action_toggle_theme(self) -> None:
        self._set(self.settings.in_light_theme(self.settings.theme == "dark"))

    def action_toggle_explanations(self) -> None:
        self._set(self.settings.explaining_each_choice(not self.settings.explain_each_choice))
        self.notify(
            "Explanations "
            + ("after each choice" if self.settings.explain_each_choice else "at the debrief only")
        )

    def action_toggle_timers(self) -> None:
        self._set(self.settings.changed(timers=not self.settings.timers))
        self.notify("Timers " + ("on" if self.settings.timers else "off") + " from the next scenario")

    def action_change_name(self) -> None:
        from game.screens.name import NamePrompt

        self.push_screen(NamePrompt(self.profile.name), self._named)

    def action_trophies(self) -> None:
        from game.screens.trophies import TrophyScreen

        if not isinstance(self.screen, TrophyScreen):
            self._show_record(TrophyScreen(self._record_reader()))

    def action_profile(self) -> None:
        from game.screens.profile import ProfileScreen

        if not isinstance(self.screen, ProfileScreen):
            self._show_record(ProfileScreen(self.profile.name, self._record_reader()))

    def _show_record(self, screen: Screen[None]) -> None:
        """Trophies and the profile take each other's place, so Esc goes back to where the player was."""
        from game.screens.profile import ProfileScreen
        from game.screens.trophies import TrophyScreen

        if isinstance(self.screen, TrophyScreen | ProfileScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield SystemCommand("Help", "Keys, and how the game scores a run", self.action_help)
        yield SystemCommand("Settings", "Explanations, timers and theme", self.action_settings)
        yield SystemCommand("Light or dark theme", "Switch the colour theme", self.action_toggle_theme)
        yield SystemCommand(
            "Explanations after each choice or at the debrief only",
            "At the debrief only is the harder mode",
            self.action_toggle_explanations,
        )
        yield SystemCommand("Timers on or off", "Whether timed scenes count down", self.action_toggle_timers)
        yield SystemCommand("Change your name", "What the game calls you", self.action_change_name)
        yield SystemCommand("Trophies", "Every achievement: earned, and still to earn", self.action_trophies)
        yield SystemCommand(
            "Your profile", "Level, XP and how often you practise each principle", self.action_profile
        )
        if self.leaderboard:
            listed = self.results_log().listed
            yield SystemCommand(
                "Leaderboard: take my name off" if listed else "Leaderboard: put my name on",
                "Whether the room's leaderboard shows your name and best score",
                partial(self.change_listing, not listed),
            )
        if screen is not self.picker:
            yield SystemCommand("Scenarios", "Back to the scenario picker", self._back_to_picker)
        yield from super().get_system_commands(screen)
