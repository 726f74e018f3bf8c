"""Serve tests run the real server in a subprocess on a free loopback port."""

from __future__ import annotations

from pathlib import Path

import pytest

SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "results.sqlite3"
