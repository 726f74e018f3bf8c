"""The results store's behaviour, the same on every backend: each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from game.engine import Engine
from game.recording import RunRecorder
from game.scenario import load_file
from game.store import DecisionRow, Listing, RunFinish, StoreError, open_store
from game.store.schema import LATEST, MIGRATIONS
from game.store.sql import Statement, Write, statements
from scoring import load_catalogue
from tests.store.conftest import Backend
from tests.store.workers import decision, finish, open_and_close, start, write_runs


def test_a_run_is_recorded_and_read_back(backend: Backend) -> None:
    store = open_store(backend.target)
    store.start_run(start())
    store.record_decision(decision(seq=0))
    store.record_decision(decision(seq=1))
    store.finish_run(finish())
    (run,) = store.runs()
    assert run.start == start() and run.finish == finish() and run.decisions == 2
    assert store.decisions(["r1"]) == [decision(seq=0), decision(seq=1)]
    store.close()


def test_seconds_and_timeouts_read_back_exactly(backend: Backend) -> None:
    store = open_store(backend.target)
    store.start_run(start())
    exact = [decision(seq=0, seconds=1.2345678901234), decision(seq=1, seconds=None)]
    timed_out = DecisionRow("r1", 2, "scene", "late", True, 30.0, 40, 40, 40, "2026-01-01T00:01:00")
    for row in [*exact, timed_out]:
        store.record_decision(row)
    assert store.decisions(["r1"]) == [*exact, timed_out]
    store.close()


def test_writes_are_idempotent(backend: Backend) -> None:
    store = open_store(backend.target)
    for _ in range(2):
        store.start_run(start())
        store.record_decision(decision())
        store.finish_run(finish())
    # A second finish with other numbers does not overwrite the first.
    store.finish_run(RunFinish("r1", "later", "other", "Other", "poor", "apathy", 1, 1, 1, 1))
    (run,) = store.runs()
    assert run.decisions == 1 and run.finish == finish()
    store.close()


def test_a_decision_for_an_unknown_run_is_refused_in_one_line(backend: Backend) -> None:
    store = open_store(backend.target)
    with pytest.raises(StoreError, match="cannot write to the results store") as error:
        store.record_decision(decision("nobody"))
    assert "\n" not in str(error.value)
    assert store.decisions(["nobody"]) == []
    store.close()


def test_a_write_is_all_or_nothing(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write's statements (a decision and the columns derived from it) commit together or not at all."""
    store = open_store(backend.target)
    store.start_run(start())

    def failing_last(write: Write) -> list[Statement]:
        return [*statements(write), ("SELECT nothing FROM no_such_table", ())]

    monkeypatch.setattr(
        f"game.store.{backend.name.replace('postgresql', 'postgres')}.statements", failing_last
    )
    with pytest.raises(StoreError):
        store.record_decision(decision(seq=0))
    monkeypatch.undo()
    assert store.decisions(["r1"]) == []
    assert backend.sql("SELECT decision_count, last_seq FROM runs") == [(0, None)]
    store.record_decision(decision(seq=0))
    assert store.decisions(["r1"]) == [decision(seq=0)]
    assert backend.sql("SELECT decision_count, last_seq FROM runs") == [(1, 0)]
    store.close()


def test_filters_and_resume_codes(backend: Backend) -> None:
    store = open_store(backend.target)
    store.start_run(start("a", cohort="mon"))
    store.start_run(start("b", cohort="tue", scenario="repair"))
    store.start_run(start("c", cohort="tue", player="p2"))
    assert [r.start.run_id for r in store.runs(cohort="tue")] == ["b", "c"]
    assert [r.start.run_id for r in store.runs(cohort="tue", scenario_id="repair")] == ["b"]
    assert [r.start.run_id for r in store.runs(player_id="p2")] == ["c"]
    found = store.run_by_resume_code("Cb")
    assert found is not None and found.start.run_id == "b" and not found.finished
    assert store.run_by_resume_code("nope") is None
    assert store.decisions([]) == []
    store.close()


def test_nobody_is_listed_until_they_choose_and_a_choice_covers_their_runs_in_the_cohort(
    backend: Backend,
) -> None:
    store = open_store(backend.target)
    store.start_run(start("a"))
    store.start_run(replace(start("b"), listed=True))
    store.start_run(start("c", player="p2"))
    store.start_run(start("d", cohort="another room"))
    assert {r.start.run_id: r.start.listed for r in store.runs()} == {
        "a": False,
        "b": True,
        "c": False,
        "d": False,
    }
    store.list_player(Listing("p1", "room", listed=True))
    assert {r.start.run_id for r in store.runs() if r.start.listed} == {"a", "b"}
    store.list_player(Listing("p1", "room", listed=False))
    store.list_player(Listing("p1", "room", listed=False))  # idempotent, like every write
    assert not any(r.start.listed for r in store.runs())
    (now,) = [n for n in store.runs_now() if n.run.start.run_id == "b"]
    assert now.run.start == start("b") and now.last is None
    store.close()


