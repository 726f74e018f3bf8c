"""The store suites' fixtures: a private PostgreSQL server for the session, and each backend in turn."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.pg import PostgresServer, PostgresUnavailable


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real server shared by the session; tests that stop it use one of their own instead."""
    server = _started_server()
    yield server
    server.destroy()


def _started_server() -> PostgresServer:
    try:
        server = PostgresServer.create()
        server.start()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    return server


@dataclass(frozen=True)
class Backend:
    """A store target, and a way to reach past the store to its tables."""

    name: str
    target: str

    def sql(self, statement: str) -> list[tuple[Any, ...]]:
        if self.name == "sqlite":
            with sqlite3.connect(self.target) as db:
                return db.execute(statement).fetchall()
        import psycopg

        with psycopg.connect(self.target, autocommit=True) as db:
            cursor = db.execute(statement)
            return cursor.fetchall() if cursor.description is not None else []


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite":
        return Backend("sqlite", str(tmp_path / "results.sqlite3"))
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return Backend("postgresql", server.new_database())


@pytest.fixture(scope="module")
def own_postgres_server() -> Iterator[PostgresServer]:
    """A server for one test module alone, for tests that stop and start it."""
    server = _started_server()
    yield server
    server.destroy()
