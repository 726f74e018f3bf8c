"""`tightrope serve` for real: a server process, websocket sessions that speak as a browser, the store."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from game.serve.attempts import ROOM_ALLOWANCE
from game.store import open_store
from tests.serve.conftest import SCENARIOS
from tests.serve.harness import (
    BrowserSession,
    mapped_libraries,
    running_server,
    session_processes,
    wait_for_no_sessions,
)

BASE = ["--scenarios", str(SCENARIOS)]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


async def join(browser: BrowserSession, name: str, code: str | None = None, resume: str = "") -> None:
    # Generous: twenty app processes starting at once on two cores take a while to draw.
    await browser.wait_for("Your name, as the facilitator will see it", timeout=180)
    await browser.type(name)
    if code is not None:
        await browser.press("tab")
        await browser.type(code)
    if resume:
        await browser.press("tab")
        await browser.type(resume)
    await browser.press("enter")


async def play_tiny_to_the_end(browser: BrowserSession) -> None:
    await browser.wait_for("Someone reports a problem", timeout=120)
    await browser.press("1")
    await browser.wait_for("Thanks invite more reports")
    await browser.press("enter")
    await browser.wait_for("What now?")
    await browser.press("1")
    await browser.wait_for("A review turns the report into a fix")
    await browser.press("enter")
    await browser.wait_for("A team that learns")


def test_page_is_ours_and_loads_nothing_from_outside(store_path: Path) -> None:
    with running_server([*BASE, "--store", str(store_path)]) as (url, _):
        status, html = get(url + "/")
        assert status == 200
        assert "<title>Tightrope</title>" in html
        assert "googleapis" not in html
        external = [part for part in html.split('"') if part.startswith(("http://", "https://", "//"))]
        assert all(link.startswith(url) for link in external), external
        assert get(url + "/static/tightrope/favicon.svg")[0] == 200
        css_status, css = get(url + "/static/tightrope/page.css")
        assert css_status == 200 and "http" not in css
        assert get(url + "/static/textual/fonts/RobotoMono-VariableFont_wght.ttf")[0] == 200
        assert get(url + "/static/textual/js/textual.js")[0] == 200


def test_a_pinned_scenario_is_played_to_its_ending_and_recorded(store_path: Path) -> None:
    async def scenario(url: str) -> None:
        async with BrowserSession(url) as browser:
            await join(browser, "Ann")
            await play_tiny_to_the_end(browser)

    with running_server([*BASE, "--store", str(store_path), "--cohort", "monday", "--scenario", "tiny"]) as (
        url,
        server,
    ):
        asyncio.run(scenario(url))
        assert wait_for_no_sessions(server.pid) == []
    (run,) = open_store(store_path).runs(cohort="monday")
    assert run.start.player_name == "Ann" and run.finish is not None
    assert (run.finish.ending_tone, run.finish.zone, run.decisions) == ("good", "learning", 2)


def test_a_session_plays_from_the_catalogue_cache_the_server_wrote(store_path: Path) -> None:
    """The server checks the folder once and caches it; its sessions then play without pydantic (which
    would add about a fifth to every session's memory) and without checking the file again."""

    async def scenario(url: str, server_pid: int) -> list[set[str]]:
        async with BrowserSession(url) as browser:
            await join(browser, "Di")
            await play_tiny_to_the_end(browser)
            apps = session_processes(server_pid)
            return [mapped_libraries(pid) for pid in apps]

    with running_server([*BASE, "--store", str(store_path), "--scenario", "tiny"]) as (url, server):
        libraries = asyncio.run(scenario(url, server.pid))
    assert libraries, "no session process was found"
    for mapped in libraries:
        assert any(name.startswith("_sqlite3") for name in mapped)  # the maps were read
        assert not any("pydantic_core" in name for name in mapped), sorted(mapped)


def test_twenty_sessions_at_once_are_all_recorded_and_leave_no_process(store_path: Path) -> None:
    async def one(url: str, n: int) -> None:
        async with BrowserSession(url) as browser:
            await join(browser, f"Player {n}")
            await play_tiny_to_the_end(browser)

    async def room(url: str) -> None:
        await asyncio.gather(*(one(url, n) for n in range(20)))

    with running_server([*BASE, "--store", str(store_path), "--scenario", "tiny"]) as (url, server):
        asyncio.run(room(url))
        assert wait_for_no_sessions(server.pid) == []
    runs = open_store(store_path).runs()
    assert sorted(r.start.player_name for r in runs) == sorted(f"Player {n}" for n in range(20))
    assert all(r.finished and r.decisions == 2 for r in runs)


def test_a_refresh_picks_up_where_the_player_was_with_the_resume_code(store_path: Path) -> None:
    async def scenario(url: str) -> str:
        async with BrowserSession(url) as browser:
            await join(browser, "Bo")
            await browser.wait_for("Someone reports a problem")
            await browser.press("1")
            await browser.wait_for("Thanks invite more reports")
        (run,) = open_store(store_path).runs()
        code = run.start.resume_code
        async with BrowserSession(url) as browser:
            await join(browser, "Bo", resume=code)
            await browser.wait_for("What now?")
            await browser.press("1")
            await browser.wait_for("A review turns the report into a fix")
            await browser.press("enter")
            await browser.wait_for("A team that learns")
        return code

    with running_server([*BASE, "--store", str(store_path), "--scenario", "tiny"]) as (url, _):
        code = asyncio.run(scenario(url))
    (run,) = open_store(store_path).runs()
    assert run.start.resume_code == code
    assert run.finished and run.decisions == 2


def test_a_wrong_join_code_is_refused_and_the_right_one_admits(store_path: Path) -> None:
    async def scenario(url: str) -> None:
        async with BrowserSession(url) as browser:
            await join(browser, "Cy", code="wrong")
            await browser.wait_for("That join code is not right")
            # The form stays locked for a moment after a wrong code.
            await asyncio.sleep(1.2)
            await browser.type("letmein")
            await browser.press("enter")
            await browser.wait_for("Someone reports a problem")

    with running_server(
        [*BASE, "--store", str(store_path), "--scenario", "tiny", "--join-code", "letmein"]
    ) as (
        url,
        _,
    ):
        asyncio.run(scenario(url))


def test_wrong_join_codes_are_remembered_across_reconnects_until_someone_joins(store_path: Path) -> None:
    waiting = "Wrong join codes were entered from here. You can join in"

    async def scenario(url: str) -> None:
        async with BrowserSession(url) as guesser:
            await join(guesser, "Guess", code="wrong")
            await guesser.wait_for("That join code is not right")
            await asyncio.sleep(0.5)  # the session's report reaches the server after the screen changes
        async with BrowserSession(url) as reconnected:
            await reconnected.wait_for(waiting, timeout=60)
            # Locked at first: the right code does nothing until the lock the count calls for is over.
            await join(reconnected, "Ann", code="letmein")
            await asyncio.sleep(0.3)
            assert "Someone reports a problem" not in reconnected.text()
            await asyncio.sleep(1.0)
            await reconnected.press("enter")
            await reconnected.wait_for("Someone reports a problem")
        async with BrowserSession(url) as next_player:  # Ann's admission cleared the count
            await next_player.wait_for("Your name", timeout=60)
            await asyncio.sleep(0.3)
            assert waiting not in next_player.text()
            await join(next_player, "Bo", code="letmein")
            await next_player.wait_for("Someone reports a problem")

    arguments = [*BASE, "--store", str(store_path), "--scenario", "tiny", "--join-code", "letmein"]
    with running_server(arguments) as (url, _):
        asyncio.run(scenario(url))


def test_a_room_guessed_at_from_many_addresses_starts_every_new_session_locked(store_path: Path) -> None:
    """Past the room's allowance of wrong codes a minute, from whichever addresses, a newcomer from an
    address that has never guessed waits too; the wait is the room's, and says so."""
    guessers = ROOM_ALLOWANCE + 2

    async def guess(url: str, n: int) -> None:
        async with BrowserSession(url, forwarded_for=f"198.51.100.{n}") as guesser:
            await join(guesser, f"Guess {n}", code=f"wrong-{n}")
            await guesser.wait_for("That join code is not right", timeout=180)
            await asyncio.sleep(0.5)  # the session's report reaches the server after the screen changes

    async def scenario(url: str) -> None:
        await asyncio.gather(*(guess(url, n) for n in range(guessers)))
        async with BrowserSession(url, forwarded_for="203.0.113.9") as newcomer:
            await newcomer.wait_for("This room's join code is being guessed. You can join in 2 s.")
            await join(newcomer, "Ann", code="letmein")
            await asyncio.sleep(0.5)
            assert "Someone reports a problem" not in newcomer.text()  # locked: the right code waits too
            await asyncio.sleep(2.0)
            await newcomer.press("enter")
            await newcomer.wait_for("Someone reports a problem")

    arguments = [*BASE, "--store", str(store_path), "--scenario", "tiny", "--join-code", "letmein"]
    with running_server(arguments) as (url, _):  # the default cap, 40, has room for them all
        asyncio.run(scenario(url))


def test_a_full_room_gets_a_friendly_page_and_no_new_session(store_path: Path) -> None:
    async def scenario(url: str) -> None:
        async with BrowserSession(url) as first:
            await first.wait_for("Your name")
            status, html = get(url + "/")
            assert status == 503 and "The room is full" in html
            with pytest.raises(Exception, match="503"):
                async with BrowserSession(url):
                    pass
        await asyncio.sleep(0.5)
        assert get(url + "/")[0] == 200

    with running_server([*BASE, "--store", str(store_path), "--max-sessions", "1"]) as (url, _):
        asyncio.run(scenario(url))


def test_an_idle_session_is_closed_and_its_process_ended(store_path: Path) -> None:
    async def scenario(url: str) -> None:
        async with BrowserSession(url) as browser:
            await browser.wait_for("Your name")
            assert await browser.wait_closed(20)

    # 0.05 minutes = 3 seconds without a key press.
    with running_server([*BASE, "--store", str(store_path), "--idle-timeout", "0.05"]) as (url, server):
        asyncio.run(scenario(url))
        assert wait_for_no_sessions(server.pid) == []


def test_dashboard_needs_its_code(store_path: Path) -> None:
    with running_server([*BASE, "--store", str(store_path), "--dashboard", "--dashboard-code", "secret"]) as (
        url,
        _,
    ):
        assert get(url + "/dashboard")[0] == 403
        assert get(url + "/dashboard?code=nope")[0] == 403
        status, html = get(url + "/dashboard?code=secret")
        assert status == 200 and "facilitator" in html

        async def watch() -> None:
            with pytest.raises(Exception, match="403"):
                async with BrowserSession(url, path="/dashboard", code="wrong"):
                    pass
            async with BrowserSession(url, 120, 40, path="/dashboard", code="secret") as dashboard:
                await dashboard.wait_for("How the room split")

        asyncio.run(watch())


def test_serving_beyond_loopback_without_a_join_code_warns(
    store_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Tests may only listen on loopback, so the server is stopped short of binding the address.
    from game.cli import main
    from game.serve.server import TightropeServer

    monkeypatch.setattr(TightropeServer, "serve", lambda self: None)
    assert main(["serve", *BASE, "--store", str(store_path), "--host", "0.0.0.0"]) == 0
    assert "warning: serving on 0.0.0.0 without --join-code" in capsys.readouterr().err
    assert main(["serve", *BASE, "--store", str(store_path), "--host", "0.0.0.0", "--join-code", "x"]) == 0
    assert "warning" not in capsys.readouterr().err
    assert main(["serve", *BASE, "--store", str(store_path)]) == 0
    assert "warning" not in capsys.readouterr().err
