"""The `tightrope serve` web server: textual-serve's protocol and app processes, with what a room needs.

textual-serve starts one app process per browser connection and relays the terminal stream over a
websocket. It leaves out what a classroom needs, which this module adds around its `AppService`:
our own page (no fonts or scripts from outside the server), a cap on concurrent sessions with a
"room is full" page, an idle timeout, and a guarantee that a closed session's process is ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hmac
import ipaddress
import json
import logging
import shlex
import sys
import time
from asyncio.subprocess import Process
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from importlib.resources import files
from pathlib import Path
from typing import Any, cast

import jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from game.paths import shipped
from game.serve.attempts import JOIN_ADMITTED, JOIN_REFUSED, SERVER_EVENT, JoinAttempts
from game.serve.forkserver import ForkServer, ForkServerGone, supported
from game.serve.settings import SessionSettings
from game.store import is_database_url

log = logging.getLogger("tightrope.serve")

# How long a session's app gets to quit on its own before it is killed.
STOP_GRACE_SECONDS = 3.0


@dataclass(frozen=True)
class Room:
    """One served app: the players' game, or the facilitator's dashboard."""

    name: str
    title: str
    path: str  # URL prefix: "" for the game, "/dashboard" for the dashboard
    command: str  # the session command it runs, by name (game.serve.forkserver.session_commands)
    settings: SessionSettings
    access_code: str | None = None  # checked by the server before a process is started


@dataclass
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    max_sessions: int = 40
    idle_timeout: float = 20 * 60
    # Fork each session from a process that has Textual and the game imported (game.serve.forkserver);
    # off, or where that is not supported, every session is a fresh Python process.
    fork_sessions: bool = True
    rooms: list[Room] = field(default_factory=list)


def session_command(kind: str) -> str:
    """The fixed command for one app process. `exec` keeps the shell from standing between us and it."""
    return f"exec {shlex.quote(sys.executable)} -m game {kind}"


class SessionService(AppService):
    """textual-serve's app service, with our environment, sessions forked from a warm process when
    there is one, and a stop that cannot hang."""

    def __init__(
        self,
        command: str,
        environment: dict[str, str],
        forks: ForkServer | None = None,
        on_event: Callable[[str], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(session_command(command), **kwargs)
        self._tightrope_command = command
        self._extra_environment = environment
        self._forks = forks
        self._on_event = on_event

    async def on_meta(self, data: bytes) -> None:
        # A link to `tightrope-server:EVENT` is the session telling us something (ServedApp._tell_server):
        # it is kept here, never sent on to the browser.
        try:
            meta = json.loads(data)
            url = meta.get("url") if meta.get("type") == "open_url" else None
        except (ValueError, AttributeError):
            url = None
        if isinstance(url, str) and url.startswith(f"{SERVER_EVENT}:"):
            if self._on_event is not None:
                self._on_event(url.partition(":")[2])
            return
        await super().on_meta(data)

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        environment.update(self._extra_environment)
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        forks = self._forks
        if forks is None or not forks.running:
            return await super()._open_app_process(width, height)
        environment = self._build_environment(width, height)
        try:
            forked = await forks.start_session(self._tightrope_command, environment)
        except ForkServerGone as exc:
            log.warning("starting the session as a fresh process: %s", exc)
            return await super()._open_app_process(width, height)
        # It has everything of a Process that textual-serve and `stop` use.
        self._process = process = cast(Process, forked)
        self._stdin = forked.stdin
        return process

    async def run(self) -> None:
        await super().run()
        # The app has gone, by its own exit or by a crash: close the browser's connection, so the player
        # sees that the session ended rather than a screen that no longer answers.
        await self.remote_close()

    async def stop(self) -> None:
        """Ask the app to quit; if it has not within the grace period, kill it. Always reaps it."""
        process = self._process
        if self._task is not None:
            task, self._task = self._task, None
            with contextlib.suppress(Exception):
                await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
                await self.send_meta({"type": "quit"})
            try:
                await asyncio.wait_for(asyncio.shield(task), STOP_GRACE_SECONDS)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(process.wait(), STOP_GRACE_SECONDS)


class TightropeServer:
    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self.sessions: set[SessionService] = set()
        self.download_manager = DownloadManager()
        templates = shipped("assets") / "web"
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates), autoescape=True, enable_async=False
        )
        self.public_url = options.public_url or f"http://{options.host}:{options.port}"
        self.forks: ForkServer | None = None
        self.attempts = JoinAttempts()

    # The web application.

    def make_app(self) -> web.Application:
        app = web.Application()
        textual_static = Path(str(files("textual_serve"))) / "static"
        routes = [
            web.static("/static/textual", textual_static, name="textual-static"),
            web.static("/static/tightrope", shipped("assets") / "web", name="static"),
            web.get("/healthz", self.handle_health),
        ]
        for room in self.options.rooms:
            routes.append(web.get(room.path or "/", self._index_handler(room)))
            routes.append(web.get(f"{room.path}/ws", self._websocket_handler(room)))
        app.add_routes(routes)
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def on_startup(self, app: web.Application) -> None:
        if self.options.fork_sessions and supported():
            postgres = any(is_database_url(room.settings.store) for room in self.options.rooms)
            self.forks = ForkServer(session_environment(), postgres=postgres)

    async def handle_health(self, request: web.Request) -> web.Response:
        return web.json_response({"sessions": len(self.sessions), "max_sessions": self.options.max_sessions})

    def _allowed(self, room: Room, request: web.Request) -> bool:
        if room.access_code is None:
            return True
        given = request.query.get("code", "")
        return hmac.compare_digest(given.encode(), room.access_code.encode())

    def _render(self, template: str, status: int = 200, **context: Any) -> web.Response:
        # Every page links its styles through --public-url, so they load behind a sub-path too.
        context.setdefault("static_url", f"{self.public_url}/static")
        html = self.templates.get_template(template).render(**context)
        return web.Response(text=html, content_type="text/html", status=status)

    def _index_handler(self, room: Room) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def index(request: web.Request) -> web.Response:
            if not self._allowed(room, request):
                return self._render(
                    "message.html", 403, title=room.title, message="This page needs its access code."
                )
            if len(self.sessions) >= self.options.max_sessions:
                return self._render(
                    "message.html",
                    503,
                    title=room.title,
                    message="The room is full. Wait a moment, then reload this page.",
                )
            font_size = _to_int(request.query.get("fontsize", "16"), 16, 8, 40)
            query = f"?code={request.query['code']}" if room.access_code else ""
            websocket_url = self.public_url.replace("http", "ws", 1) + f"{room.path}/ws{query}"
            return self._render(
                "index.html",
                title=room.title,
                font_size=font_size,
                websocket_url=websocket_url,
                static_url=f"{self.public_url}/static",
            )

        return index

    def _websocket_handler(self, room: Room) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def websocket(request: web.Request) -> web.StreamResponse:
            if not self._allowed(room, request):
                raise web.HTTPForbidden(text="access code required")
            if len(self.sessions) >= self.options.max_sessions:
                raise web.HTTPServiceUnavailable(text="the room is full")
            return await self._run_session(room, request)

        return websocket

    async def _run_session(self, room: Room, request: web.Request) -> web.WebSocketResponse:
        # A ping every 30 s finds dead connections; aiohttp waits half that for the pong, so a browser
        # on a busy laptop (or a test client with fifty sessions) is not cut off for answering late.
        socket = web.WebSocketResponse(heartbeat=30, max_msg_size=64 * 1024)
        width = _to_int(request.query.get("width", "80"), 80, 20, 500)
        height = _to_int(request.query.get("height", "24"), 24, 10, 200)
        await socket.prepare(request)
        address = client_address(request)
        settings = dataclasses.replace(
            room.settings,
            refused_before=self.attempts.refused_before(address),
            room_guessing=self.attempts.room_beyond_allowance(),
        )
        service = SessionService(
            room.command,
            settings.to_env(),
            self.forks,
            partial(self._on_session_event, address),
            write_bytes=socket.send_bytes,
            write_str=socket.send_str,
            close=socket.close,
            download_manager=self.download_manager,
        )
        self.sessions.add(service)
        last_activity = [time.monotonic()]
        watchdog = asyncio.create_task(self._close_when_idle(socket, last_activity))
        try:
            await service.start(width, height)
            await self._relay(socket, service, last_activity)
        except Exception:
            log.exception("session failed")
        finally:
            watchdog.cancel()
            await service.stop()
            self.sessions.discard(service)
            await socket.close()
        return socket

    def _on_session_event(self, address: str, event: str) -> None:
        if event == JOIN_REFUSED:
            self.attempts.refused(address)
        elif event == JOIN_ADMITTED:
            self.attempts.admitted(address)

    async def _relay(
        self, socket: web.WebSocketResponse, service: SessionService, last_activity: list[float]
    ) -> None:
        """Browser → app: keys, resizes, focus; the app's output goes back through the service."""
        async for message in socket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = message.json()
                kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            except (ValueError, TypeError, IndexError, KeyError, RecursionError):
                # A malformed message is dropped, not fatal; deeply nested JSON ("[[[[...") makes the
                # decoder raise RecursionError, which would otherwise end the player's session.
                continue
            if kind == "stdin" and isinstance(data, str):
                last_activity[0] = time.monotonic()
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                last_activity[0] = time.monotonic()
                await service.set_terminal_size(
                    _to_int(str(data.get("width")), 80, 20, 500),
                    _to_int(str(data.get("height")), 24, 10, 200),
                )
            elif kind == "ping":
                await socket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    async def _close_when_idle(self, socket: web.WebSocketResponse, last_activity: list[float]) -> None:
        timeout = self.options.idle_timeout
        while not socket.closed:
            idle = time.monotonic() - last_activity[0]
            if idle >= timeout:
                log.info("closing a session idle for %.0f s", idle)
                await socket.close(code=1000, message=b"idle timeout")
                return
            await asyncio.sleep(min(timeout - idle, 5.0))

    async def on_shutdown(self, app: web.Application) -> None:
        await asyncio.gather(*(service.stop() for service in list(self.sessions)), return_exceptions=True)
        if self.forks is not None:
            await asyncio.to_thread(self.forks.stop)

    def serve(self) -> None:
        web.run_app(self.make_app(), host=self.options.host, port=self.options.port, print=None)


def client_address(request: web.Request) -> str:
    """Who is connecting: the peer, or, when the peer is a proxy on this machine (docs/deploy.md), the
    address that proxy saw, which it appends to X-Forwarded-For."""
    peer = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and is_loopback(peer):
        return forwarded.rsplit(",", 1)[-1].strip()
    return peer


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def session_environment() -> dict[str, str]:
    """The environment textual-serve gives every app process, before its size."""

    async def nowhere(*_: Any) -> None:
        return None

    probe = SessionService(
        "session", {}, None, write_bytes=nowhere, write_str=nowhere, close=nowhere,
        download_manager=DownloadManager(),
    )  # fmt: skip
    return probe._build_environment()


def _to_int(value: str, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        return default
    return max(low, min(high, number))
