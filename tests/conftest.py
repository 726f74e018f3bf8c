"""Shared fixtures: scenario text builders and a private data folder for every test."""

from __future__ import annotations

import asyncio
import inspect
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_snapshot.plugin import Snapshot

from game.widgets.scenario_list import Entry

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test may touch the real user data folder."""
    home = tmp_path_factory.mktemp("tightrope-home")
    monkeypatch.setenv("TIGHTROPE_HOME", str(home))
    return home


@pytest.fixture
def tiny_path() -> Path:
    return FIXTURES / "tiny.yaml"


@pytest.fixture
def tiny_shelf(tmp_path: Path, tiny_path: Path) -> list[Entry]:
    """A scenario folder holding only tiny, as the picker lists it."""
    from game.commands.app import load_shelf

    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(tiny_path, folder / "tiny.yaml")
    entries, _ = load_shelf(folder)
    return entries


@pytest.fixture
def snapshot(request: pytest.FixtureRequest) -> Iterator[Snapshot]:
    """pytest-snapshot's golden-file fixture, driven by the shared `--snapshot-update` flag.

    pytest-snapshot and syrupy (used by pytest-textual-snapshot) both register `--snapshot-update`,
    so pytest-snapshot's plugin is disabled in pyproject.toml and its fixture is rebuilt here.
    """
    from pytest_snapshot.plugin import _get_default_snapshot_dir

    update = bool(request.config.getoption("--snapshot-update"))
    with Snapshot(update, False, _get_default_snapshot_dir(request.node)) as snap:
        yield snap


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests in a fresh event loop; Pilot needs nothing more than that."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    asyncio.run(pyfuncitem.obj(**arguments))
    return True
