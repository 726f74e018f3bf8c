"""The PostgreSQL backend: one server for many machines, and play that goes on while the server is away.

Writes never raise because the database cannot be reached: a write that cannot be done yet is queued
(in memory, in order, and in a spool file under the data folder — see `game.store.spool`), and the
next write that reaches the database writes the queue first. A connection found dead is reopened once
straight away (the server restarted between two writes); when the server is really away, reconnecting
is retried no more often than a backoff allows, so a player is never kept waiting on every choice.
Reads have someone waiting for the answer: they try at once, and say in one line when they cannot.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from game.store.base import StoreError
from game.store.spool import Spool
from game.store.sql import Execute, Rows, SqlStore, Values, Write, statements

CONNECT_TIMEOUT_SECONDS = 5
RETRY_SECONDS = 0.5
"""The first wait before reconnecting to a server that refused; it doubles up to RETRY_MAX_SECONDS."""
RETRY_MAX_SECONDS = 30.0

# The key of the advisory lock that keeps migrations one at a time across every process ("tightrop").
MIGRATION_LOCK = 0x7469_6768_7472_6F70

# A URL's own settings win; these only fill gaps. Keepalives and the TCP user timeout notice a server
# that vanished without closing the connection, so a write gives up on a dead socket in seconds rather
# than waiting out the system's retransmissions (many minutes), and is queued. The room report groups
# every decision of the store (`game.store.sql.TALLY_CHOICES`): with the server's default work_mem (4 MB)
# the planner, which cannot tell how few groups there are, sorts them on disk rather than hashing them.
# For the same reason it expects tens of thousands of groups to gather from parallel workers and keeps
# to one core; a lower cost per gathered row lets it count on every core (measured: 0.3 s -> 0.15 s).
_CONNECT_DEFAULTS = {
    "options": "-c work_mem=32MB -c parallel_tuple_cost=0.01",
    "connect_timeout": str(CONNECT_TIMEOUT_SECONDS),
    "application_name": "tightrope",
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
    "tcp_user_timeout": "15000",
}

# The errors that mean "not now" (connection lost or refused, server shutting down or starting up,
# out of disk, ...): the write is queued. Any other database error is about the write itself.
_UNAVAILABLE = (psycopg.OperationalError, psycopg.InterfaceError)

T = TypeVar("T")
Connection = psycopg.Connection[tuple[Any, ...]]


class _Unavailable(Exception):
    """The database cannot be reached now; the message says why, in one line."""


def one_line(exc: BaseException) -> str:
    """libpq's messages run over several lines; a StoreError is one."""
    return " ".join(str(exc).split()) or type(exc).__name__


