"""Benchmark: many browser sessions at once against `tightrope serve`, and against textual-serve serving a
bare Textual app with the same harness in the same run.

Each session opens the websocket as a browser does, waits for its first screen (keys sent before an
app has drawn are dropped, so a person waits too), joins, then all sessions play a shipped scenario
to its debrief at once, taking the first choice each time: every key press is timed until the screen
shows its result. The bare app gets as many key presses. By default every session sends its next key
as soon as its screen has answered (the worst case: the whole room pressing at once); `--think S`
has each player read for about S seconds first, as people do.

Memory per session is measured two ways at the debrief, the end of the play. The proportional set
size (PSS) is what the machine spends on a session: a page shared by several processes is split
between them, so the memory `tightrope serve`'s sessions share with the fork server they were forked
from (game.serve.forkserver) counts once, and the fork server's own share is spread over the room.
The peak resident set (VmHWM) counts every page a process has touched, shared or not, so a forked
session is charged the whole of what it shares. Also printed: the CPU time the app processes spent and the
screen output they sent per key press, which do not depend on how busy the machine is.
Goals: ratios ≤ 1.3 for memory and p95 latency; p95 under 250 ms with 50 sessions.

    python bench/serve.py [--sessions 50] [--scenario near-miss] [--think 0] [--spawn]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.engine import Engine  # noqa: E402
from game.scenario import load_file  # noqa: E402
from game.scenario.models import Scenario  # noqa: E402
from scoring import load_catalogue  # noqa: E402
from tests.processes import end, wait_until_listening  # noqa: E402
from tests.serve.harness import (  # noqa: E402
    BrowserSession,
    command_name,
    descendants_of,
    free_port,
    running_server,
    session_processes,
)


@dataclass
class Room:
    """What one server did for a room: each key's latency, each app's peak memory, and the CPU time and
    screen output the app processes spent on the measured keys (independent of how busy the machine is)."""

    latencies: list[float] = field(default_factory=list)
    ready: list[float] = field(default_factory=list)  # from opening the page to the first scene
    by_key: dict[int, list[float]] = field(default_factory=dict)  # the latencies of each key in the play
    peaks: list[int] = field(default_factory=list)
    proportional: list[int] = field(default_factory=list)  # KiB of PSS, each session's with its share
    cpu: float = 0.0
    bytes_sent: int = 0
    failures: list[str] = field(default_factory=list)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_kib(pid: int, table: str, name: str) -> int:
    """One `Name:  N kB` line of a /proc/PID table (0 once the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/{table}").read_text().splitlines():
            if line.startswith(f"{name}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kib(pid: int) -> int:
    return proc_kib(pid, "smaps_rollup", "Pss")


def peak_rss_kib(pid: int) -> int:
    return proc_kib(pid, "status", "VmHWM")


def fork_servers(server_pid: int) -> list[int]:
    return [pid for pid in descendants_of(server_pid) if command_name(pid) == "tightrope-fork"]


async def timed(browser: BrowserSession, key: str, expect: str) -> float:
    started = time.perf_counter()
    await browser.press(key)
    await browser.wait_for_new(expect, timeout=120)
    return time.perf_counter() - started


def playthrough(scenario: Scenario) -> list[tuple[str, str]]:
    """The keys that play `scenario` to its debrief taking the first choice each time, each with words the
    screen shows once that key has done its work."""
    engine = Engine(scenario)
    state = engine.start()
    keys: list[tuple[str, str]] = []
    while not engine.is_over(state):
        keys.append(("1", "What your choice did"))
        state = engine.choose(state, engine.available(state)[0].key).state
        keys.append(("enter", "Debrief" if engine.is_over(state) else f"decision {len(state.history) + 1}"))
    return keys


class Player:
    """Presses keys as a person does: waits for the screen, and with `think` > 0 reads for a while (a
    seeded random 0.5-1.5 × think seconds) before each key. Only the key's own latency is counted."""

    def __init__(self, keys: list[tuple[str, str]], think: float, seed: int) -> None:
        self.keys, self.think, self.seed = keys, think, seed

    async def __call__(self, browser: BrowserSession, n: int, room: Room) -> None:
        pause = random.Random(self.seed * 1_000 + n)
        for number, (key, expect) in enumerate(self.keys):
            if self.think:
                await asyncio.sleep(pause.uniform(0.5, 1.5) * self.think)
            latency = await timed(browser, key, expect)
            room.latencies.append(latency)
            room.by_key.setdefault(number, []).append(latency)


Play = Callable[[BrowserSession, int, Room], Awaitable[None]]


async def room(
    url: str, server_pid: int, sessions: int, ready: Callable[[BrowserSession], Awaitable[None]], play: Play
) -> Room:
    result = Room()
    everyone_ready = asyncio.Barrier(sessions)
    measured = asyncio.Barrier(sessions)
    cpu_before: dict[int, float] = {}
    bytes_before: list[int] = [0] * sessions

    async def one(n: int) -> None:
        try:
            await session(n)
        except Exception as exc:
            # One failed session must not leave the others waiting at a barrier for ever.
            result.failures.append(f"session {n}: {type(exc).__name__}: {str(exc).splitlines()[0]}")
            await everyone_ready.abort()
            await measured.abort()

    async def session(n: int) -> None:
        opened = time.perf_counter()
        async with BrowserSession(url, 100, 30) as browser:
            await ready(browser)
            result.ready.append(time.perf_counter() - opened)
            bytes_before[n] = browser.bytes_received
            if await everyone_ready.wait() == 0:
                cpu_before.update((pid, cpu_seconds(pid)) for pid in session_processes(server_pid))
            await play(browser, n, result)
            result.bytes_sent += browser.bytes_received - bytes_before[n]
            if await measured.wait() == 0:
                apps = session_processes(server_pid)
                result.cpu = sum(cpu_seconds(pid) - cpu_before.get(pid, 0.0) for pid in apps)
                result.peaks.extend(peak_rss_kib(pid) for pid in apps)
                shared = sum(pss_kib(pid) for pid in fork_servers(server_pid)) / max(1, len(apps))
                result.proportional.extend(round(pss_kib(pid) + shared) for pid in apps)
            await measured.wait()

    await asyncio.gather(*(one(n) for n in range(sessions)))
    return result


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
        wait_until_listening(port, process, "textual-serve")
        yield f"http://127.0.0.1:{port}", process
    finally:
        end(process)


def summary(label: str, room: Room) -> tuple[float, float, float, float]:
    ordered = sorted(room.latencies)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    memory = statistics.mean(room.proportional) / 1024 if room.proportional else float("nan")
    peak = statistics.mean(room.peaks) / 1024 if room.peaks else float("nan")
    keys = len(ordered)
    print(
        f"{label}: {keys} key presses, p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"memory per session {memory:.1f} MiB (PSS; peak resident {peak:.1f} MiB) "
        f"over {len(room.peaks)} processes"
    )
    print(
        f"  per key press: {room.cpu / keys * 1000:.1f} ms of CPU in the app processes, "
        f"{room.bytes_sent / keys / 1024:.1f} KiB of screen sent"
    )
    ready = sorted(room.ready)
    print(
        "  from opening the page to the first scene (ours: through the join form), all at once: "
        f"p50 {statistics.median(ready):.1f} s, slowest {ready[-1]:.1f} s"
    )
    medians = (f"{statistics.median(room.by_key[n]) * 1000:.0f}" for n in sorted(room.by_key))
    print(f"  median ms by key, in the order pressed: {' '.join(medians)}")
    return p50, p95, memory, peak


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--scenario", default="near-miss", help="a shipped scenario's id")
    parser.add_argument(
        "--think", type=float, default=0.0,
        help="mean seconds a player reads before each key; 0 (default): all keys at once, the worst case",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--spawn", action="store_true", help="serve with `tightrope serve --spawn`: no fork server"
    )
    args = parser.parse_args()

    scenario = load_file(ROOT / "scenarios" / f"{args.scenario}.yaml", load_catalogue()).scenario
    assert scenario is not None, f"{args.scenario} does not load: run tightrope check scenarios/"
    keys = playthrough(scenario)
    bare_keys = [("x", f"Pressed {press}") for press in range(1, len(keys) + 1)]
    first_scene = "decision 1"

    # The output is searched as it arrives, not fed to the terminal emulator: with a room of sessions
    # that emulator keeps this process too busy to answer the server's pings in time.
    async def join(browser: BrowserSession) -> None:
        await browser.wait_for_output("Your name, as the facilitator will see it", timeout=300)
        await browser.type("Bench")
        await browser.press("enter")
        await browser.wait_for_new(first_scene, timeout=300)

    async def bare_ready(browser: BrowserSession) -> None:
        await browser.wait_for_output("Ready. Pressed 0", timeout=300)

    print(
        f"{args.sessions} sessions, each playing {scenario.id} ({len(keys)} key presses) "
        + (f"reading ~{args.think:g} s before each key" if args.think else "with every key sent at once")
    )
    with tempfile.TemporaryDirectory() as folder:
        arguments = [
            "--scenarios", str(ROOT / "scenarios"), "--scenario", scenario.id,
            "--store", str(Path(folder) / "results.sqlite3"), "--max-sessions", str(args.sessions + 10),
            *(["--spawn"] if args.spawn else []),
        ]  # fmt: skip
        with running_server(arguments) as (url, server):
            play_ours = Player(keys, args.think, args.seed)
            ours = asyncio.run(room(url, server.pid, args.sessions, join, play_ours))
        with textual_serve_reference() as (url, server):
            play_bare = Player(bare_keys, args.think, args.seed)
            reference = asyncio.run(room(url, server.pid, args.sessions, bare_ready, play_bare))

    for label, result in (("tightrope serve", ours), ("textual-serve + bare app", reference)):
        if result.failures:
            failed = len(result.failures)
            print(f"{label}: {failed} of {args.sessions} sessions failed; first: {result.failures[0]}")
            return 1
    ours_label = f"tightrope serve{' --spawn' if args.spawn else ''} ({args.sessions} sessions)"
    _, our_p95, our_memory, our_peak = summary(ours_label, ours)
    bare_label = f"textual-serve + bare app ({args.sessions} sessions)"
    _, ref_p95, ref_memory, ref_peak = summary(bare_label, reference)
    print(
        f"p95 latency ratio: {our_p95 / ref_p95:.2f} (goal <= 1.3); "
        f"p95 {our_p95 * 1000:.0f} ms (goal < 250 ms)"
    )
    print(
        f"memory ratio: {our_memory / ref_memory:.2f} (goal <= 1.3); "
        f"peak resident set ratio {our_peak / ref_peak:.2f}, which charges each session all it shares"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