def test_a_store_from_schema_3_lists_nobody_after_migrating(backend: Backend) -> None:
    backend.sql("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    backend.sql("INSERT INTO schema_version (version) VALUES (3)")
    for statement in (s for migration in MIGRATIONS[:3] for s in migration):
        backend.sql(statement)
    backend.sql(
        "INSERT INTO runs (run_id, player_id, player_name, cohort, scenario_id, scenario_title, started_at, "
        "resume_code) VALUES ('old', 'p1', 'Ann', 'room', 'near-miss', 'The Near Miss', "
        "'2026-01-01T00:00:00', 'Cold')"
    )
    store = open_store(backend.target)
    (run,) = store.runs()
    assert run.start == start("old") and not run.start.listed
    store.close()
    assert backend.sql("SELECT version FROM schema_version") == [(LATEST,)]


def test_schema_is_versioned_and_reopening_keeps_data(backend: Backend) -> None:
    first = open_store(backend.target)
    first.start_run(start())
    first.close()
    reopened = open_store(backend.target)
    assert len(reopened.runs()) == 1
    reopened.close()
    assert backend.sql("SELECT version FROM schema_version") == [(LATEST,)]


def test_a_store_from_a_newer_version_is_refused_in_one_line(backend: Backend) -> None:
    open_store(backend.target).close()
    backend.sql("UPDATE schema_version SET version = 99")
    with pytest.raises(StoreError, match="newer Tightrope") as error:
        open_store(backend.target)
    assert "\n" not in str(error.value)


def _run_at_once(target: Callable[..., None], argsets: list[tuple[object, ...]]) -> None:
    """Run `target` in one spawned process per argument set, all released at the same moment."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(argsets))
    workers = [context.Process(target=target, args=(*args, barrier)) for args in argsets]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=180)
    assert [worker.exitcode for worker in workers] == [0] * len(workers)


def test_twenty_processes_opening_a_new_store_at_once_migrate_it_once(backend: Backend) -> None:
    _run_at_once(open_and_close, [(backend.target,)] * 20)
    assert backend.sql("SELECT version FROM schema_version") == [(LATEST,)]


def test_twenty_processes_writing_at_once_lose_nothing(backend: Backend) -> None:
    open_store(backend.target).close()
    _run_at_once(write_runs, [(backend.target, w, 5) for w in range(20)])
    store = open_store(backend.target)
    runs = store.runs()
    assert len(runs) == 100
    assert all(r.finished and r.decisions == 4 for r in runs)
    assert len(store.decisions([r.start.run_id for r in runs])) == 400
    store.close()


def test_recorder_writes_a_played_run(backend: Backend, tiny_path: Path) -> None:
    scenario = load_file(tiny_path, load_catalogue()).scenario
    assert scenario is not None
    engine = Engine(scenario)
    store = open_store(backend.target)
    ticks = iter(f"2026-01-01T00:00:0{n}" for n in range(10))
    recorder = RunRecorder(
        store, engine, player_id="p", player_name="Ann", cohort="room", clock=lambda: next(ticks)
    )
    state = engine.start()
    recorder.started(state)
    for choice_id in ("thank", "review"):
        state = engine.choose(state, choice_id, seconds=1.0).state
        recorder.decided(state)
    recorder.finished(state)
    (run,) = store.runs(cohort="room")
    assert run.finish is not None
    assert (run.finish.zone, run.finish.score, run.finish.ending_tone) == ("learning", 66, "good")
    assert [(d.choice_id, d.safety, d.standards) for d in store.decisions([run.start.run_id])] == [
        ("thank", 55, 50),
        ("review", 55, 60),
    ]
    assert recorder.problem is None
    store.close()


def test_recorder_reports_a_closed_store_and_play_goes_on(backend: Backend, tiny_path: Path) -> None:
    scenario = load_file(tiny_path, load_catalogue()).scenario
    assert scenario is not None
    store = open_store(backend.target)
    store.close()
    recorder = RunRecorder(store, Engine(scenario), player_id="p", player_name="Ann")
    recorder.started(Engine(scenario).start())
    assert recorder.problem is not None and "results store" in recorder.problem
