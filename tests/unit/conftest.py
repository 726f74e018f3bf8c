"""Fixtures shared by the unit tests of `tightrope report` and its xAPI export."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.cli import main
from game.store import open_store
from tests.ui.dashboard_snapshots.room import HERE, fill


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A store holding the scripted room twice: the snapshot cohort and a "wednesday" one."""
    path = tmp_path / "results.sqlite3"
    store = open_store(path)
    fill(store)
    fill(store, cohort="wednesday", prefix="wed-")
    store.close()
    return path


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`tightrope report` over the room's scenarios: exit code, stdout, stderr."""
    code = main(["report", "--scenarios", str(HERE), *args])
    out, err = capsys.readouterr()
    return code, out, err
