"""The embedded SQLite backend: WAL and a busy timeout so that one process per browser can write at once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from game.store.base import DecisionRow, RunFinish, RunRow, RunStart, StoreError
from game.store.schema import LATEST, MIGRATIONS

BUSY_TIMEOUT_SECONDS = 30.0

_RUN_COLUMNS = (
    "run_id, player_id, player_name, cohort, scenario_id, scenario_title, started_at, resume_code, "
    "rewound_from, finished_at, ending_scene, ending_title, ending_tone, zone, score, safety, standards, "
    "trust, (SELECT COUNT(*) FROM decisions d WHERE d.run_id = runs.run_id)"
)


class SqliteStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: each statement or explicit transaction commits on its own.
            self._db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open the results store {path}: {exc}") from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the write lock up front, so concurrent writers queue on the busy
        # timeout instead of failing halfway through.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _migrate(self) -> None:
        with self._transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if version > LATEST:
                raise StoreError(
                    f"the results store {self.path} was written by a newer Tightrope "
                    f"(schema {version}, this one knows {LATEST}): upgrade Tightrope"
                )
            for statements in MIGRATIONS[version:]:
                for statement in statements:
                    db.execute(statement)
            if row is None:
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (LATEST,))
            else:
                db.execute("UPDATE schema_version SET version = ?", (LATEST,))

    def _write(self, sql: str, values: Sequence[Any]) -> None:
        try:
            with self._transaction() as db:
                db.execute(sql, values)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write to the results store {self.path}: {exc}") from None

    def start_run(self, run: RunStart) -> None:
        self._write(
            "INSERT INTO runs (run_id, player_id, player_name, cohort, scenario_id, scenario_title, "
            "started_at, resume_code, rewound_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (run_id) DO NOTHING",
            (
                run.run_id,
                run.player_id,
                run.player_name,
                run.cohort,
                run.scenario_id,
                run.scenario_title,
                run.started_at,
                run.resume_code,
                run.rewound_from,
            ),
        )

    def record_decision(self, decision: DecisionRow) -> None:
        self._write(
            "INSERT INTO decisions (run_id, seq, scene_id, choice_id, timed_out, seconds, safety, "
            "standards, trust, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (run_id, seq) DO NOTHING",
            (
                decision.run_id,
                decision.seq,
                decision.scene_id,
                decision.choice_id,
                int(decision.timed_out),
                decision.seconds,
                decision.safety,
                decision.standards,
                decision.trust,
                decision.recorded_at,
            ),
        )

    def finish_run(self, finish: RunFinish) -> None:
        self._write(
            "UPDATE runs SET finished_at = ?, ending_scene = ?, ending_title = ?, ending_tone = ?, "
            "zone = ?, score = ?, safety = ?, standards = ?, trust = ? "
            "WHERE run_id = ? AND finished_at IS NULL",
            (
                finish.finished_at,
                finish.ending_scene,
                finish.ending_title,
                finish.ending_tone,
                finish.zone,
                finish.score,
                finish.safety,
                finish.standards,
                finish.trust,
                finish.run_id,
            ),
        )

    def runs(
        self,
        *,
        cohort: str | None = None,
        scenario_id: str | None = None,
        player_id: str | None = None,
    ) -> list[RunRow]:
        filters = [("cohort", cohort), ("scenario_id", scenario_id), ("player_id", player_id)]
        where = [f"{column} = ?" for column, value in filters if value is not None]
        sql = f"SELECT {_RUN_COLUMNS} FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started_at, run_id"
        values = [value for _, value in filters if value is not None]
        return [_run_row(row) for row in self._read(sql, values)]

    def run_by_resume_code(self, code: str) -> RunRow | None:
        rows = self._read(f"SELECT {_RUN_COLUMNS} FROM runs WHERE resume_code = ?", [code])
        return _run_row(rows[0]) if rows else None

    def decisions(self, run_ids: Sequence[str]) -> list[DecisionRow]:
        if not run_ids:
            return []
        marks = ", ".join("?" * len(run_ids))
        rows = self._read(
            "SELECT run_id, seq, scene_id, choice_id, timed_out, seconds, safety, standards, trust, "
            f"recorded_at FROM decisions WHERE run_id IN ({marks}) ORDER BY run_id, seq",
            list(run_ids),
        )
        return [DecisionRow(r[0], r[1], r[2], r[3], bool(r[4]), *r[5:]) for r in rows]

    def _read(self, sql: str, values: Sequence[Any]) -> list[tuple[Any, ...]]:
        try:
            return self._db.execute(sql, values).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the results store {self.path}: {exc}") from None

    def close(self) -> None:
        self._db.close()


def _run_row(row: tuple[Any, ...]) -> RunRow:
    start = RunStart(*row[:9])
    finish = RunFinish(row[0], *row[9:18]) if row[9] is not None else None
    return RunRow(start, finish, row[18])
