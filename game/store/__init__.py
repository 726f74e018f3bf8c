"""The results store: every run, decision and debrief, so a facilitator can see what the room chose.

One small interface (`ResultsStore`), one module per backend, the SQL they share in `sql`. `open_store`
picks the backend from the `--store` value: a file path (or nothing) is SQLite; a `postgresql://` URL
is PostgreSQL, which keeps play going (and every write) while the server is away.
"""

from __future__ import annotations

from pathlib import Path

from game.store.base import (
    DecisionRow,
    Listing,
    ResultsStore,
    RunFinish,
    RunRow,
    RunStart,
    StoreError,
)

__all__ = [
    "DecisionRow",
    "Listing",
    "ResultsStore",
    "RunFinish",
    "RunRow",
    "RunStart",
    "StoreError",
    "default_store_path",
    "display_target",
    "is_database_url",
    "open_store",
    "resolve_target",
]

_URL_SCHEMES = ("postgresql://", "postgres://")


def default_store_path() -> Path:
    from game.paths import data_dir

    return data_dir() / "results.sqlite3"


def is_database_url(target: str | Path | None) -> bool:
    return isinstance(target, str) and target.startswith(_URL_SCHEMES)


def resolve_target(target: str | Path | None) -> str:
    """`--store` as handed to other processes: a URL as given, a path made absolute, or the default."""
    if is_database_url(target):
        return str(target)
    return str(Path(target).resolve()) if target else str(default_store_path())


def display_target(target: str | Path | None) -> str:
    """`--store` as shown to people: a URL loses its password."""
    if is_database_url(target):
        from game.store.postgres import redact

        return redact(str(target))
    return str(target) if target else str(default_store_path())


def open_store(target: str | Path | None = None, *, queue_while_down: bool = False) -> ResultsStore:
    """The store named by `target`: a SQLite file path (default: in the user data folder), or a
    `postgresql://` URL.

    A PostgreSQL store must reach its server to open, unless `queue_while_down` (for a process that
    records play): then it opens anyway when the server cannot be reached, and writes once it can.
    """
    if is_database_url(target):
        try:
            from game.store.postgres import PostgresStore
        except ImportError as exc:
            raise StoreError(
                f"PostgreSQL stores need psycopg ({exc}): pip install 'psycopg[binary]'"
            ) from None
        return PostgresStore(str(target), queue_while_down=queue_while_down)
    from game.store.sqlite import SqliteStore

    return SqliteStore(Path(target) if target else default_store_path())
