"""SVG snapshots of the main screens at 80×24 and 120×40 (update with `pytest --snapshot-update`).

Deterministic by construction: fixture scenarios, a private data folder, a named player, and no clock
(countdowns only move when a test ticks them).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from game.widgets.scenario_list import Entry
from tests.ui.conftest import AppFactory, choose, open_scenario

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
SnapCompare = Callable[..., bool]
Steps = Callable[[Pilot[None]], Awaitable[None]]


def steps_to(shelf: list[Entry], where: str) -> Steps:
    async def run(pilot: Pilot[None]) -> None:
        await pilot.press("home")
        if where == "picker":
            await pilot.press("down")
            await pilot.pause()
            return
        await open_scenario(pilot, shelf, "deadline")
        if where == "explanation":
            await pilot.press("2")
        elif where == "scene":
            await choose(pilot, 1)
        elif where == "debrief":
            await choose(pilot, 2)
            await choose(pilot, 1)
        elif where == "rewound":
            await choose(pilot, 1)
            await choose(pilot, 2)
            await pilot.press("tab", "tab", "enter")
            await pilot.pause()
            await choose(pilot, 1)
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("where", ["picker", "scene", "explanation", "debrief"])
def test_screen(
    where: str, size: tuple[int, int], snap_compare: SnapCompare, make_app: AppFactory, shelf: list[Entry]
) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=steps_to(shelf, where))


def test_rewound_debrief_compares_with_the_original(
    snap_compare: SnapCompare, make_app: AppFactory, shelf: list[Entry]
) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=steps_to(shelf, "rewound"))


def test_light_theme_debrief(
    snap_compare: SnapCompare, make_app: AppFactory, shelf: list[Entry], home: Any
) -> None:
    (home / "settings.json").write_text('{"theme": "light"}', encoding="utf-8")
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=steps_to(shelf, "debrief"))


def test_no_color_scene(
    snap_compare: SnapCompare, make_app: AppFactory, shelf: list[Entry], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=steps_to(shelf, "scene"))
