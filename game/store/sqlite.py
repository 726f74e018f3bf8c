"""The embedded SQLite backend: WAL and a busy timeout so that one process per browser can write at once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from game.store.base import StoreError
from game.store.sql import Execute, Rows, SqlStore, Values, Write, statements

# Long enough for a room of writers queueing on WAL, short enough that a locked file is reported soon.
BUSY_TIMEOUT_SECONDS = 10.0


class SqliteStore(SqlStore):
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

    @property
    def name(self) -> str:
        return str(self.path)

    @contextmanager
    def _transaction(self) -> Iterator[Execute]:
        # BEGIN IMMEDIATE takes the write lock up front, so concurrent writers queue on the busy
        # timeout instead of failing halfway through; it also keeps migrations one at a time.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._execute
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _lock_schema(self, execute: Execute) -> None:
        """Nothing to do: BEGIN IMMEDIATE already keeps every other writer out."""

    def _stored_version(self) -> int | None:
        try:  # in autocommit mode: no BEGIN IMMEDIATE, so no write lock
            rows = self._db.execute("SELECT version FROM schema_version").fetchall()
        except sqlite3.OperationalError:  # no such table yet
            return None
        return int(rows[0][0]) if rows else None

    def _execute(self, sql: str, values: Values) -> Rows:
        return self._db.execute(sql, values).fetchall()

    def _write(self, write: Write) -> None:
        try:
            with self._transaction() as execute:
                for sql, values in statements(write):
                    execute(sql, values)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write to the results store {self.path}: {exc}") from None

    def _read(self, sql: str, values: Values) -> Rows:
        try:
            return self._execute(sql, values)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the results store {self.path}: {exc}") from None

    def close(self) -> None:
        self._db.close()
