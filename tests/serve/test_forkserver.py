"""The fork server that starts sessions warm: what it runs, what it passes on, that nothing outlives it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from game.commands import EXIT_USAGE
from game.serve.forkserver import ForkServer, ForkServerGone, supported
from game.serve.server import session_environment
from game.serve.settings import SESSION_ENV, SessionSettings
from tests.serve.conftest import SCENARIOS
from tests.serve.harness import (
    BrowserSession,
    children_of,
    command_name,
    fork_server_of,
    mapped_libraries,
    running_server,
    session_processes,
)

pytestmark = pytest.mark.skipif(not supported(), reason="the fork server needs Linux")


@asynccontextmanager
async def fork_server() -> AsyncIterator[ForkServer]:
    forks = ForkServer(session_environment())
    try:
        yield forks
    finally:
        await asyncio.to_thread(forks.stop)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until_gone(pids: list[int], timeout: float = 10.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := [pid for pid in pids if alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


Visit = Callable[[str, int], Awaitable[None]]


def against_a_server(store_path: Path, scenario: Visit, *more: str) -> None:
    """Run `scenario(url, server pid)` against `tightrope serve` on the test scenarios."""
    with running_server(["--scenarios", str(SCENARIOS), "--store", str(store_path), *more]) as (url, server):
        asyncio.run(scenario(url, server.pid))


def without_settings() -> dict[str, str]:
    environment = session_environment()
    environment.pop(SESSION_ENV, None)
    return environment


def test_it_runs_only_the_session_commands() -> None:
    async def scenario() -> None:
        async with fork_server() as forks:
            with pytest.raises(ForkServerGone):
                await forks.start_session("sh -c 'touch /tmp/tightrope-was-here'", without_settings())
            assert forks.running
            session = await forks.start_session("session", without_settings())
            assert session.stdout is not None and session.stderr is not None
            # The session ran `tightrope session` in the environment it was given (here, without the
            # server's settings); its error and its exit code come back as a process's would.
            said = await asyncio.wait_for(session.stderr.read(), 30)
            assert await session.wait() == EXIT_USAGE
            assert b"is started by `tightrope serve`" in said

    asyncio.run(scenario())
    assert not Path("/tmp/tightrope-was-here").exists()


def test_a_malformed_request_is_refused_and_the_fork_server_goes_on() -> None:
    requests = [
        b"not json",
        b'{"command": "session"}',
        json.dumps({"command": "session", "environment": []}).encode(),
        json.dumps({"command": "session", "environment": {}}).encode(),  # with one stream, not three
    ]

    async def scenario() -> None:
        async with fork_server() as forks:
            for request in requests:
                ours, theirs = socket.socketpair()
                with ours, theirs:
                    socket.send_fds(forks._control, [request], [theirs.fileno()])
                    theirs.close()
                    ours.settimeout(10)
                    assert ours.recv(64) == b""  # refused: it closed what it was given, and said nothing
            assert forks.running
            session = await forks.start_session("session", without_settings())
            assert await asyncio.wait_for(session.wait(), 30) == EXIT_USAGE

    asyncio.run(scenario())


def test_a_session_speaks_textual_serve_and_is_ended_by_kill(tmp_path: Path) -> None:
    settings = SessionSettings(store=str(tmp_path / "r.sqlite3"), scenarios=SCENARIOS)

    async def scenario() -> None:
        async with fork_server() as forks:
            session = await forks.start_session("session", {**session_environment(), **settings.to_env()})
            assert session.stdout is not None
            assert await asyncio.wait_for(session.stdout.readline(), 30) == b"__GANGLION__\n"
            assert command_name(session.pid) == "tightrope-play"
            assert command_name(forks.process.pid) == "tightrope-fork"
            assert children_of(forks.process.pid) == [session.pid]
            session.kill()
            assert await asyncio.wait_for(session.wait(), 10) == -signal.SIGKILL
            assert not alive(session.pid)

    asyncio.run(scenario())


def test_stopping_it_ends_its_sessions(tmp_path: Path) -> None:
    settings = SessionSettings(store=str(tmp_path / "r.sqlite3"), scenarios=SCENARIOS)

    async def scenario() -> list[int]:
        forks = ForkServer(session_environment())
        sessions = [
            await forks.start_session("session", {**session_environment(), **settings.to_env()}) for _ in "ab"
        ]
        for session in sessions:
            assert session.stdout is not None
            await asyncio.wait_for(session.stdout.readline(), 30)
        await asyncio.to_thread(forks.stop)
        return [session.pid for session in sessions]

    assert wait_until_gone(asyncio.run(scenario())) == []


def test_a_killed_server_leaves_no_process_behind(store_path: Path) -> None:
    async def scenario(url: str, server: subprocess.Popen[str]) -> list[int]:
        async with BrowserSession(url) as first, BrowserSession(url) as second:
            await first.wait_for("Your name")
            await second.wait_for("Your name")
            forks = fork_server_of(server.pid)
            # Sessions are forked by the fork server, not started by the server.
            sessions = children_of(forks)
            assert len(sessions) == 2 and all(command_name(pid) == "tightrope-play" for pid in sessions)
            server.send_signal(signal.SIGKILL)
            return [forks, *sessions]

    with running_server(["--scenarios", str(SCENARIOS), "--store", str(store_path)]) as (url, server):
        left_behind = asyncio.run(scenario(url, server))
        server.wait()
        assert wait_until_gone(left_behind) == []


def test_a_session_whose_process_dies_closes_the_browser_connection(store_path: Path) -> None:
    async def scenario(url: str, server_pid: int) -> None:
        async with BrowserSession(url) as browser:
            await browser.wait_for("Your name")
            (session,) = session_processes(server_pid)
            os.kill(session, signal.SIGKILL)
            assert await browser.wait_closed()

    against_a_server(store_path, scenario)


def test_when_the_fork_server_dies_its_sessions_end_and_new_ones_start_fresh(store_path: Path) -> None:
    async def scenario(url: str, server_pid: int) -> None:
        async with BrowserSession(url) as playing:
            await playing.wait_for("Your name", timeout=60)
            forks = fork_server_of(server_pid)
            sessions = children_of(forks)
            os.kill(forks, signal.SIGKILL)
            # Its session dies with it (nothing could end it later), and the player is told.
            assert wait_until_gone([forks, *sessions]) == []
            assert await playing.wait_closed()
        async with BrowserSession(url) as joining:
            await joining.wait_for("Your name", timeout=60)
            assert all(command_name(pid) != "tightrope-play" for pid in session_processes(server_pid))

    against_a_server(store_path, scenario)


def test_spawn_starts_every_session_as_a_fresh_process(store_path: Path) -> None:
    async def scenario(url: str, server_pid: int) -> None:
        async with BrowserSession(url) as browser:
            await browser.wait_for("Your name", timeout=60)
            with pytest.raises(AssertionError, match="no fork server"):
                fork_server_of(server_pid, timeout=0.5)
            sessions = session_processes(server_pid)
            assert sessions and all(command_name(pid) != "tightrope-play" for pid in sessions)

    against_a_server(store_path, scenario, "--spawn")


def test_a_sqlite_room_does_not_load_the_postgres_driver(store_path: Path) -> None:
    # The other half, that a PostgreSQL room does, is in tests/deploy/test_nginx.py.
    with running_server(["--scenarios", str(SCENARIOS), "--store", str(store_path)]) as (_, server):
        forks = fork_server_of(server.pid)
        deadline = time.monotonic() + 30
        while not any(name.startswith("_sqlite3") for name in mapped_libraries(forks)):
            assert time.monotonic() < deadline, "the fork server never finished loading"
            time.sleep(0.1)
        assert not any("psycopg" in name for name in mapped_libraries(forks))
