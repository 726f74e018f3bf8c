"""`tightrope serve` against clients that misbehave: it listens on loopback unless told otherwise, compares
codes in constant time, slows down guessing, keeps serving real players while others stay silent, send
garbage or connect and leave 200 times, leaves no app process behind, and never lets a browser choose a
file. Every connection here is to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import hmac
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import make_mocked_request
from textual.app import App, ComposeResult
from textual.widgets import Button, Input, Static

from game.cli import build_parser
from game.commands.app import load_shelf
from game.screens.join import Joined, JoinScreen, codes_match, normalise_resume_code, slowdown
from game.serve.server import Room, ServeOptions, TightropeServer
from game.serve.session import ServedApp
from game.serve.settings import SessionSettings
from tests.serve.conftest import SCENARIOS
from tests.serve.harness import BrowserSession, free_port, running_server, wait_for_no_sessions
from tests.serve.test_serve import join, play_tiny_to_the_end

CYCLES = 200


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a socket listening on `port`, from /proc/net/tcp and tcp6."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if int(hex_port, 16) == port and state == "0A":  # LISTEN
                if len(address) == 8:
                    found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
                else:
                    found.add(f"ipv6:{address}")
    return found


def test_the_default_bind_is_loopback(tmp_path: Path) -> None:
    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"
    assert ServeOptions().host == "127.0.0.1"
    with running_server(["--scenarios", str(SCENARIOS), "--store", str(tmp_path / "r.sqlite3")]) as (url, _):
        port = int(url.rsplit(":", 1)[1])
        assert listening_addresses(port) == {"127.0.0.1"}


def test_codes_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    # The module that game.screens.join and the server call through: a spy there sees every comparison.
    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert codes_match("  letmein ", "letmein")
    assert not codes_match("letmeout", "letmein")
    assert calls == [(b"letmein", b"letmein"), (b"letmeout", b"letmein")]
    # The dashboard's access code, checked by the server before any process starts, likewise.
    calls.clear()
    room = Room(
        "dashboard", "Dashboard", "/dashboard", "dashboard-session", SessionSettings(), access_code="s3cret"
    )
    server = TightropeServer(ServeOptions(rooms=[room]))
    assert server._allowed(room, make_mocked_request("GET", "/dashboard?code=s3cret"))
    assert not server._allowed(room, make_mocked_request("GET", "/dashboard?code=guess"))
    assert calls == [(b"s3cret", b"s3cret"), (b"guess", b"s3cret")]


def test_the_lockout_grows_with_each_wrong_code() -> None:
    assert [slowdown(n) for n in range(8)] == [0, 1, 2, 4, 8, 16, 30, 30]


class JoinApp(App[None]):
    def __init__(self, lock_for: Callable[[int], float], room_guessing: int = 0) -> None:
        super().__init__()
        self.lock_for, self.room_guessing = lock_for, room_guessing
        self.joined: list[Joined | None] = []

    def compose(self) -> ComposeResult:
        yield Static("room")

    def on_mount(self) -> None:
        screen = JoinScreen(join_code="letmein", lock_for=self.lock_for, room_guessing=self.room_guessing)
        self.push_screen(screen, self.joined.append)


async def test_wrong_join_codes_lock_the_form_for_longer_each_time() -> None:
    asked: list[int] = []

    def lock_for(failures: int) -> float:
        asked.append(failures)
        return 0.3 * failures

    app = JoinApp(lock_for)
    async with app.run_test() as pilot:
        screen = app.screen
        assert isinstance(screen, JoinScreen)
        screen.query_one("#join-name", Input).value = "Eve"
        code = screen.query_one("#join-code", Input)
        button = screen.query_one("#join-button", Button)
        for attempt in (1, 2, 3):
            code.value = f"guess{attempt}"
            await pilot.press("enter")
            await pilot.pause()
            assert asked == list(range(1, attempt + 1))
            assert button.disabled
            # While locked, even the right code is not looked at.
            code.value = "letmein"
            screen._submit()
            await pilot.pause()
            assert app.screen is screen and app.joined == []
            await pilot.pause(0.3 * attempt + 0.2)
            assert not button.disabled
        code.value = "letmein"
        await pilot.press("enter")
        await pilot.pause()
        assert app.joined == [Joined("Eve", None)]


async def test_while_the_room_is_guessed_at_every_wrong_code_waits_at_least_the_rooms_lock() -> None:
    locks: list[float] = []
    app = JoinApp(lambda failures: 0.1 * failures, room_guessing=3)
    async with app.run_test() as pilot:
        screen = app.screen
        assert isinstance(screen, JoinScreen)
        assert "being guessed" in str(screen.query_one("#join-problem", Static).render())
        await pilot.pause(0.4)  # the room's lock, 0.3 s, is over
        screen._lock = locks.append  # type: ignore[method-assign]
        screen.query_one("#join-name", Input).value = "Eve"
        for attempt in (1, 2, 3, 4):
            screen.query_one("#join-code", Input).value = f"guess{attempt}"
            await pilot.press("enter")
            await pilot.pause()
        # Its own count alone would say 0.1, 0.2, 0.3, 0.4 s.
        assert [round(seconds, 2) for seconds in locks] == [0.3, 0.3, 0.3, 0.4]


async def fake_player(url: str, name: str) -> None:
    async with BrowserSession(url) as browser:
        await join(browser, name)
        await play_tiny_to_the_end(browser)


async def silent_websocket(url: str, closed: list[str]) -> None:
    """Connects and never says a word: the idle timeout ends it."""
    async with aiohttp.ClientSession() as http, http.ws_connect(f"{url}/ws") as socket_:
        async for _ in socket_:
            pass
        closed.append(f"silent websocket closed ({socket_.close_code})")


async def garbage_then_play(url: str, closed: list[str]) -> None:
    """Every malformed message there is, then plays properly: the garbage was dropped, not fatal."""
    async with BrowserSession(url) as browser:
        await browser.wait_for("Your name, as the facilitator will see it")
        socket_ = browser.socket
        await socket_.send_bytes(b"\x00\xff" * 1000)
        for text in ("not json", "{", "null", "5", '"stdin"', "{}", "[]", '{"0": "stdin"}', "[[]]"):
            await socket_.send_str(text)
        for message in (
            ["stdin", 5],
            ["stdin", None],
            ["stdin", ["x"]],
            ["resize", "wide"],
            ["resize", {"width": "1e99", "height": -5}],
            ["resize", {"width": 10**12, "height": [1]}],
            ["focus", {"x": 1}],
            ["unknown", "x"],
            ["ping", "x" * 60_000],
        ):
            await socket_.send_json(message)
        await socket_.send_str("[" * 10_000 + "]" * 10_000)
        # The odd resizes above did resize (within limits): size the app back to this browser's screen.
        await socket_.send_json(["resize", {"width": browser.width, "height": browser.height}])
        await asyncio.sleep(0.5)
        assert not browser.closed
        await browser.type("Garbage")
        await browser.press("enter")
        await play_tiny_to_the_end(browser)
    closed.append("garbage session played to the end")


async def huge_frame(url: str, closed: list[str]) -> None:
    """A 10 MB frame is more than a browser ever sends: the server closes that connection (with 1009,
    or by resetting it while the frame is still arriving)."""
    async with aiohttp.ClientSession() as http, http.ws_connect(f"{url}/ws", max_msg_size=0) as socket_:
        try:
            await socket_.send_bytes(b"x" * (10 * 1024 * 1024))
            async for _ in socket_:
                pass
        except (ConnectionError, aiohttp.ClientError):
            pass
        assert socket_.closed or socket_.close_code in (None, 1009)
        closed.append("huge frame refused")


async def silent_sockets(port: int, count: int) -> list[socket.socket]:
    """Plain TCP connections, some mid-request, that never finish: held open while the room plays."""
    held = []
    for n in range(count):
        connection = socket.create_connection(("127.0.0.1", port))
        if n % 2:
            connection.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        held.append(connection)
    return held


def test_misbehaving_clients_do_not_stop_real_players(tmp_path: Path) -> None:
    closed: list[str] = []

    async def room(url: str) -> None:
        held = await silent_sockets(int(url.rsplit(":", 1)[1]), 50)
        try:
            await asyncio.gather(
                silent_websocket(url, closed),
                garbage_then_play(url, closed),
                huge_frame(url, closed),
                fake_player(url, "Ann"),
                fake_player(url, "Bo"),
            )
            await fake_player(url, "Cy")  # and after them, too
        finally:
            for connection in held:
                connection.close()

    # 0.3 minutes: the silent websocket is closed after 18 s without a key (the players press keys
    # more often than that, even on a busy machine).
    arguments = ["--scenarios", str(SCENARIOS), "--store", str(tmp_path / "r.sqlite3"), "--scenario", "tiny"]
    with running_server([*arguments, "--idle-timeout", "0.3"]) as (url, server):
        asyncio.run(room(url))
        assert wait_for_no_sessions(server.pid) == []
    assert sorted(closed) == [
        "garbage session played to the end",
        "huge frame refused",
        "silent websocket closed (1000)",
    ]


def test_connect_and_disconnect_200_times_leaves_no_process(tmp_path: Path) -> None:
    async def cycles(url: str) -> list[int]:
        statuses: list[int] = []
        gate = asyncio.Semaphore(8)

        async def one() -> None:
            async with gate, aiohttp.ClientSession() as http:
                socket_ = await http.ws_connect(f"{url}/ws?width=80&height=24")
                statuses.append(101)
                await socket_.close()

        await asyncio.gather(fake_player(url, "Dee"), *(one() for _ in range(CYCLES)))
        return statuses

    arguments = ["--scenarios", str(SCENARIOS), "--store", str(tmp_path / "r.sqlite3"), "--scenario", "tiny"]
    with running_server([*arguments, "--max-sessions", "100"]) as (url, server):
        statuses = asyncio.run(cycles(url))
        assert statuses == [101] * CYCLES
        assert wait_for_no_sessions(server.pid) == []
        asyncio.run(fake_player(url, "Eve"))  # still serving
        assert wait_for_no_sessions(server.pid) == []


# A browser can only ever play one of the served folder's scenarios.

TRAVERSALS = ("../../etc/passwd", "tiny/../../../etc/passwd")


@pytest.fixture
def opened_paths() -> Iterator[list[str]]:
    """Every path this process opens while the test runs (a Python audit hook, off afterwards)."""
    found: list[str] = []
    active = [True]

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if active[0] and event in ("open", "os.listdir", "os.scandir") and args and args[0] is not None:
            found.append(str(args[0]))

    sys.addaudithook(hook)
    yield found
    active[0] = False


async def test_a_resume_code_or_pinned_id_never_reaches_the_file_system(
    tmp_path: Path, opened_paths: list[str]
) -> None:
    entries, _ = load_shelf(SCENARIOS)
    for traversal in TRAVERSALS:
        assert set(normalise_resume_code(traversal)) <= set("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
        settings = SessionSettings(store=str(tmp_path / "r.sqlite3"), pinned_scenario=traversal)
        for resume in ("", traversal):
            app = ServedApp(entries, settings, data=tmp_path / "session", tick_every=None)
            assert app._scenario(traversal) is None
            async with app.run_test() as pilot:
                await pilot.pause()
                await pilot.press(*"Eve", "tab", *resume, "enter")
                await pilot.pause()
                if resume:  # no run has that code: asked again
                    assert isinstance(app.screen, JoinScreen)
                else:  # the pinned "scenario" is not one of the folder's: nothing starts
                    assert app.screen is app.picker
    assert not [path for path in opened_paths if "passwd" in path or path.startswith("/etc")]


def test_serve_refuses_a_pinned_id_that_is_a_path(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "game",
        "serve",
        "--scenarios",
        str(SCENARIOS),
        "--port",
        str(free_port()),
    ]
    ran = subprocess.run(
        [*command, "--store", str(tmp_path / "r.sqlite3"), "--scenario", "../../etc/passwd"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 2
    assert ran.stderr.startswith("tightrope serve: no scenario '../../etc/passwd' in ")


def raw_get(port: int, target: str) -> bytes:
    """An HTTP request sent as bytes, so that no client library tidies the path first."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(f"GET {target} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        response = b""
        while chunk := connection.recv(65536):
            response += chunk
    return response


def test_static_files_cannot_be_escaped(tmp_path: Path) -> None:
    targets = [
        f"{prefix}{traversal}"
        for prefix in ("/static/tightrope/", "/static/textual/", "/")
        for traversal in (
            "../../../../../../etc/passwd",
            "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            "..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
            "....//....//....//etc/passwd",
            "%252e%252e/%252e%252e/etc/passwd",
        )
    ]
    with running_server(["--scenarios", str(SCENARIOS), "--store", str(tmp_path / "r.sqlite3")]) as (url, _):
        port = int(url.rsplit(":", 1)[1])
        for target in targets:
            response = raw_get(port, target)
            status = int(response.split(b" ", 2)[1])
            assert status in (400, 403, 404), (target, response[:200])
            assert b"root:" not in response
