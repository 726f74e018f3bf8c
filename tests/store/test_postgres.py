"""What only the PostgreSQL store does: keep play going, and every write, while the server is away.

These tests stop and start a real server (their own, so the rest of the suite is not disturbed) in the
middle of play, and kill a player's process while its writes are still waiting.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from game.engine import Engine, RunState
from game.paths import shipped
from game.recording import RunRecorder
from game.scenario import load_file
from game.store import Listing, ResultsStore, StoreError, open_store
from game.store.postgres import PostgresStore
from game.store.spool import Spool, decode, encode
from game.store.sql import Write
from scoring import load_catalogue
from tests.pg import PostgresServer
from tests.store.workers import decision, finish, start

REPOSITORY = Path(__file__).resolve().parents[2]
# Small, so that once the server is back the next write does not wait out a long backoff.
RETRY_SECONDS = 0.05


@pytest.fixture
def server(own_postgres_server: PostgresServer) -> Iterator[PostgresServer]:
    """This module's server, running again after every test whatever the test did to it."""
    yield own_postgres_server
    if not own_postgres_server.running:
        own_postgres_server.start()


def scripted_play() -> tuple[Engine, list[RunState]]:
    """The Near Miss played to its end, always the last choice offered: the state after each decision."""
    scenario = load_file(shipped("scenarios") / "near-miss.yaml", load_catalogue()).scenario
    assert scenario is not None
    engine = Engine(scenario)
    states = [engine.start()]
    while not engine.is_over(states[-1]):
        choice = engine.available(states[-1])[-1]
        assert choice.id is not None
        states.append(engine.choose(states[-1], choice.id, seconds=1.25 + len(states) / 10).state)
    return engine, states[1:]


def recorder_for(store: ResultsStore, engine: Engine) -> RunRecorder:
    ticks = iter(f"2026-01-01T00:00:{n:02d}.000+00:00" for n in range(60))
    return RunRecorder(
        store,
        engine,
        player_id="p",
        player_name="Ann",
        cohort="room",
        clock=lambda: next(ticks),
        run_id="outage",
        resume_code="OUTAGE",
    )


def spooled_lines(spool: Path | None) -> int:
    return len(spool.read_text().splitlines()) if spool is not None and spool.exists() else 0


def test_a_database_outage_mid_play_loses_nothing(server: PostgresServer, tmp_path: Path) -> None:
    engine, states = scripted_play()
    assert len(states) == 5
    store = PostgresStore(server.new_database(), retry_seconds=RETRY_SECONDS)
    recorder = recorder_for(store, engine)
    recorder.started(engine.start())
    recorder.decided(states[0])
    assert store.pending == 0

    server.stop()
    down = time.monotonic()
    waits = []
    for state in states[1:3]:
        began = time.monotonic()
        recorder.decided(state)  # must neither raise nor keep the player waiting
        waits.append(time.monotonic() - began)
    assert recorder.problem is None
    assert store.pending == 2 and spooled_lines(store.spool_path) == 2
    with pytest.raises(StoreError, match="cannot read the results store") as error:
        store.runs()
    assert "\n" not in str(error.value)

    server.start()
    outage = time.monotonic() - down
    time.sleep(RETRY_SECONDS * 8)  # past the backoff the failed attempts set
    began = time.monotonic()
    recorder.decided(states[3])  # writes the two queued decisions first, then this one
    catch_up = time.monotonic() - began
    assert store.pending == 0 and spooled_lines(store.spool_path) == 0
    recorder.decided(states[4])
    recorder.finished(states[4])
    assert recorder.problem is None

    # The same play recorded by a store that never lost its database.
    reference = open_store(tmp_path / "reference.sqlite3")
    reference_recorder = recorder_for(reference, engine)
    reference_recorder.started(engine.start())
    for state in states:
        reference_recorder.decided(state)
    reference_recorder.finished(states[-1])

    assert store.runs() == reference.runs() and store.runs()[0].decisions == 5
    assert store.decisions(["outage"]) == reference.decisions(["outage"])
    print(
        f"\noutage {outage:.2f}s; writes while down took at most {max(waits) * 1000:.1f} ms; "
        f"the first write after it (3 rows) took {catch_up * 1000:.1f} ms"
    )
    store.close()
    assert store.spool_path is not None and not store.spool_path.exists()


def test_a_server_restart_between_two_writes_goes_unnoticed(server: PostgresServer) -> None:
    store = PostgresStore(server.new_database())
    store.start_run(start())
    server.stop()
    server.start()
    store.record_decision(decision())  # the old connection is dead: it is reopened at once
    assert store.pending == 0 and store.spool_path is None
    assert store.runs()[0].decisions == 1
    store.close()


