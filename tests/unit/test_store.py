"""What only the SQLite results store does (WAL, its file), and resume codes.

Everything a store does on every backend is in tests/store/test_store_backends.py, run on SQLite and
on PostgreSQL alike.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from game.recording import RESUME_ALPHABET, new_resume_code
from game.store import StoreError, display_target, open_store, resolve_target
from game.store.schema import LATEST
from game.store.sqlite import SqliteStore


def test_a_sqlite_store_uses_wal_and_records_its_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite3"
    open_store(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(LATEST,)]


def test_a_path_or_nothing_opens_sqlite_in_the_data_folder(tmp_path: Path, private_data_dir: Path) -> None:
    store = open_store()
    assert isinstance(store, SqliteStore) and store.path == private_data_dir / "results.sqlite3"
    store.close()
    assert isinstance(open_store(str(tmp_path / "given.sqlite3")), SqliteStore)


def test_a_corrupt_store_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "results.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open the results store") as error:
        open_store(path)
    assert "\n" not in str(error.value)


def test_store_targets_are_resolved_and_shown_without_passwords(private_data_dir: Path) -> None:
    url = "postgresql://coach:s3cret@db.example:5432/tightrope?sslmode=require&password=s3cret"
    assert resolve_target(url) == url
    assert display_target(url) == "postgresql://coach@db.example:5432/tightrope"
    assert resolve_target("results.sqlite3") == str(Path("results.sqlite3").resolve())
    assert resolve_target(None) == display_target(None) == str(private_data_dir / "results.sqlite3")


def test_resume_codes_are_short_and_unambiguous() -> None:
    codes = {new_resume_code() for _ in range(200)}
    assert len(codes) > 190
    assert all(len(code) == 6 and set(code) <= set(RESUME_ALPHABET) for code in codes)
    assert not set("01ILO") & set(RESUME_ALPHABET)
