"""A scripted room for the dashboard's tests: a fixture scenario and ten runs recorded at fixed times.

Importing this module loads no Textual, so the command's unit tests fill their stores with it too.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game.engine import Engine, RunState
from game.recording import RunRecorder
from game.scenario import Scenario, load_file
from game.store import ResultsStore, open_store
from scoring import load_catalogue

if TYPE_CHECKING:
    from game.dashboard.app import DashboardApp

HERE = Path(__file__).parent
SCENARIO_FILE = HERE / "handover.yaml"
COHORT = "tuesday"
MARKUP_NAME = "[bold]Mallory[/bold] [red]x"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
READ_AT = datetime(2026, 3, 2, 9, 30, 15, tzinfo=UTC)


@dataclass(frozen=True)
class Run:
    """A player's moves: choice ids, `timeout` for a scene timer that ran out."""

    name: str
    moves: tuple[str, ...]
    rewind_of: int | None = None  # index of the run this one was rewound from
    rewind_at: int = 0  # decisions kept from that run


SCRIPT: tuple[Run, ...] = (
    Run("Ann", ("ask", "rewrite")),
    Run("Bo", ("ask", "enforce")),
    Run("Chen", ("blame", "enforce")),
    Run("Dara", ("blame", "timeout")),
    Run("Eli", ("shrug", "later")),
    Run("Fatima", ("ask",)),
    Run("Gus", ("blame",)),
    Run(MARKUP_NAME, ("ask", "rewrite")),
    Run("Ivy", ()),
    Run("Ann", ("enforce",), rewind_of=0, rewind_at=1),
)


def scenario() -> Scenario:
    loaded = load_file(SCENARIO_FILE, load_catalogue())
    assert loaded.scenario is not None, loaded.problems
    return loaded.scenario


def ticks() -> Iterator[str]:
    moment = START
    while True:
        yield moment.isoformat(timespec="milliseconds")
        moment += timedelta(seconds=20)


def fill(
    store: ResultsStore, script: Sequence[Run] = SCRIPT, *, cohort: str = COHORT, prefix: str = ""
) -> list[str]:
    """Play `script` into `store`, one run after the other; return the run ids (each begins with `prefix`)."""
    engine = Engine(scenario())
    clock = ticks()
    run_ids: list[str] = []
    states: list[RunState] = []
    for number, run in enumerate(script):
        run_id = f"{prefix}run-{number:02d}"
        state = engine.start()
        rewound_from = None
        if run.rewind_of is not None:
            state = engine.rewind(states[run.rewind_of], run.rewind_at)
            rewound_from = run_ids[run.rewind_of]
        recorder = RunRecorder(
            store,
            engine,
            player_id=f"player-{run.name}",
            player_name=run.name,
            cohort=cohort,
            clock=lambda: next(clock),
            run_id=run_id,
            resume_code=f"{prefix}CODE{number:02d}",
            rewound_from=rewound_from,
        )
        recorder.started(state)
        for move in run.moves:
            state = play(engine, state, move)
            recorder.decided(state)
        if engine.is_over(state):
            recorder.finished(state)
        assert recorder.problem is None, recorder.problem
        run_ids.append(run_id)
        states.append(state)
    return run_ids


def play(engine: Engine, state: RunState, move: str) -> RunState:
    if move == "timeout":
        return engine.time_out(state, seconds=30.0).state
    return engine.choose(state, move, seconds=4.0).state


def filled_store(path: Path) -> Path:
    store = open_store(path)
    fill(store)
    store.close()
    return path


def dashboard(path: Path, **options: Any) -> DashboardApp:
    """The dashboard on the store at `path`, with the clock and time zone pinned and no polling."""
    from game.dashboard.app import DashboardApp

    options.setdefault("every", None)
    options.setdefault("clock", lambda: READ_AT)
    options.setdefault("timezone", UTC)
    options.setdefault("cohort", COHORT)
    return DashboardApp(lambda: open_store(path), [scenario()], **options)
