"""Start-up benchmark: the game's first picker frame against a bare Textual app, measured in one run.

For each repetition two fresh processes are started, one after the other: a bare Textual app that
renders one Static, and the game (every shipped scenario loaded and validated, then the picker). Each
child reports through a pipe the moment its first frame has been rendered (headless, after the first
refresh) and then exits; the time counted is from just before the process is spawned to that report.
Peak memory is the child's ru_maxrss. Medians are compared:

    python bench/startup.py [--repeat 9] [--scenarios DIR]

Goals: time ratio ≤ 1.3, memory ratio ≤ 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TIME_GOAL, MEMORY_GOAL = 1.3, 1.5


def child(kind: str, report_fd: int, scenarios: str | None) -> None:
    """Runs in the child process: build the app, report the first frame, exit."""
    from textual.app import App
    from textual.pilot import Pilot

    def report() -> None:
        os.write(report_fd, json.dumps({"at": time.time(), "screen": type(app.screen).__name__}).encode())
        os.close(report_fd)
        app.exit()

    async def first_frame(pilot: Pilot[object]) -> None:
        pilot.app.call_after_refresh(report)

    app: App[Any]
    if kind == "bare":
        from textual.app import ComposeResult
        from textual.widgets import Static

        class Bare(App[object]):
            def compose(self) -> ComposeResult:
                yield Static("Hello from a bare Textual app.")

        app = Bare()
    else:
        from game.commands.app import build_app

        app = build_app(argparse.Namespace(scenarios=Path(scenarios) if scenarios else None, no_timers=False))
    app.run(headless=True, size=(80, 24), auto_pilot=first_frame)


def measure(kind: str, scenarios: str | None, env: dict[str, str]) -> tuple[float, int, str]:
    """(seconds to first frame, peak RSS in KiB, screen shown) for one fresh child."""
    read_fd, write_fd = os.pipe()
    command = [sys.executable, __file__, "--child", kind, "--fd", str(write_fd)]
    if scenarios:
        command += ["--scenarios", scenarios]
    started = time.time()
    process = subprocess.Popen(command, pass_fds=(write_fd,), env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        message = pipe.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0 or not message:
        raise SystemExit(f"the {kind} child failed (status {status})")
    report = json.loads(message)
    return report["at"] - started, usage.ru_maxrss, report["screen"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--scenarios", help="scenario folder (default: the shipped ones)")
    parser.add_argument("--child", choices=("bare", "game"), help=argparse.SUPPRESS)
    parser.add_argument("--fd", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.fd, args.scenarios)
        return

    with tempfile.TemporaryDirectory() as home:
        # A named player, so the game opens on the picker rather than asking for a name.
        Path(home, "profile.json").write_text('{"name": "Bench"}', encoding="utf-8")
        env = {**os.environ, "TIGHTROPE_HOME": home, "PYTHONPATH": str(ROOT)}
        results: dict[str, list[tuple[float, int]]] = {"bare": [], "game": []}
        measure("bare", None, env)  # warm the file cache so the first sample is not an outlier
        measure("game", args.scenarios, env)
        for _ in range(args.repeat):
            for kind in ("bare", "game"):
                seconds, rss, screen = measure(kind, args.scenarios, env)
                if kind == "game" and screen != "PickerScreen":
                    raise SystemExit(f"the game's first frame showed {screen}, not the picker")
                results[kind].append((seconds, rss))

    median = {
        kind: (statistics.median(s for s, _ in r), statistics.median(m for _, m in r))
        for kind, r in results.items()
    }
    (bare_time, bare_rss), (game_time, game_rss) = median["bare"], median["game"]
    print(f"repetitions: {args.repeat} each, medians")
    print(f"  bare Textual app : {bare_time * 1000:7.1f} ms  {bare_rss / 1024:6.1f} MiB peak RSS")
    print(f"  tightrope picker : {game_time * 1000:7.1f} ms  {game_rss / 1024:6.1f} MiB peak RSS")
    time_ratio, memory_ratio = game_time / bare_time, game_rss / bare_rss
    for name, ratio, goal in (("time", time_ratio, TIME_GOAL), ("memory", memory_ratio, MEMORY_GOAL)):
        print(f"{name + ' ratio':<13}{ratio:.2f}  (goal ≤ {goal})  {'ok' if ratio <= goal else 'over'}")


if __name__ == "__main__":
    main()