def redact(url: str) -> str:
    """The URL as shown to people: no password, no query string (which may hold one)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return "PostgreSQL"
    location = re.split(r"[?#]", rest, maxsplit=1)[0]
    netloc, slash, path = location.partition("/")
    netloc = re.sub(r"^([^@]*?):[^@]*@", r"\1@", netloc)
    return f"{scheme}://{netloc}{slash}{path}"


def _pg(sql: str) -> str:
    return sql.replace("?", "%s")


def _rows(cursor: psycopg.Cursor[Any]) -> Rows:
    return cursor.fetchall() if cursor.description is not None else []


class PostgresStore(SqlStore):
    def __init__(
        self,
        url: str,
        *,
        spool_dir: Path | None = None,
        queue_while_down: bool = False,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        """Open the store at `url`, migrating it if needed.

        The database must answer now, unless `queue_while_down`: then a database that cannot be
        reached leaves the store open, queueing writes until it can. (libpq does not tell a server that
        is away from one that refuses the login, so a process that opens this way relies on an earlier
        strict open — `tightrope serve` makes one at start — to have caught a wrong URL.)
        """
        self.url = url
        self._name = redact(url)
        self._retry_seconds = retry_seconds
        self._lock = threading.RLock()
        self._db: Connection | None = None
        self._pending: deque[Write] = deque()
        self._failures = 0
        self._retry_at = 0.0
        self._closed = False
        try:
            params = conninfo_to_dict(url)
        except psycopg.Error as exc:
            # libpq quotes a URL it cannot parse, password and all.
            problem = one_line(exc).replace(url, self._name)
            raise StoreError(f"cannot open the results store {self._name}: {problem}") from None
        for key, value in _CONNECT_DEFAULTS.items():
            params.setdefault(key, value)
        self._conninfo = make_conninfo("", **params)
        # One spool name per database, so a store only adopts writes meant for its own database.
        identity = "\0".join(str(params.get(k, "")) for k in ("host", "hostaddr", "port", "dbname", "user"))
        key = "pg-" + hashlib.sha256(identity.encode()).hexdigest()[:16]
        self._spool = Spool(spool_dir or _default_spool_dir(), key)
        try:
            self._connection(force=True)
        except _Unavailable as exc:
            if not queue_while_down:
                raise StoreError(f"cannot open the results store {self._name}: {exc}") from None
        # Writes left behind by a store that crashed or closed while the database was away.
        self._pending.extend(self._spool.adopt_orphans())
        if self._pending:
            with suppress(_Unavailable, StoreError):  # they stay queued
                self._drain(force=False)

    @property
    def name(self) -> str:
        return self._name

    @property
    def pending(self) -> int:
        """How many writes are waiting for the database."""
        return len(self._pending)

    @property
    def spool_path(self) -> Path | None:
        """This store's spool file, once a write has had to wait."""
        return self._spool.path

    # --- the SqlStore hooks -------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[Execute]:
        db = self._db
        assert db is not None, "a transaction needs a connection"
        with db.transaction():
            yield lambda sql, values: _rows(db.execute(_pg(sql), values))

    def _stored_version(self) -> int | None:
        db = self._db
        assert db is not None, "the version is read on a connection"
        try:  # in autocommit mode: a plain read, no advisory lock
            rows = db.execute("SELECT version FROM schema_version").fetchall()
        except psycopg.errors.UndefinedTable:
            return None
        return int(rows[0][0]) if rows else None

    def _lock_schema(self, execute: Execute) -> None:
        # CREATE TABLE IF NOT EXISTS is not safe against a concurrent CREATE: serialise the migrations.
        execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})", ())

    def _write(self, write: Write) -> None:
        with self._lock:
            self._check_open("write to")
            try:
                refused = self._drain(force=False)
                self._with_connection(lambda db: _apply(db, write), force=False)
            except _Unavailable:
                self._queue(write)
                return
            except StoreError:
                # The server answered but cannot take writes yet (say, the schema cannot be migrated):
                # keep the write, and say so.
                self._queue(write)
                raise
            except psycopg.Error as exc:
                raise StoreError(f"cannot write to the results store {self._name}: {one_line(exc)}") from None
            if refused:
                raise StoreError(f"the results store {self._name} refused a queued write: {refused}")

    def _read(self, sql: str, values: Values) -> Rows:
        with self._lock:
            self._check_open("read")
            try:
                # A reader sees what this store was asked to write, or learns it cannot.
                self._drain(force=True)
                return self._with_connection(lambda db: _rows(db.execute(_pg(sql), values)), force=True)
            except _Unavailable as exc:
                raise StoreError(f"cannot read the results store {self._name}: {exc}") from None
            except psycopg.Error as exc:
                raise StoreError(f"cannot read the results store {self._name}: {one_line(exc)}") from None

    def close(self) -> None:
        """Close the store, writing what is queued if the database is back; what is not stays spooled."""
        with self._lock:
            if self._closed:
                return
            with suppress(_Unavailable, StoreError, psycopg.Error):
                self._drain(force=True)
            self._closed = True
            if self._db is not None:
                self._db.close()
                self._db = None
            self._spool.close()

    # --- connections and the queue ------------------------------------------------------------------

    def _queue(self, write: Write) -> None:
        self._pending.append(write)
        self._spool.append([write])

    def _check_open(self, doing: str) -> None:
        if self._closed:
            raise StoreError(f"cannot {doing} the results store {self._name}: it is closed")

    def _drain(self, *, force: bool) -> str | None:
        """Write the queue in order; the message of a queued write the database refused, if one was.

        Raises _Unavailable (what is left stays queued) when the database cannot be reached.
        """
        refused = None
        while self._pending:
            try:
                self._with_connection(lambda db: _apply(db, self._pending[0]), force=force)
            except _Unavailable:
                raise
            except psycopg.Error as exc:
                # It can never be written (it contradicts what is there); keeping it would block the rest.
                refused = one_line(exc)
            self._pending.popleft()
        self._spool.clear()
        return refused

    def _with_connection(self, action: Callable[[Connection], T], *, force: bool) -> T:
        """Run `action` on a live connection, reopening it once if the one we had had died."""
        for retry in (False, True):
            db = self._connection(force=force)
            try:
                return action(db)
            except _UNAVAILABLE as exc:
                dead = db.broken or db.closed
                if not dead and _is_about_the_statement(exc):
                    raise
                if dead:
                    db.close()
                    self._db = None
                if retry or not dead:
                    raise _Unavailable(one_line(exc)) from exc
        raise AssertionError("unreachable")

    def _connection(self, *, force: bool) -> Connection:
        """The open connection, or a new one (migrated) unless the backoff says not yet."""
        if self._db is not None and not self._db.closed:
            return self._db
        now = time.monotonic()
        if not force and now < self._retry_at:
            raise _Unavailable("the database is not reachable; writes are queued until it is")
        try:
            self._db = psycopg.connect(self._conninfo, autocommit=True)
            self._migrate()
        except _UNAVAILABLE as exc:
            self._drop_connection()
            self._failures += 1
            backoff = self._retry_seconds * 2 ** min(self._failures - 1, 16)
            self._retry_at = now + min(backoff, RETRY_MAX_SECONDS)
            raise _Unavailable(one_line(exc)) from exc
        except psycopg.Error as exc:
            self._drop_connection()
            raise StoreError(f"cannot open the results store {self._name}: {one_line(exc)}") from None
        except StoreError:
            self._drop_connection()
            raise
        self._failures = 0
        self._retry_at = 0.0
        return self._db

    def _drop_connection(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _apply(db: Connection, write: Write) -> None:
    """Perform `write`: its statements sent together, in one round trip, as one transaction.

    On a connection in autocommit mode, the statements of a pipeline up to its one Sync (sent as the
    block ends) are one implicit transaction: committed together, or all rolled back when one fails. An
    explicit one (`db.transaction()`) makes psycopg wait on the server at BEGIN and at COMMIT as well:
    measured with 200 writers at once, 4 to 5 times fewer writes a second."""
    with db.pipeline():
        for sql, values in statements(write):
            db.execute(_pg(sql), values)


def _is_about_the_statement(exc: psycopg.Error) -> bool:
    """An operational error that retrying the same statement will not cure (a program limit exceeded,
    such as a value too big to index): treated like any refused write, so the queue is not stuck."""
    return (exc.sqlstate or "").startswith("54")


def _default_spool_dir() -> Path:
    from game.paths import data_dir

    return data_dir() / "spool"
