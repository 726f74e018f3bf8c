"""A real, private PostgreSQL server for tests: its own cluster in a temporary folder, on a loopback port.

The server binaries come from Debian's `postgresql` package (`.ci/run` installs it). PostgreSQL will
not run as root, so as root every server command runs as the `postgres` user through `runuser`.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

MISSING = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found: run .ci/run, which installs them, "
    "or `apt-get install -y postgresql`"
)


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server can be made on this machine; the message says how to get one."""


def find_bindir() -> Path | None:
    """Where initdb and pg_ctl are: on PATH, or in Debian's versioned folder (newest first)."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    return next((c for c in candidates if (c / "pg_ctl").exists() and (c / "initdb").exists()), None)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class PostgresServer:
    """One cluster: `start()`, `stop()` (fast shutdown, as an operator would) and `destroy()`."""

    def __init__(self, root: Path, bindir: Path, port: int) -> None:
        self.root = root
        self.bindir = bindir
        self.port = port
        self.data = root / "data"
        self.log = root / "server.log"
        self._databases = itertools.count(1)

    @classmethod
    def create(cls) -> PostgresServer:
        bindir = find_bindir()
        if bindir is None:
            raise PostgresUnavailable(MISSING)
        # Not under pytest's tmp_path: that is private to root, and the server runs as `postgres`.
        root = Path(tempfile.mkdtemp(prefix="tightrope-pg-"))
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(root)
                raise PostgresUnavailable(f"{MISSING} (there is no `postgres` user)") from None
            os.chown(root, owner.pw_uid, owner.pw_gid)
        server = cls(root, bindir, _free_port())
        server._run(
            "initdb", "--pgdata", str(server.data), "--username=postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        # Speed over durability: the cluster is thrown away; outages are stopped cleanly.
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(server.port),
            "unix_socket_directories": f"'{root}'",
            "max_connections": "100",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        with (server.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        return server

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self._run("pg_ctl", "--pgdata", str(self.data), "--log", str(self.log), "--wait", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "--pgdata", str(self.data), "--mode=fast", "--wait", "stop")

    @property
    def running(self) -> bool:
        status = subprocess.run(
            self._as_owner(str(self.bindir / "pg_ctl"), "--pgdata", str(self.data), "status"),
            cwd=self.root,
            capture_output=True,
            check=False,
        )
        return status.returncode == 0

    def destroy(self) -> None:
        try:
            if self.running:
                self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def new_database(self) -> str:
        """A fresh, empty database on this server, as a URL."""
        import psycopg

        name = f"test_{next(self._databases)}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def _as_owner(self, *argv: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else list(argv)

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            self._as_owner(str(self.bindir / program), *args),
            cwd=self.root,  # the server user may not be allowed into the current folder
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise PostgresUnavailable(
                f"{program} {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}\n{log}"
            )
