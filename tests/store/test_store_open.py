"""Opening a store that is already at the current schema reads its version and writes nothing: a room's
session processes open it at every join and every debrief, and the migration's transaction (a write lock
on SQLite, an advisory lock on PostgreSQL) would queue each of them behind the room's writes."""

from __future__ import annotations

import pytest

from game.store import StoreError, open_store
from game.store.schema import LATEST
from game.store.sqlite import SqliteStore
from tests.store.conftest import Backend


def test_a_store_at_the_current_schema_is_opened_without_writing(backend: Backend) -> None:
    open_store(backend.target).close()
    # A PostgreSQL row that is written again gets a new version (xmin), even with the same values.
    version_row = "SELECT version, xmin::text FROM schema_version" if backend.name == "postgresql" else ""
    before = backend.sql(version_row) if version_row else []
    store = open_store(backend.target)
    try:
        if isinstance(store, SqliteStore):
            assert store._db.total_changes == 0
        else:
            assert backend.sql(version_row) == before
        assert backend.sql("SELECT version FROM schema_version") == [(LATEST,)]
    finally:
        store.close()


def test_a_new_store_is_made_at_the_current_schema(backend: Backend) -> None:
    open_store(backend.target).close()
    assert backend.sql("SELECT version FROM schema_version") == [(LATEST,)]


def test_a_store_from_a_newer_version_is_still_refused(backend: Backend) -> None:
    open_store(backend.target).close()
    backend.sql(f"UPDATE schema_version SET version = {LATEST + 1}")
    with pytest.raises(StoreError, match="newer Tightrope"):
        open_store(backend.target).close()
