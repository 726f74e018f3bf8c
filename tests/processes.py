"""Servers the tests start as processes: waiting until one listens, and ending one whatever it does."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable
from typing import Any


def wait_until_listening(
    port: int,
    process: subprocess.Popen[Any],
    name: str,
    output: Callable[[], str] = lambda: "",
    timeout: float = 30.0,
) -> None:
    """Return once something accepts connections on loopback `port`; fail with what `process` printed
    (`output`) if it exits first or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{name} exited with {process.returncode}:\n{output()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"{name} did not start listening within {timeout} s:\n{output()}")


def end(process: subprocess.Popen[Any], grace: float = 15.0) -> None:
    """Ask `process` to stop (SIGTERM); kill it if it has not within `grace` seconds. Always reaps it."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
