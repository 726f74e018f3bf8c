"""The deploy suite's fixtures: a private PostgreSQL server, and nginx run from a folder of its own."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.pg import PostgresServer, PostgresUnavailable
from tests.processes import end, wait_until_listening

ROOT = Path(__file__).resolve().parents[2]
NGINX_SNIPPET = ROOT / "docs" / "deploy" / "nginx.conf"
NGINX_MISSING = (
    "nginx was not found: the deploy test runs Debian's nginx in front of two game hosts. "
    "Run .ci/run, which installs it, or `apt-get install -y nginx`"
)

# What the test puts in place of the documented example's hosts, ports and certificate: nothing else
# in the snippet changes. Each example value must appear exactly once, or the test would not be
# running what the docs show.
EXAMPLE_VALUES = (
    "listen 80;",
    "listen 443 ssl;",
    "server game1.internal:8000;",
    "server game2.internal:8000;",
    "/etc/ssl/certs/classroom.example.org.pem",
    "/etc/ssl/private/classroom.example.org.key",
)

# The main configuration around the snippet, as nginx.conf is around conf.d/ on Debian: here with its
# own pid, logs and temporary folders, so nginx needs nothing of the system's. The access log records
# which host served each request, and on which route.
MAIN = """\
daemon off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log notice;
events {{
    worker_connections 512;
}}
http {{
    log_format routes '$request_method $uri $status upstream=$upstream_addr route=$tightrope_route';
    access_log {root}/access.log routes;
    client_body_temp_path {root}/temp/client_body;
    proxy_temp_path {root}/temp/proxy;
    fastcgi_temp_path {root}/temp/fastcgi;
    uwsgi_temp_path {root}/temp/uwsgi;
    scgi_temp_path {root}/temp/scgi;
    include {root}/tightrope.conf;
}}
"""


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer.create()
        server.start()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.destroy()


def find_nginx() -> Path:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    pytest.fail(NGINX_MISSING, pytrace=False)


@dataclass(frozen=True)
class Nginx:
    root: Path
    http_port: int
    https_port: int
    certificate: Path

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def access_log(self) -> list[dict[str, str]]:
        """Each request nginx has logged: method, uri, status, upstream and route."""
        entries = []
        for line in (self.root / "access.log").read_text().splitlines():
            method, uri, status, *fields = line.split()
            entries.append(
                {"method": method, "uri": uri, "status": status}
                | dict(field.split("=", 1) for field in fields)
            )
        return entries


def documented_config(replacements: Mapping[str, str]) -> str:
    """The documented snippet with its example values replaced, each of which must be there once."""
    text = NGINX_SNIPPET.read_text(encoding="utf-8")
    for example, value in replacements.items():
        assert text.count(example) == 1, f"{example!r} should appear once in {NGINX_SNIPPET}"
        text = text.replace(example, value)
    return text


@contextlib.contextmanager
def running_nginx(game_ports: tuple[int, int], http_port: int, https_port: int) -> Iterator[Nginx]:
    """nginx with the documented configuration in front of two game hosts on loopback, stopped at the end."""
    nginx = find_nginx()
    # Not under pytest's tmp_path, which only root may enter: as root, nginx's workers run as nobody.
    root = Path(tempfile.mkdtemp(prefix="tightrope-nginx-"))
    root.chmod(0o755)
    (root / "temp").mkdir(mode=0o755)
    certificate, key = root / "cert.pem", root / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(certificate), "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    replacements = dict(
        zip(
            EXAMPLE_VALUES,
            (
                f"listen 127.0.0.1:{http_port};",
                f"listen 127.0.0.1:{https_port} ssl;",
                f"server 127.0.0.1:{game_ports[0]};",
                f"server 127.0.0.1:{game_ports[1]};",
                str(certificate),
                str(key),
            ),
            strict=True,
        )
    )
    (root / "tightrope.conf").write_text(documented_config(replacements), encoding="utf-8")
    conf = root / "nginx.conf"
    conf.write_text(MAIN.format(root=root), encoding="utf-8")
    command = [str(nginx), "-p", str(root), "-c", str(conf), "-e", str(root / "error.log")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    assert checked.returncode == 0, f"nginx -t refused the documented configuration:\n{checked.stderr}"
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        error_log = root / "error.log"
        wait_until_listening(https_port, process, "nginx", lambda: _text_of(error_log), timeout=15)
        yield Nginx(root, http_port, https_port, certificate)
    finally:
        end(process)  # SIGTERM: nginx's fast shutdown
        if os.environ.get("TIGHTROPE_KEEP_NGINX"):
            print(f"nginx folder kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def _text_of(log: Path) -> str:
    return log.read_text() if log.exists() else ""
