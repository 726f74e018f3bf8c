"""A warm process that forks every session, so a session starts with Textual and the game already imported.

A fresh Python process spends about half a second of CPU importing Textual and the game before it can
draw anything, and a room that joins at once pays that fifty times over on a two-core laptop. Forked
from a process that has paid it once, a session starts at its first screen's own work, and the memory
the imports filled stays shared between the sessions (copy-on-write) instead of being held by each.

The server and the fork server talk over a socket pair made when the server starts, never over a path:
a request carries a session's three standard streams and its environment, and names one of the
session commands (`session_commands`), so no text from a player can choose what runs. For each session the
fork server answers on a socket of its own: `started PID`, then `ended CODE`; the server writes `kill`
on it to end the session, and closing it ends the session too. When the server goes away its end of the
pair closes, and the fork server ends every session it started, then itself.

Linux only (pidfd); elsewhere, and with `tightrope serve --spawn`, every session is a fresh process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import fcntl
import gc
import importlib
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# What a session imports on its way to its debrief, imported once here instead (with game.app.FOR_PLAY).
# An import after the fork costs a session more than the module: even `import tty` there dirties about a
# megabyte of the pages it shares with the others.
PRELOAD = (
    "game.commands.app",
    "game.commands.session",
    "game.serve.session",
    "game.dashboard.app",
    "game.store.sqlite",
    "textual.drivers.headless_driver",  # App.run imports it, and textual.pilot, even when not headless
    "textual.drivers.web_driver",
    "textual.pilot",
    "textual.layouts.factory",
    "textual.layouts.horizontal",
    "textual.layouts.stream",
    "textual.scrollbar",
)

POSTGRES_OPTION = "--postgres"
_MAX_REQUEST = 1 << 20
_STREAMS = 3  # stdin, stdout, stderr
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def supported() -> bool:
    return sys.platform == "linux" and hasattr(os, "pidfd_open") and hasattr(socket, "send_fds")


class ForkServerGone(ConnectionError):
    """The fork server did not start a session: it has ended, or refused the request."""


# The server's side.


class ForkedProcess:
    """A session forked by the fork server, with what textual-serve uses of `asyncio.subprocess.Process`."""

    def __init__(
        self,
        pid: int,
        streams: tuple[asyncio.StreamWriter, asyncio.StreamReader, asyncio.StreamReader],
        link: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    ) -> None:
        self.pid = pid
        self.stdin, self.stdout, self.stderr = streams
        self.returncode: int | None = None
        self._link_reader, self._link_writer = link
        self._ended = asyncio.ensure_future(self._wait_for_end())

    async def _wait_for_end(self) -> None:
        try:
            line = await self._link_reader.readline()
        except (OSError, ValueError):  # ValueError: a line too long, which the fork server never sends
            line = b""
        _, _, code = line.decode("ascii", "replace").partition("ended ")
        # No answer means the fork server itself ended, and it kills its sessions when it does.
        self.returncode = int(code) if code.strip().lstrip("-").isdigit() else -signal.SIGKILL
        self._link_writer.close()
        self.stdin.close()

    async def wait(self) -> int:
        await asyncio.shield(self._ended)
        assert self.returncode is not None
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None and not self._link_writer.is_closing():
            self._link_writer.write(b"kill\n")


class ForkServer:
    """The server's handle on its fork server: start it, ask it for sessions, stop it."""

    def __init__(self, environment: dict[str, str], *, postgres: bool = False) -> None:
        """`postgres`: the sessions write to a PostgreSQL store, so the fork server loads its driver too."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        options = [POSTGRES_OPTION] if postgres else []
        with theirs:
            # Textual reads some settings from the environment when it is imported, so the fork server
            # imports it with the environment its sessions get.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "game.serve.forkserver", str(theirs.fileno()), *options],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                env=environment,
            )
        ours.setblocking(False)
        self._control = ours

    @property
    def running(self) -> bool:
        return self.process.poll() is None and self._control.fileno() != -1

    async def start_session(self, command: str, environment: dict[str, str]) -> ForkedProcess:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        stdin_read, stdin_write = os.pipe()
        stdout_read, stdout_write = os.pipe()
        stderr_read, stderr_write = os.pipe()
        given = [theirs.fileno(), stdin_read, stdout_write, stderr_write]
        request = json.dumps({"command": command, "environment": environment}).encode()
        try:
            await self._send(request, given)
        except BaseException:
            for fd in (stdin_write, stdout_read, stderr_read):
                os.close(fd)
            ours.close()
            raise
        finally:
            theirs.close()
            for fd in given[1:]:
                os.close(fd)
        loop = asyncio.get_running_loop()
        link = await asyncio.open_unix_connection(sock=ours)
        streams = (
            await _writer(loop, stdin_write),
            await _reader(loop, stdout_read),
            await _reader(loop, stderr_read),
        )
        answer = await link[0].readline()
        _, _, pid = answer.decode("ascii", "replace").partition("started ")
        if not pid.strip().isdigit():
            link[1].close()
            streams[0].close()
            raise ForkServerGone("the fork server did not start the session")
        return ForkedProcess(int(pid), streams, link)

    async def _send(self, request: bytes, fds: list[int]) -> None:
        while True:
            try:
                socket.send_fds(self._control, [request], fds)
                return
            except BlockingIOError:
                # Its queue is full while it forks a room that joined at once: wait our turn.
                await asyncio.sleep(0.01)
            except OSError as exc:
                raise ForkServerGone(f"the fork server has ended ({exc})") from None

    def stop(self, timeout: float = 5.0) -> None:
        """Close our end, which tells it to end its sessions and itself; kill it if it has not in time."""
        self._control.close()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# The pipe's file belongs to its transport, which closes it: no `with` around these opens.


async def _reader(loop: asyncio.AbstractEventLoop, fd: int) -> asyncio.StreamReader:
    reader = asyncio.StreamReader(loop=loop)
    pipe = open(fd, "rb", 0)  # noqa: SIM115
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader, loop=loop), pipe)
    return reader


async def _writer(loop: asyncio.AbstractEventLoop, fd: int) -> asyncio.StreamWriter:
    pipe = open(fd, "wb", 0)  # noqa: SIM115
    transport, protocol = await loop.connect_write_pipe(
        lambda: asyncio.StreamReaderProtocol(asyncio.StreamReader(loop=loop), loop=loop), pipe
    )
    return asyncio.StreamWriter(transport, protocol, None, loop)


# The fork server's side.


@dataclass
class _Session:
    pid: int
    pidfd: int
    link: socket.socket


class _ForkServer:
    def __init__(self, control: socket.socket) -> None:
        self.control = control
        # For prctl: loaded once here, not in every session.
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.selector = selectors.DefaultSelector()
        self.selector.register(control, selectors.EVENT_READ)
        self.sessions: dict[int, _Session] = {}  # by pid
        self.pid = os.getpid()

    def serve_forever(self) -> None:
        try:
            while self._handle(self.selector.select()):
                pass
        finally:
            self._end_every_session()

    def _handle(self, events: list[tuple[selectors.SelectorKey, int]]) -> bool:
        for key, _ in events:
            if key.fileobj is self.control:
                if not self._take_request():
                    return False
            elif isinstance(key.data, tuple):
                what, session = key.data
                if session.pid not in self.sessions:
                    continue  # reaped earlier in this same batch of events
                if what == "ended":
                    self._reap(session)
                elif session.link.fileno() != -1:
                    self._listen(session)
        return True

    def _take_request(self) -> bool:
        try:
            message, fds, _, _ = socket.recv_fds(self.control, _MAX_REQUEST, 1 + _STREAMS)
        except OSError:
            return False
        if not message:
            return False  # the server has gone
        try:
            request = json.loads(message)
            command, environment = request["command"], request["environment"]
            known = command in session_commands() and isinstance(environment, dict)
            valid = known and len(fds) == 1 + _STREAMS
        except (ValueError, TypeError, KeyError):
            valid = False
        if not valid:
            for fd in fds:
                os.close(fd)
            return True
        link = socket.socket(fileno=fds[0])
        self._fork(command, {str(k): str(v) for k, v in environment.items()}, link, fds[1:])
        return True

    def _fork(
        self, command: str, environment: dict[str, str], link: socket.socket, streams: list[int]
    ) -> None:
        gc.freeze()  # what the fork server made since the last fork stays out of the sessions' collections
        try:
            pid = os.fork()
        except OSError as exc:
            # Out of processes or memory: this session is refused (the server starts it fresh or
            # reports it), the others go on.
            print(f"tightrope: the fork server could not start a session: {exc}", file=sys.stderr)
            pid = -1
        if pid == 0:
            os._exit(self._become_session(command, environment, link, streams))
        for fd in streams:
            os.close(fd)
        try:
            pidfd = os.pidfd_open(pid) if pid > 0 else -1
        except OSError as exc:  # out of file descriptors: a session we could not watch must not run
            print(f"tightrope: the fork server could not watch a session: {exc}", file=sys.stderr)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pidfd = -1
        if pidfd == -1:
            link.close()
            return
        session = _Session(pid, pidfd, link)
        self.sessions[pid] = session
        self.selector.register(session.pidfd, selectors.EVENT_READ, ("ended", session))
        self.selector.register(link, selectors.EVENT_READ, ("link", session))
        with contextlib.suppress(OSError):
            link.sendall(f"started {pid}\n".encode())

    def _become_session(
        self, command: str, environment: dict[str, str], link: socket.socket, streams: list[int]
    ) -> int:
        try:
            # A session ends with the fork server, killed or crashed: the server reaches and ends its
            # sessions through it, so one that outlived it could be left running for ever.
            self.libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            if os.getppid() != self.pid:
                return 1  # it ended before that took hold
            # Nothing of the fork server's stays open in a session: not the server's requests, not the
            # other sessions' sockets.
            self.selector.close()
            self.control.close()
            link.close()
            for other in self.sessions.values():
                other.link.close()
                os.close(other.pidfd)
            # Out of the way first: a stream may have arrived as 0, 1 or 2 if this process had one closed.
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 3 + _STREAMS) for fd in streams]
            for fd in streams:
                os.close(fd)
            for target, fd in enumerate(high):
                os.dup2(fd, target)
                os.close(fd)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.environ.clear()
            os.environ.update(environment)
            importlib.reload(importlib.import_module("textual.constants"))
            sys.argv = ["tightrope", command]
            _name_process("tightrope-play")
            return session_commands()[command](argparse.Namespace())
        except SystemExit as exit:
            return exit.code if isinstance(exit.code, int) else 1
        except KeyboardInterrupt:
            return 130
        except BaseException:
            import traceback

            traceback.print_exc()
            return 1
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()

    def _listen(self, session: _Session) -> None:
        try:
            said = session.link.recv(64)
        except OSError:
            said = b""
        if not said:
            # The server closed the session's socket: the session is over for it, so end it.
            self.selector.unregister(session.link)
        if not said or b"kill" in said:
            # Not reaped yet (that happens only in `_reap`), so the pid is still this session's.
            with contextlib.suppress(ProcessLookupError):
                os.kill(session.pid, signal.SIGKILL)

    def _reap(self, session: _Session) -> None:
        _, status = os.waitpid(session.pid, 0)
        self.selector.unregister(session.pidfd)
        os.close(session.pidfd)
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(session.link)
        with contextlib.suppress(OSError):
            session.link.sendall(f"ended {os.waitstatus_to_exitcode(status)}\n".encode())
        session.link.close()
        del self.sessions[session.pid]

    def _end_every_session(self) -> None:
        for session in list(self.sessions.values()):
            with contextlib.suppress(ProcessLookupError):
                os.kill(session.pid, signal.SIGKILL)
        for session in list(self.sessions.values()):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(session.pid, 0)


def session_commands() -> dict[str, Callable[[argparse.Namespace], int]]:
    """The commands a session may run, by name: what `python -m game NAME` runs for a fresh process.
    Called directly, not through the whole command line's parser, which a session would build only to
    pick a command that takes no arguments (and that alone copies a megabyte or two of shared pages)."""
    from game.commands.session import COMMAND, DASHBOARD_COMMAND

    return {command.name: command.run for command in (COMMAND, DASHBOARD_COMMAND)}


def _name_process(name: str) -> None:
    """What `ps` and `top` show for this process (Linux keeps 15 characters)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/comm").write_text(name)


