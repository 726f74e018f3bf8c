"""The opt-in leaderboard for real: `tightrope serve --leaderboard`, a player who ticks the box at the
join form in the browser, and one who does not; the debrief ranks only the one who chose to be on it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from game.store import open_store
from tests.serve.harness import BrowserSession, running_server
from tests.serve.test_challenges import play_tiny
from tests.serve.test_serve import BASE

COHORT = "monday"
WIDE = 160


async def join(browser: BrowserSession, name: str, *, listed: bool) -> None:
    await browser.wait_for("Put my name and best score on the room's leaderboard", timeout=180)
    await browser.type(name)
    await browser.press("tab", "tab")  # past the resume code, to the box
    if listed:
        await browser.press("space")
    await browser.press("tab", "enter")  # the Join button
    await browser.wait_for(f"Welcome back, {name}.")


def test_only_a_player_who_ticks_the_box_is_ranked(store_path: Path) -> None:
    arguments = [*BASE, "--store", str(store_path), "--cohort", COHORT, "--leaderboard"]

    async def room(url: str) -> None:
        async with BrowserSession(url, WIDE, 40) as browser:
            await join(browser, "Quiet Quinn", listed=False)
            await play_tiny(browser, good=True)
        async with BrowserSession(url, WIDE, 40) as browser:
            await join(browser, "Listed Lee", listed=True)
            await play_tiny(browser, good=False)
            await browser.wait_for(
                "Leaderboard", "1. Listed Lee", "◂ you", "1 of 2 players chose to be listed."
            )
            assert "Quiet Quinn" not in browser.text()

    with running_server(arguments) as (url, _):
        asyncio.run(room(url))
    store = open_store(store_path)
    try:
        assert {run.start.player_name: run.start.listed for run in store.runs(cohort=COHORT)} == {
            "Quiet Quinn": False,
            "Listed Lee": True,
        }
    finally:
        store.close()
