"""A browser as the tests see it: textual-serve's websocket protocol, and a terminal emulator for the screen.

The browser page opens `/ws?width=W&height=H`, sends `["stdin", keys]` and `["resize", {...}]` as JSON
text frames, and receives the app's terminal output as binary frames. pyte renders that output into
a screen so a test can wait for words to appear, as a person does.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import aiohttp
import pyte

from tests.processes import end, wait_until_listening

_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")
KEYS = {
    "enter": "\r",
    "tab": "\t",
    "escape": "\x1b",
    "up": "\x1b[A",
    "down": "\x1b[B",
    "backspace": "\x7f",
    "space": " ",
}


class BrowserSession:
    def __init__(
        self,
        url: str,
        width: int = 100,
        height: int = 30,
        *,
        path: str = "",
        code: str = "",
        forwarded_for: str | None = None,
    ) -> None:
        """`forwarded_for`: the address a proxy on this machine would say the browser has."""
        self.url = url
        self.path, self.code = path, code
        self.forwarded_for = forwarded_for
        self.width, self.height = width, height
        self.screen = pyte.Screen(width, height)
        self.stream = pyte.Stream(self.screen)
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._changed = asyncio.Event()
        self.closed = False
        self.bytes_received = 0
        # Output not yet fed to the emulator (fed on demand: pyte is slow, and a benchmark with many
        # sessions must not measure the harness), and output since the last key, for `wait_for_new`.
        self._unfed: list[str] = []
        self._since_key: list[str] = []
        self._all: list[str] = []

    async def __aenter__(self) -> BrowserSession:
        self._http = aiohttp.ClientSession()
        query = f"width={self.width}&height={self.height}" + (f"&code={self.code}" if self.code else "")
        headers = {"X-Forwarded-For": self.forwarded_for} if self.forwarded_for else {}
        self.socket = await self._http.ws_connect(f"{self.url}{self.path}/ws?{query}", headers=headers)
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if not self.socket.closed:
            await self.socket.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        await self._http.close()

    async def _read(self) -> None:
        async for message in self.socket:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.bytes_received += len(message.data)
                text = self._decoder.decode(message.data)
                self._unfed.append(text)
                self._since_key.append(text)
                self._all.append(text)
                self._changed.set()
        self.closed = True
        self._changed.set()

    def text(self) -> str:
        if self._unfed:
            self.stream.feed("".join(self._unfed))
            self._unfed.clear()
        return "\n".join(self.screen.display)

    async def wait_for_new(self, text: str, timeout: float = 30.0) -> None:
        """Wait until output that arrived after the last key press contains `text` (escapes removed)."""
        await self._wait_in(self._since_key, text, timeout)

    async def wait_for_output(self, text: str, timeout: float = 30.0) -> None:
        """Wait until everything received so far contains `text` (escapes removed): the cheap check a
        benchmark of many sessions needs, without the terminal emulator that `wait_for` feeds."""
        await self._wait_in(self._all, text, timeout)

    async def _wait_in(self, output: list[str], text: str, timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while text not in _ESCAPES.sub("", "".join(output)):
            remaining = deadline - time.perf_counter()
            if self.closed or remaining <= 0:
                raise AssertionError(f"{text!r} did not arrive; screen:\n{self.text()}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def wait_for(self, *words: str, timeout: float = 30.0) -> float:
        """Wait until every word is on screen; returns the seconds it took."""
        started = time.perf_counter()
        deadline = started + timeout
        while not all(word in self.text() for word in words):
            if self.closed:
                raise AssertionError(f"session closed while waiting for {words}; screen:\n{self.text()}")
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {words}; screen:\n{self.text()}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return time.perf_counter() - started

    async def wait_closed(self, timeout: float = 10.0) -> bool:
        """Wait for the server to close the connection; whether it did within `timeout` seconds."""
        deadline = time.perf_counter() + timeout
        while not self.closed and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)
        return self.closed

    async def press(self, *keys: str) -> None:
        self._since_key.clear()
        for key in keys:
            await self.socket.send_json(["stdin", KEYS.get(key, key)])
            if key == "tab":
                # A key that moves focus takes effect after the app has handled it; what is typed
                # next belongs to the new field, so wait as a person would.
                await asyncio.sleep(0.3)

    async def type(self, text: str) -> None:
        await self.socket.send_json(["stdin", text])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_server(
    arguments: Sequence[str], env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`tightrope serve` on a free loopback port, stopped (and its sessions with it) at the end.

    Its output goes to a file, not a pipe: a pipe nobody reads fills up after a few hundred log lines
    and then stops the server in the middle of a busy room."""
    port = free_port()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "game", "serve", "--port", str(port), *arguments],
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )

        def printed() -> str:
            output.seek(0)
            return output.read()

        try:
            wait_until_listening(port, process, "tightrope serve", printed)
            yield f"http://127.0.0.1:{port}", process
        finally:
            end(process)


def children_of(pid: int) -> list[int]:
    """Live child processes of `pid` (Linux /proc), to prove no session process is left behind."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid) and not fields.get("State", "").startswith("Z"):
            found.append(int(status.parent.name))
    return found


def descendants_of(pid: int) -> list[int]:
    """Every live process below `pid`: textual-serve's own server puts a shell between it and the app."""
    found: list[int] = []
    frontier = [pid]
    while frontier:
        children = [child for parent in frontier for child in children_of(parent)]
        found.extend(children)
        frontier = children
    return found


def command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def session_processes(server_pid: int) -> list[int]:
    """The server's live session processes: below it, but not the shell textual-serve puts in between
    when it spawns one, nor the fork server that forks them (game.serve.forkserver)."""
    return [
        pid
        for pid in descendants_of(server_pid)
        if command_name(pid) not in {"sh", "dash", "bash", "tightrope-fork"}
    ]


def fork_server_of(server_pid: int, timeout: float = 10.0) -> int:
    """The server's fork server (game.serve.forkserver), once it has started: the server listens first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in children_of(server_pid):
            with contextlib.suppress(OSError):
                if b"game.serve.forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return pid
        time.sleep(0.1)
    raise AssertionError("the server has no fork server")


def mapped_libraries(pid: int) -> set[str]:
    """The file names of the shared libraries `pid` has loaded (empty once it is gone)."""
    try:
        maps = Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return set()
    return {line.rsplit("/", 1)[-1] for line in maps.splitlines() if ".so" in line}


def wait_for_no_sessions(server_pid: int, timeout: float = 30.0) -> list[int]:
    """The server's session processes still alive after waiting up to `timeout` seconds for none."""
    deadline = time.monotonic() + timeout
    while (left := session_processes(server_pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left
