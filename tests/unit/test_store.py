"""The SQLite results store: schema migrations, idempotent writes, filters, and many writers at once."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from game.engine import Engine
from game.recording import RESUME_ALPHABET, RunRecorder, new_resume_code
from game.scenario import load_file
from game.store import DecisionRow, RunFinish, RunStart, StoreError, open_store
from game.store.schema import LATEST
from scoring import load_catalogue


def start(
    run_id: str = "r1", cohort: str = "room", scenario: str = "near-miss", player: str = "p1"
) -> RunStart:
    return RunStart(
        run_id, player, "Ann", cohort, scenario, "The Near Miss", "2026-01-01T00:00:00", f"C{run_id}"
    )


def decision(run_id: str = "r1", seq: int = 0) -> DecisionRow:
    return DecisionRow(run_id, seq, "scene", "choice", False, 2.5, 55, 45, 50, "2026-01-01T00:00:05")


def finish(run_id: str = "r1") -> RunFinish:
    return RunFinish(run_id, "2026-01-01T00:10:00", "end", "The end", "good", "learning", 70, 60, 55, 65)


def test_a_run_is_recorded_and_read_back(tmp_path: Path) -> None:
    store = open_store(tmp_path / "results.sqlite3")
    store.start_run(start())
    store.record_decision(decision(seq=0))
    store.record_decision(decision(seq=1))
    store.finish_run(finish())
    (run,) = store.runs()
    assert run.start == start() and run.finish == finish() and run.decisions == 2
    assert store.decisions(["r1"]) == [decision(seq=0), decision(seq=1)]


def test_writes_are_idempotent(tmp_path: Path) -> None:
    store = open_store(tmp_path / "results.sqlite3")
    for _ in range(2):
        store.start_run(start())
        store.record_decision(decision())
        store.finish_run(finish())
    # A second finish with other numbers does not overwrite the first.
    store.finish_run(RunFinish("r1", "later", "other", "Other", "poor", "apathy", 1, 1, 1, 1))
    (run,) = store.runs()
    assert run.decisions == 1 and run.finish == finish()


def test_filters_and_resume_codes(tmp_path: Path) -> None:
    store = open_store(tmp_path / "results.sqlite3")
    store.start_run(start("a", cohort="mon"))
    store.start_run(start("b", cohort="tue", scenario="repair"))
    store.start_run(start("c", cohort="tue", player="p2"))
    assert [r.start.run_id for r in store.runs(cohort="tue")] == ["b", "c"]
    assert [r.start.run_id for r in store.runs(cohort="tue", scenario_id="repair")] == ["b"]
    assert [r.start.run_id for r in store.runs(player_id="p2")] == ["c"]
    found = store.run_by_resume_code("Cb")
    assert found is not None and found.start.run_id == "b" and not found.finished
    assert store.run_by_resume_code("nope") is None


def test_schema_is_versioned_and_reopening_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite3"
    open_store(path).start_run(start())
    reopened = open_store(path)
    assert len(reopened.runs()) == 1
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(LATEST,)]
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_store_from_a_newer_version_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite3"
    open_store(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StoreError, match="newer Tightrope") as error:
        open_store(path)
    assert "\n" not in str(error.value)


def test_a_corrupt_store_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open the results store") as error:
        open_store(path)
    assert "\n" not in str(error.value)


def _write_runs(path: str, worker: int, runs: int) -> None:
    store = open_store(path)
    for n in range(runs):
        run_id = f"w{worker}-{n}"
        store.start_run(start(run_id))
        for seq in range(4):
            store.record_decision(decision(run_id, seq))
        store.finish_run(finish(run_id))
    store.close()


def test_twenty_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "results.sqlite3")
    open_store(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_runs, args=(path, w, 5)) for w in range(20)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    runs = open_store(path).runs()
    assert len(runs) == 100
    assert all(r.finished and r.decisions == 4 for r in runs)


def test_recorder_writes_a_played_run(tmp_path: Path, tiny_path: Path) -> None:
    scenario = load_file(tiny_path, load_catalogue()).scenario
    assert scenario is not None
    engine = Engine(scenario)
    store = open_store(tmp_path / "results.sqlite3")
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


def test_recorder_reports_a_failing_store_and_play_goes_on(tmp_path: Path, tiny_path: Path) -> None:
    scenario = load_file(tiny_path, load_catalogue()).scenario
    assert scenario is not None
    store = open_store(tmp_path / "results.sqlite3")
    store.close()
    recorder = RunRecorder(store, Engine(scenario), player_id="p", player_name="Ann")
    recorder.started(Engine(scenario).start())
    assert recorder.problem is not None and "results store" in recorder.problem


def test_resume_codes_are_short_and_unambiguous() -> None:
    codes = {new_resume_code() for _ in range(200)}
    assert len(codes) > 190
    assert all(len(code) == 6 and set(code) <= set(RESUME_ALPHABET) for code in codes)
    assert not set("01ILO") & set(RESUME_ALPHABET)