def _preload(postgres: bool) -> None:
    from rich.cells import cell_len

    from game.app import FOR_PLAY
    from game.catalog import code_fingerprint
    from scoring import load_catalogue
    from scoring.achievements import load_achievements

    for module in (*PRELOAD, *FOR_PLAY):
        importlib.import_module(module)
    if postgres:
        # psycopg and libpq: about 12 MiB and 0.18 s of CPU that every session would otherwise load.
        importlib.import_module("game.store.postgres")
    # Tables and shipped data every session reads, the same for all of them: Rich's table of character
    # widths (loaded at the first character outside ASCII), the principles and the achievements.
    cell_len("\u754c")
    load_catalogue()
    load_achievements()
    # The digest of the checking code, which every session's catalogue compares with its cache: the code
    # sessions run is what was imported here, so here is where to take it.
    code_fingerprint()


def _stop_on_terminate(signum: int, frame: object) -> None:
    raise SystemExit(0)


def main(argv: list[str]) -> int:
    control = socket.socket(fileno=int(argv[0]))
    # Ctrl+C in the facilitator's terminal reaches the whole process group: the server stops its
    # sessions and then closes our socket, which is when we end.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_on_terminate)
    _name_process("tightrope-fork")
    _preload(postgres=POSTGRES_OPTION in argv[1:])
    gc.freeze()
    _ForkServer(control).serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
