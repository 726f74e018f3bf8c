"""Two game hosts behind nginx, as docs/deploy.md sets them up: TLS, a sub-path, one PostgreSQL, on loopback.

nginx runs the documented configuration (docs/deploy/nginx.conf, with loopback ports and a throwaway
certificate in place of the example's hosts and certificate) in front of two `tightrope serve`
processes that share one PostgreSQL database. Browsers speak textual-serve's protocol through nginx,
opening the websocket the page names; which host runs each session is read off the hosts' child
processes, and which host served each request off nginx's access log.
"""

from __future__ import annotations

import asyncio
import html
import http.client
import json
import re
import ssl
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import aiohttp
import pytest

from tests.deploy.conftest import NGINX_SNIPPET, ROOT, Nginx, running_nginx
from tests.pg import PostgresServer
from tests.serve.conftest import SCENARIOS
from tests.serve.harness import (
    BrowserSession,
    fork_server_of,
    free_port,
    mapped_libraries,
    running_server,
    session_processes,
)
from tests.serve.test_serve import join, play_tiny_to_the_end

SUB_PATH = "/tightrope"
COHORT = "monday"
DASHBOARD_CODE = "facilitator-only"
WEBSOCKET_URL = re.compile(r'data-session-websocket-url="([^"]+)"')


@dataclass(frozen=True)
class Deployment:
    nginx: Nginx
    hosts: tuple[int, int]  # the game hosts' server process ids
    host_ports: tuple[int, int]
    store: str  # postgresql://…

    def tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.nginx.certificate))

    def get(self, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
        connection = http.client.HTTPSConnection("127.0.0.1", self.nginx.https_port, context=self.tls())
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response

    def sessions(self) -> tuple[int, int]:
        """How many session processes each host runs now."""
        first, second = (len(session_processes(pid)) for pid in self.hosts)
        return first, second


@pytest.fixture(scope="module")
def deployment(postgres_server: PostgresServer) -> Iterator[Deployment]:
    store = postgres_server.new_database()
    http_port, https_port = free_port(), free_port()
    public_url = f"https://127.0.0.1:{https_port}{SUB_PATH}"
    arguments = [
        "--scenarios", str(SCENARIOS), "--scenario", "tiny", "--store", store, "--cohort", COHORT,
        "--public-url", public_url, "--dashboard", "--dashboard-code", DASHBOARD_CODE,
    ]  # fmt: skip
    with ExitStack() as stack:
        (url_1, host_1), (url_2, host_2) = (stack.enter_context(running_server(arguments)) for _ in "12")
        ports = (int(url_1.rsplit(":", 1)[1]), int(url_2.rsplit(":", 1)[1]))
        nginx = stack.enter_context(running_nginx(ports, http_port, https_port))
        yield Deployment(nginx, (host_1.pid, host_2.pid), ports, store)


class ProxiedBrowser(BrowserSession):
    """A browser that loads the page through nginx (TLS, cookies kept) and opens the websocket it names."""

    def __init__(
        self,
        deployment: Deployment,
        page: str = f"{SUB_PATH}/",
        width: int = 100,
        height: int = 30,
        code: str = "",
    ) -> None:
        super().__init__(deployment.nginx.https_url, width, height, code=code)
        self.page_path = page
        self.tls = deployment.tls()
        self.websocket_url = ""

    async def __aenter__(self) -> ProxiedBrowser:
        self._http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=self.tls), cookie_jar=aiohttp.CookieJar(unsafe=True)
        )
        page_url = self.url + self.page_path + (f"?code={self.code}" if self.code else "")
        async with self._http.get(page_url) as response:
            assert response.status == 200, await response.text()
            page = await response.text()
        match = WEBSOCKET_URL.search(page)
        assert match, page
        self.websocket_url = html.unescape(match.group(1))
        separator = "&" if "?" in self.websocket_url else "?"
        size = f"width={self.width}&height={self.height}"
        self.socket = await self._http.ws_connect(self.websocket_url + separator + size)
        self._reader = asyncio.create_task(self._read())
        return self


def test_the_docs_show_the_configuration_this_test_runs() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", guide, flags=re.DOTALL)
    assert blocks, "docs/deploy.md shows no nginx configuration"
    assert blocks[0] == NGINX_SNIPPET.read_text(encoding="utf-8")