def test_writes_waiting_in_a_killed_process_are_written_by_the_next_store(
    server: PostgresServer, private_data_dir: Path
) -> None:
    target = server.new_database()
    player = subprocess.Popen(
        [sys.executable, "-m", "tests.store.workers", target],
        cwd=REPOSITORY,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert player.stdin is not None and player.stdout is not None

    def command(line: str) -> str:
        assert player.stdin is not None and player.stdout is not None
        player.stdin.write(line + "\n")
        player.stdin.flush()
        return player.stdout.readline().strip()

    try:
        assert command("start") == "ok 0"
        server.stop()
        assert [command("decide 0"), command("decide 1"), command("finish")] == ["ok 1", "ok 2", "ok 3"]
    finally:
        os.kill(player.pid, signal.SIGKILL)
        player.wait(timeout=30)
        player.stdin.close()
        player.stdout.close()
    (spool,) = (private_data_dir / "spool").glob("*.jsonl")
    assert len(spool.read_text().splitlines()) == 3

    server.start()
    store = open_store(target)
    (run,) = store.runs()
    assert run.finish == finish("crash") and store.decisions(["crash"]) == [
        decision("crash", 0),
        decision("crash", 1),
    ]
    assert not spool.exists()
    store.close()


def test_closing_while_the_server_is_away_leaves_the_writes_for_the_next_store(
    server: PostgresServer,
) -> None:
    target = server.new_database()
    store = PostgresStore(target)
    store.start_run(start())
    server.stop()
    store.record_decision(decision())
    store.finish_run(finish())
    store.close()  # one last attempt fails: the spool file stays
    assert spooled_lines(store.spool_path) == 2

    server.start()
    reopened = open_store(target)
    (run,) = reopened.runs()
    assert run.finish == finish() and run.decisions == 1
    reopened.close()
    assert store.spool_path is not None and not store.spool_path.exists()


def test_a_store_opened_while_the_server_is_away_writes_once_it_is_back(server: PostgresServer) -> None:
    target = server.new_database()
    with_password = target.replace("postgres@", "postgres:hunter2@")
    server.stop()
    with pytest.raises(StoreError, match="cannot open the results store") as error:
        open_store(with_password)
    assert "\n" not in str(error.value) and "hunter2" not in str(error.value)

    store = PostgresStore(with_password, queue_while_down=True, retry_seconds=RETRY_SECONDS)
    store.start_run(start())
    store.record_decision(decision())
    assert store.pending == 2

    server.start()
    time.sleep(RETRY_SECONDS * 8)
    store.finish_run(finish())  # connects, migrates the new database, writes the queue, then this
    assert store.pending == 0
    (run,) = store.runs()
    assert run.finish == finish() and run.decisions == 1
    store.close()


def test_a_queued_write_the_database_refuses_does_not_hold_up_the_rest(server: PostgresServer) -> None:
    store = PostgresStore(server.new_database(), retry_seconds=RETRY_SECONDS)
    store.start_run(start())
    server.stop()
    store.record_decision(decision("nobody"))  # no such run: refused once the server is back
    store.record_decision(decision("r1", 0))
    server.start()
    time.sleep(RETRY_SECONDS * 8)
    with pytest.raises(StoreError, match="refused a queued write") as error:
        store.record_decision(decision("r1", 1))
    assert "\n" not in str(error.value)
    assert store.pending == 0
    assert [d.seq for d in store.decisions(["r1"])] == [0, 1]
    store.close()


def test_a_malformed_url_is_a_one_line_error_without_its_password() -> None:
    with pytest.raises(StoreError, match="cannot open the results store") as error:
        open_store("postgresql://coach:hunter2@[db")
    assert "\n" not in str(error.value) and "hunter2" not in str(error.value)


def test_a_spool_line_cut_short_by_a_crash_is_skipped(tmp_path: Path) -> None:
    rows: list[Write] = [start(), decision(), finish(), Listing("p1", "room", listed=True)]
    text = "".join(encode(row) + "\n" for row in rows)
    orphan = tmp_path / "pg-key-1-ab.jsonl"
    orphan.write_text(text + encode(rows[0])[:40])  # the last line, cut short
    spool = Spool(tmp_path, "pg-key")
    assert spool.adopt_orphans() == rows
    assert not orphan.exists() and spool.path is not None
    assert [decode(line) for line in spool.path.read_text().splitlines()] == rows
    spool.clear()
    spool.close()
    assert not spool.path.exists()
