"""A real learning record store for the xAPI tests: Ralph, with its filesystem backend, on a loopback port.

Ralph pins its own web stack (FastAPI, uvicorn, bcrypt, …) to exact versions, and the game never
imports it: it is a server we talk to, so it lives in a venv of its own that `.ci/run` makes
(`.ralph-venv` at the repository root, or the one named by TIGHTROPE_RALPH_VENV).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from base64 import b64encode
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.processes import end
from tests.serve.harness import free_port

ROOT = Path(__file__).resolve().parents[2]
RALPH_VENV = "TIGHTROPE_RALPH_VENV"
RALPH = "ralph-malph[cli,lrs]==5.1.0"
MISSING = (
    "Ralph, the learning record store the xAPI tests send to, was not found. Run .ci/run, which "
    f"installs it, or: python3 -m venv .ralph-venv && .ralph-venv/bin/pip install '{RALPH}' 'requests>=2' "
    f"(or point {RALPH_VENV} at a venv that has it)"
)
LAUNCHER = Path(__file__).with_name("ralph_lrs.py")
USER, PASSWORD = "tightrope-tests", "not-a-secret"


def ralph_python() -> Path:
    for venv in (os.environ.get(RALPH_VENV), ROOT / ".ralph-venv"):
        if venv:
            python = Path(venv) / "bin" / "python"
            if python.exists() and (Path(venv) / "bin" / "ralph").exists():
                return python
    pytest.fail(MISSING, pytrace=False)


@dataclass(frozen=True)
class Lrs:
    """A running LRS: its xAPI endpoint, and reading back what it stored."""

    endpoint: str  # http://127.0.0.1:PORT/xAPI/
    credentials: str  # user:password, as TIGHTROPE_LRS_AUTH takes them
    python: Path  # the interpreter of Ralph's venv

    @property
    def statements_url(self) -> str:
        return self.endpoint + "statements"

    def request(self, method: str, url: str, body: object = None) -> tuple[int, Any]:
        token = b64encode(self.credentials.encode()).decode()
        headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read().decode()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def stored(self) -> list[dict[str, Any]]:
        """Every statement the LRS holds, following its `more` links page by page."""
        found: list[dict[str, Any]] = []
        url: str | None = self.statements_url + "?limit=100"
        origin = self.endpoint.split("/xAPI/")[0]
        while url:
            status, page = self.request("GET", url)
            assert status == 200, page
            found.extend(page["statements"])
            more = page.get("more")
            url = origin + more if more and page["statements"] else None
        return found


@pytest.fixture(scope="session")
def ralph_auth_file() -> Iterator[Path]:
    """Ralph's credentials file with one user who may do everything (made once: bcrypt is slow)."""
    python = ralph_python()
    folder = Path(tempfile.mkdtemp(prefix="tightrope-ralph-auth-"))
    auth_file = folder / "auth.json"
    environment = {**os.environ, "RALPH_AUTH_FILE": str(auth_file), "RALPH_RUNSERVER_BACKEND": "fs"}
    done = subprocess.run(
        [str(python.parent / "ralph"), "auth", "--username", USER, "--password", PASSWORD,
         "--scope", "all", "--agent-ifi-account", USER, "https://tightrope.invalid/lrs-users",
         "--write-to-disk"],
        env=environment, cwd=folder, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0 or not auth_file.exists():
        pytest.fail(f"ralph auth failed ({done.returncode}):\n{done.stderr[-2000:]}", pytrace=False)
    yield auth_file
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def lrs(ralph_auth_file: Path) -> Iterator[Lrs]:
    """A fresh, empty LRS for one test, stopped at the end."""
    python = ralph_python()
    folder = Path(tempfile.mkdtemp(prefix="tightrope-ralph-"))
    (folder / "data").mkdir()
    port = free_port()
    environment = {
        **os.environ,
        "RALPH_AUTH_FILE": str(ralph_auth_file),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "data"),
    }
    log = (folder / "ralph.log").open("w")
    # Not `ralph runserver`, which adds a file watcher that reloads the server: see ralph_lrs.py.
    process = subprocess.Popen(
        [str(python), str(LAUNCHER), "127.0.0.1", str(port)],
        env=environment, cwd=folder, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_until_healthy(f"http://127.0.0.1:{port}/__heartbeat__", process, folder / "ralph.log")
        yield Lrs(f"http://127.0.0.1:{port}/xAPI/", f"{USER}:{PASSWORD}", python)
    finally:
        end(process)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Ralph exited with {process.returncode}:\n{log.read_text()[-3000:]}", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    pytest.fail(f"Ralph did not answer {url} within {timeout} s:\n{log.read_text()[-3000:]}", pytrace=False)
