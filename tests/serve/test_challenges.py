"""Room goals for real: `tightrope serve --challenge`, several players at once, and every player (and the
facilitator's dashboard) seeing the room's progress exactly as the results store counts it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from game.store import open_store
from scoring import ChallengeProgress, challenge_progress, parse_challenge
from tests.serve.harness import BrowserSession, running_server
from tests.serve.test_serve import BASE, join

COHORT = "monday"
GOALS = ("learning:50%", "finished:4", "good:everyone")
WIDE = 200  # every goal fits on one line, even in the left column of the wide debrief


def room_progress(store_path: Path) -> list[ChallengeProgress]:
    """Each goal's progress as the store has it now, computed here straight from its rows."""
    store = open_store(store_path)
    try:
        runs = store.runs(cohort=COHORT)
    finally:
        store.close()
    return [challenge_progress(parse_challenge(goal), runs) for goal in GOALS]


def lines(progress: list[ChallengeProgress]) -> list[str]:
    """The goals as a player reads them, with the store's numbers."""
    learning, finished, good = progress
    runs = "run" if learning.considered == 1 else "runs"
    return [
        f"{'✓' if learning.met else '◌'} 50% of the finished runs end in the learning zone: "
        f"{learning.current}% so far ({learning.counted} of {learning.considered} {runs})",
        f"{'✓' if finished.met else '◌'} at least 4 finished runs: {finished.current} so far",
        f"{'✓' if good.met else '◌'} every player has a run that reaches a good ending: "
        f"{good.counted} of {good.considered} players so far",
    ]


async def play_tiny(browser: BrowserSession, *, good: bool) -> None:
    """From the picker: thank and review (a good ending, learning zone), or blame and move on (poor)."""
    await browser.press("enter")
    await browser.wait_for("Someone reports a problem", timeout=120)
    await browser.press("1" if good else "2")
    await browser.wait_for("Thanks invite more reports" if good else "Blame teaches people")
    await browser.press("enter")
    await browser.wait_for("What now?")
    await browser.press("1")
    await browser.wait_for("A review turns the report into a fix" if good else "Nothing changes, so")
    await browser.press("enter")
    await browser.wait_for("A team that learns" if good else "Same again")


def test_every_player_sees_the_rooms_goals_as_the_store_counts_them(store_path: Path) -> None:
    challenges = [part for goal in GOALS for part in ("--challenge", goal)]
    arguments = [*BASE, "--store", str(store_path), "--cohort", COHORT, *challenges]
    arguments += ["--dashboard", "--dashboard-code", "secret"]

    async def player(url: str, n: int, good: bool) -> None:
        async with BrowserSession(url) as browser:
            await join(browser, f"Player {n}")
            await browser.wait_for("Room goals", timeout=120)
            await play_tiny(browser, good=good)

    async def room(url: str) -> None:
        # Three players at once: two find the good ending, one does not.
        await asyncio.gather(*(player(url, n, good) for n, good in ((1, True), (2, True), (3, False))))
        before = room_progress(store_path)
        assert [(p.counted, p.considered) for p in before] == [(2, 3), (3, 3), (2, 3)]
        async with BrowserSession(url, WIDE, 34) as browser:
            await join(browser, "Player 4")
            # The picker shows the room's progress, read from the store when it is shown.
            await browser.wait_for("Room goals", *lines(before), timeout=120)
            await play_tiny(browser, good=False)
            # The debrief shows it again, with this run in it.
            after = room_progress(store_path)
            assert [(p.counted, p.considered) for p in after] == [(2, 4), (4, 4), (2, 4)]
            await browser.wait_for("Earned this run", *lines(after))
            assert "Player 1" not in browser.text()  # goals never name anyone
        # The facilitator's dashboard shows the same goals and what the room has earned.
        async with BrowserSession(url, WIDE, 40, path="/dashboard", code="secret") as dashboard:
            await dashboard.wait_for(
                "✓ 50% of the finished runs end in the learning zone",
                "50%, goal 50%",
                "✓ at least 4 finished runs",
                "4, goal 4",
                "◌ every player has a run that reaches a good ending",
                "2 of 4 players",
                timeout=120,
            )

    with running_server(arguments) as (url, _):
        asyncio.run(room(url))


def test_a_challenge_that_does_not_follow_the_grammar_is_refused(store_path: Path) -> None:
    import subprocess
    import sys

    ran = subprocess.run(
        [sys.executable, "-m", "game", "serve", *BASE, "--store", str(store_path), "--challenge", "learning"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 2
    assert "--challenge" in ran.stderr and "is not a challenge" in ran.stderr
