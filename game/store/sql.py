"""What the SQL backends share: the statements, the mapping between rows and records, and migrating.

Statements are written once, with `?` for each parameter; a backend whose driver wants another mark
translates it (so no statement here may contain a literal `?` or `%`). A backend supplies four hooks —
`_transaction`, `_write`, `_read` and `close` — and inherits the whole `ResultsStore` interface.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from game.store.base import DecisionRow, RunFinish, RunRow, RunStart, StoreError
from game.store.schema import LATEST, MIGRATIONS

Values = Sequence[Any]
Rows = list[tuple[Any, ...]]
Execute = Callable[[str, Values], Rows]
"""Runs one statement inside a transaction and returns its rows (none for a statement without any)."""

Write = RunStart | DecisionRow | RunFinish
"""One write a store is asked for; a backend that cannot write it yet may keep it and write it later."""

RUN_COLUMNS = (
    "run_id, player_id, player_name, cohort, scenario_id, scenario_title, started_at, resume_code, "
    "rewound_from, finished_at, ending_scene, ending_title, ending_tone, zone, score, safety, standards, "
    "trust, (SELECT COUNT(*) FROM decisions d WHERE d.run_id = runs.run_id)"
)

START_RUN = (
    "INSERT INTO runs (run_id, player_id, player_name, cohort, scenario_id, scenario_title, "
    "started_at, resume_code, rewound_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (run_id) DO NOTHING"
)

RECORD_DECISION = (
    "INSERT INTO decisions (run_id, seq, scene_id, choice_id, timed_out, seconds, safety, "
    "standards, trust, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (run_id, seq) DO NOTHING"
)

# `finished_at IS NULL` makes a second finish a no-op, so replaying a finish is harmless.
FINISH_RUN = (
    "UPDATE runs SET finished_at = ?, ending_scene = ?, ending_title = ?, ending_tone = ?, "
    "zone = ?, score = ?, safety = ?, standards = ?, trust = ? "
    "WHERE run_id = ? AND finished_at IS NULL"
)

DECISION_COLUMNS = (
    "run_id, seq, scene_id, choice_id, timed_out, seconds, safety, standards, trust, recorded_at"
)


def statement(write: Write) -> tuple[str, tuple[Any, ...]]:
    """The SQL and values that perform `write`; every one of them is idempotent."""
    match write:
        case RunStart():
            return START_RUN, (
                write.run_id,
                write.player_id,
                write.player_name,
                write.cohort,
                write.scenario_id,
                write.scenario_title,
                write.started_at,
                write.resume_code,
                write.rewound_from,
            )
        case DecisionRow():
            return RECORD_DECISION, (
                write.run_id,
                write.seq,
                write.scene_id,
                write.choice_id,
                int(write.timed_out),
                write.seconds,
                write.safety,
                write.standards,
                write.trust,
                write.recorded_at,
            )
        case RunFinish():
            return FINISH_RUN, (
                write.finished_at,
                write.ending_scene,
                write.ending_title,
                write.ending_tone,
                write.zone,
                write.score,
                write.safety,
                write.standards,
                write.trust,
                write.run_id,
            )


def run_row(row: tuple[Any, ...]) -> RunRow:
    start = RunStart(*row[:9])
    finish = RunFinish(row[0], *row[9:18]) if row[9] is not None else None
    return RunRow(start, finish, row[18])


def decision_row(row: tuple[Any, ...]) -> DecisionRow:
    return DecisionRow(row[0], row[1], row[2], row[3], bool(row[4]), *row[5:])


class SqlStore(ABC):
    """The `ResultsStore` interface over SQL, for a backend that supplies the hooks below."""

    @property
    @abstractmethod
    def name(self) -> str:
        """The store as named in messages: a path, or a URL without its password."""

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Execute]:
        """A transaction that commits when the block ends and rolls back if it raises."""

    @abstractmethod
    def _write(self, write: Write) -> None: ...

    @abstractmethod
    def _read(self, sql: str, values: Values) -> Rows: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _lock_schema(self, execute: Execute) -> None:
        """Keep other processes out of the schema while this one migrates it; the transaction ends it."""

    def _migrate(self) -> None:
        with self._transaction() as execute:
            self._lock_schema(execute)
            execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", ())
            rows = execute("SELECT version FROM schema_version", ())
            version = rows[0][0] if rows else 0
            if version > LATEST:
                raise StoreError(
                    f"the results store {self.name} was written by a newer Tightrope "
                    f"(schema {version}, this one knows {LATEST}): upgrade Tightrope"
                )
            for statements in MIGRATIONS[version:]:
                for migration in statements:
                    execute(migration, ())
            if not rows:
                execute("INSERT INTO schema_version (version) VALUES (?)", (LATEST,))
            else:
                execute("UPDATE schema_version SET version = ?", (LATEST,))

    def start_run(self, run: RunStart) -> None:
        self._write(run)

    def record_decision(self, decision: DecisionRow) -> None:
        self._write(decision)

    def finish_run(self, finish: RunFinish) -> None:
        self._write(finish)

    def runs(
        self,
        *,
        cohort: str | None = None,
        scenario_id: str | None = None,
        player_id: str | None = None,
    ) -> list[RunRow]:
        filters = [("cohort", cohort), ("scenario_id", scenario_id), ("player_id", player_id)]
        where = [f"{column} = ?" for column, value in filters if value is not None]
        sql = f"SELECT {RUN_COLUMNS} FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started_at, run_id"
        values = [value for _, value in filters if value is not None]
        return [run_row(row) for row in self._read(sql, values)]

    def run_by_resume_code(self, code: str) -> RunRow | None:
        rows = self._read(f"SELECT {RUN_COLUMNS} FROM runs WHERE resume_code = ?", [code])
        return run_row(rows[0]) if rows else None

    def decisions(self, run_ids: Sequence[str]) -> list[DecisionRow]:
        if not run_ids:
            return []
        marks = ", ".join("?" * len(run_ids))
        rows = self._read(
            f"SELECT {DECISION_COLUMNS} FROM decisions WHERE run_id IN ({marks}) ORDER BY run_id, seq",
            list(run_ids),
        )
        return [decision_row(row) for row in rows]
