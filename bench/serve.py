"""Benchmark: many browser sessions at once against `tightrope serve`, and against textual-serve serving a
bare Textual app with the same harness in the same run.

Each session opens the websocket as a browser does, waits for its first screen (keys sent before an
app has drawn are dropped, so a person waits too), then all sessions play at once: every key press is
timed until the screen shows its result. Per-session peak memory is each app process's peak resident
set (VmHWM). Goals: ratios ≤ 1.3 for memory and p95 latency; p95 under 250 ms with 50 sessions.

    python bench/serve.py [--sessions 50]
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.serve.harness import (  # noqa: E402
    BrowserSession,
    command_name,
    descendants_of,
    free_port,
    running_server,
)

Play = Callable[[BrowserSession, int, list[float]], Awaitable[None]]


def peak_rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


async def timed(browser: BrowserSession, key: str, *expect: str, latencies: list[float]) -> None:
    started = time.perf_counter()
    await browser.press(key)
    for text in expect:
        await browser.wait_for_new(text, timeout=60)
    latencies.append(time.perf_counter() - started)


async def play_tightrope(browser: BrowserSession, n: int, latencies: list[float]) -> None:
    await timed(browser, "1", "Thanks invite more reports", latencies=latencies)
    await timed(browser, "enter", "What now?", latencies=latencies)
    await timed(browser, "1", "A review turns the report into a fix", latencies=latencies)
    await timed(browser, "enter", "A team that learns", latencies=latencies)


async def play_bare(browser: BrowserSession, n: int, latencies: list[float]) -> None:
    for press in range(1, 5):
        await timed(browser, "x", f"Pressed {press}", latencies=latencies)


async def room(
    url: str, server_pid: int, sessions: int, ready: Callable[[BrowserSession], Awaitable[None]], play: Play
) -> tuple[list[float], list[int]]:
    latencies: list[float] = []
    peaks: list[int] = []
    everyone_ready = asyncio.Barrier(sessions)
    measured = asyncio.Barrier(sessions)

    async def one(n: int) -> None:
        async with BrowserSession(url, 100, 30) as browser:
            await ready(browser)
            await everyone_ready.wait()
            await play(browser, n, latencies)
            await measured.wait()
            if n == 0:
                apps = [
                    pid
                    for pid in descendants_of(server_pid)
                    if command_name(pid) not in {"sh", "dash", "bash"}
                ]
                peaks.extend(peak_rss_kib(pid) for pid in apps)
            await measured.wait()

    await asyncio.gather(*(one(n) for n in range(sessions)))
    return latencies, peaks


@contextmanager
def textual_serve_reference() -> Iterator[tuple[str, subprocess.Popen[str]]]:
    port = free_port()
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(ROOT / 'bench' / 'bare_app.py'))}"
    script = (
        f"from textual_serve.server import Server; Server({command!r}, host='127.0.0.1', port={port}).serve()"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True
    )
    try:
        from tests.serve.harness import _wait_until_listening

        _wait_until_listening(port, process)
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        process.wait(timeout=15)


def summary(label: str, latencies: list[float], peaks: list[int]) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    memory = statistics.mean(peaks) / 1024 if peaks else float("nan")
    print(
        f"{label}: {len(latencies)} key presses, p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"peak memory per session {memory:.1f} MiB over {len(peaks)} processes"
    )
    return p50, p95, memory


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=50)
    args = parser.parse_args()

    async def join(browser: BrowserSession) -> None:
        await browser.wait_for("Your name, as the facilitator will see it", timeout=180)
        await browser.type("Bench")
        await browser.press("enter")
        await browser.wait_for("Someone reports a problem", timeout=180)

    async def bare_ready(browser: BrowserSession) -> None:
        await browser.wait_for("Ready. Pressed 0", timeout=180)

    with tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "results.sqlite3"
        scenarios = ROOT / "tests" / "serve" / "scenarios"
        arguments = [
            "--scenarios",
            str(scenarios),
            "--scenario",
            "tiny",
            "--store",
            str(store),
            "--max-sessions",
            str(args.sessions + 10),
        ]
        with running_server(arguments) as (url, server):
            ours = asyncio.run(room(url, server.pid, args.sessions, join, play_tightrope))
        with textual_serve_reference() as (url, server):
            reference = asyncio.run(room(url, server.pid, args.sessions, bare_ready, play_bare))

    _, our_p95, our_memory = summary(f"tightrope serve ({args.sessions} sessions)", *ours)
    _, ref_p95, ref_memory = summary(f"textual-serve + bare app ({args.sessions} sessions)", *reference)
    print(
        f"p95 latency ratio: {our_p95 / ref_p95:.2f} (goal <= 1.3); "
        f"p95 {our_p95 * 1000:.0f} ms (goal < 250 ms)"
    )
    print(f"memory ratio: {our_memory / ref_memory:.2f} (goal <= 1.3)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
