"""Opening a SQLite store that is already at the current schema reads, and writes nothing: a room's
session processes open it at every join and every debrief, and a write would queue behind their writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from game.store import StoreError, open_store
from game.store.schema import LATEST
from game.store.sqlite import SqliteStore


def test_a_new_store_is_made_and_a_current_one_opened_without_writing(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite3"
    first = open_store(str(path))
    assert isinstance(first, SqliteStore) and first._db.total_changes > 0  # made: tables and version
    first.close()
    again = open_store(str(path))
    assert isinstance(again, SqliteStore) and again._db.total_changes == 0
    again.close()


def test_a_store_from_a_newer_version_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite3"
    open_store(str(path)).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = ?", (LATEST + 1,))
    with pytest.raises(StoreError, match="newer Tightrope"):
        open_store(str(path))
