"""What the many-process tests run in each child: kept apart so that a spawned child imports little."""

from __future__ import annotations

from typing import Any

from game.store import DecisionRow, ResultsStore, RunFinish, RunStart, open_store


def start(
    run_id: str = "r1", cohort: str = "room", scenario: str = "near-miss", player: str = "p1"
) -> RunStart:
    return RunStart(
        run_id, player, "Ann", cohort, scenario, "The Near Miss", "2026-01-01T00:00:00", f"C{run_id}"
    )


def decision(run_id: str = "r1", seq: int = 0, seconds: float | None = 2.5) -> DecisionRow:
    return DecisionRow(run_id, seq, "scene", "choice", False, seconds, 55, 45, 50, "2026-01-01T00:00:05")


def finish(run_id: str = "r1") -> RunFinish:
    return RunFinish(run_id, "2026-01-01T00:10:00", "end", "The end", "good", "learning", 70, 60, 55, 65)


def record(store: ResultsStore, row: RunStart | DecisionRow | RunFinish) -> None:
    """Write one row, whichever kind it is."""
    if isinstance(row, RunStart):
        store.start_run(row)
    elif isinstance(row, DecisionRow):
        store.record_decision(row)
    else:
        store.finish_run(row)


def open_and_close(target: str, barrier: Any) -> None:
    """Open the store at the same moment as every other child, so that they race to migrate it."""
    barrier.wait(timeout=120)
    open_store(target).close()


def write_runs(target: str, worker: int, runs: int, barrier: Any) -> None:
    barrier.wait(timeout=120)
    store = open_store(target)
    for n in range(runs):
        run_id = f"w{worker}-{n}"
        store.start_run(start(run_id))
        for seq in range(4):
            store.record_decision(decision(run_id, seq))
        store.finish_run(finish(run_id))
    store.close()


def record_on_command(target: str) -> None:
    """A player's process, driven line by line on stdin (`start`, `decide N`, `finish`), so that a test
    can take the database away between two lines and then kill the process outright."""
    import sys

    from game.store.postgres import PostgresStore

    store = open_store(target)
    assert isinstance(store, PostgresStore)
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "start":
            store.start_run(start("crash"))
        elif command == "decide":
            store.record_decision(decision("crash", int(argument)))
        elif command == "finish":
            store.finish_run(finish("crash"))
        print(f"ok {store.pending}", flush=True)


if __name__ == "__main__":
    import sys

    record_on_command(sys.argv[1])
