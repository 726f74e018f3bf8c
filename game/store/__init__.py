"""The results store: every run, decision and debrief, so a facilitator can see what the room chose.

One small interface (`ResultsStore`), one module per backend. `open_store` picks the backend from
the `--store` value: a file path (or nothing) is SQLite; a `postgresql://` URL is PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from game.store.base import (
    DecisionRow,
    ResultsStore,
    RunFinish,
    RunRow,
    RunStart,
    StoreError,
)

__all__ = [
    "DecisionRow",
    "ResultsStore",
    "RunFinish",
    "RunRow",
    "RunStart",
    "StoreError",
    "default_store_path",
    "open_store",
]


def default_store_path() -> Path:
    from game.paths import data_dir

    return data_dir() / "results.sqlite3"


def open_store(target: str | Path | None = None) -> ResultsStore:
    """The store named by `target`: a SQLite file path (default: in the user data folder)."""
    text = str(target) if target is not None else ""
    if text.startswith(("postgresql://", "postgres://")):
        raise StoreError("PostgreSQL stores are not supported yet: give a file path for SQLite")
    from game.store.sqlite import SqliteStore

    return SqliteStore(Path(text) if text else default_store_path())