def test_the_page_under_the_sub_path_points_back_through_the_proxy(deployment: Deployment) -> None:
    base = deployment.nginx.https_url + SUB_PATH
    first = deployment.get(f"{SUB_PATH}/")
    assert first.status == 200
    cookie = first.headers["Set-Cookie"]
    assert re.fullmatch(
        r"tightrope_route=[0-9a-f]{32}; Path=/tightrope/; Secure; HttpOnly; SameSite=Lax", cookie
    ), cookie
    # A returning browser keeps its route: no new cookie.
    again = deployment.get(f"{SUB_PATH}/", {"Cookie": cookie.split(";")[0]})
    assert again.status == 200 and again.headers["Set-Cookie"] is None

    connection = http.client.HTTPSConnection(
        "127.0.0.1", deployment.nginx.https_port, context=deployment.tls()
    )
    connection.request("GET", f"{SUB_PATH}/")
    page = connection.getresponse().read().decode()
    match = WEBSOCKET_URL.search(page)
    assert match and match.group(1) == f"wss://127.0.0.1:{deployment.nginx.https_port}{SUB_PATH}/ws"
    links = re.findall(r'(?:href|src)="([^"]+)"', page)
    assert links and all(link.startswith(f"{base}/static/") for link in links), links
    for link in set(links):
        assert deployment.get(link.removeprefix(deployment.nginx.https_url)).status == 200, link

    assert deployment.get(SUB_PATH).headers["Location"].endswith(f"{SUB_PATH}/")
    plain = http.client.HTTPConnection("127.0.0.1", deployment.nginx.http_port)
    plain.request("GET", f"{SUB_PATH}/")
    redirect = plain.getresponse()
    assert redirect.status == 301 and redirect.headers["Location"].startswith("https://")


def test_the_message_pages_under_the_sub_path_are_styled_too(deployment: Deployment) -> None:
    connection = http.client.HTTPSConnection(
        "127.0.0.1", deployment.nginx.https_port, context=deployment.tls()
    )
    connection.request("GET", f"{SUB_PATH}/dashboard")  # no access code: the message page
    response = connection.getresponse()
    page = response.read().decode()
    assert response.status == 403 and "needs its access code" in page
    links = re.findall(r'href="([^"]+)"', page)
    assert links
    for link in links:
        absolute = urljoin(f"{deployment.nginx.https_url}{SUB_PATH}/dashboard", link)
        assert deployment.get(absolute.removeprefix(deployment.nginx.https_url)).status == 200, link


def test_sessions_land_on_both_hosts_and_the_report_and_dashboard_see_every_player(
    deployment: Deployment,
) -> None:
    async def room() -> dict[str, int]:
        """Open sessions one by one until each host runs two; then everyone plays to the end."""
        browsers: list[ProxiedBrowser] = []
        names: dict[str, int] = {}
        try:
            for attempt in range(40):  # each session picks a host at random: 40 leave no doubt
                if min(Counter(names.values())[host] for host in (0, 1)) >= 2:
                    break
                before = deployment.sessions()
                browser = ProxiedBrowser(deployment)
                await browser.__aenter__()
                browsers.append(browser)
                await browser.wait_for("Your name")
                after = deployment.sessions()
                (host,) = [h for h in (0, 1) if after[h] == before[h] + 1]
                name = f"Host{host + 1} player{attempt}"
                names[name] = host
                await join(browser, name)
            await asyncio.gather(*(play_tiny_to_the_end(browser) for browser in browsers))
        finally:
            for browser in browsers:
                await browser.close()
        return names

    names = asyncio.run(room())
    assert Counter(names.values())[0] >= 2 and Counter(names.values())[1] >= 2

    report = subprocess.run(
        [sys.executable, "-m", "game", "report", "--store", deployment.store, "--format", "json",
         "--scenarios", str(SCENARIOS)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    (scenario,) = json.loads(report.stdout)["scenarios"]
    assert sorted(player["name"] for player in scenario["players"]) == sorted(names)
    assert scenario["player_counts"]["finished"] == len(names)

    async def facilitator() -> None:
        dashboard = ProxiedBrowser(
            deployment, f"{SUB_PATH}/dashboard", width=120, height=40, code=DASHBOARD_CODE
        )
        async with dashboard:
            assert dashboard.websocket_url.startswith(
                f"wss://127.0.0.1:{deployment.nginx.https_port}{SUB_PATH}/dashboard/ws?code="
            )
            await dashboard.wait_for(f"0 playing, {len(names)} finished")

    asyncio.run(facilitator())

    # nginx's own record: a page and the websocket it opened went to the same host, and both hosts served.
    log = deployment.nginx.access_log()
    sockets = [entry for entry in log if entry["uri"] == f"{SUB_PATH}/ws" and entry["status"] == "101"]
    assert len(sockets) == len(names)
    pages = {entry["route"]: entry["upstream"] for entry in log if entry["uri"] == f"{SUB_PATH}/"}
    for socket in sockets:
        assert pages[socket["route"]] == socket["upstream"], socket
    upstreams = {f"127.0.0.1:{port}" for port in deployment.host_ports}
    assert {socket["upstream"] for socket in sockets} == upstreams


def test_each_host_forks_its_sessions_with_the_postgres_driver_already_loaded(deployment: Deployment) -> None:
    for host in deployment.hosts:
        forks = fork_server_of(host)
        deadline = time.monotonic() + 30
        while not any(name.startswith("_psycopg") for name in mapped_libraries(forks)):
            assert time.monotonic() < deadline, f"host {host}'s fork server has not loaded psycopg"
            time.sleep(0.1)


def test_the_guide_names_what_each_host_needs() -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for needed in ("--public-url", "--store postgresql://", "--dashboard-code", "apt-get install -y nginx"):
        assert needed in guide, needed
    assert Path(NGINX_SNIPPET).name in guide
