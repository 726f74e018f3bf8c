"""Start-up benchmark: the game's first picker frame against a bare Textual app, measured in one run.

For each repetition two fresh processes are started, one after the other: a bare Textual app that
renders one Static, and the game as `tightrope` starts it (the command-line module and its parser, every
shipped scenario loaded and validated, then the picker). Each child reports through a pipe the moment
its first frame has been rendered (headless, after the first refresh) and then exits; the time counted
is from just before the process is spawned to that report. Peak memory is the child's own ru_maxrss at
that same moment: the game starts importing what playing needs in a thread once its first frame is up,
and that is not start-up (the peak over each child's whole life is printed too). Medians are compared:

    python bench/startup.py [--repeat 9] [--scenarios DIR]

Goals: time ratio ≤ 1.3, memory ratio ≤ 1.5.

The game's scenarios are validated through its catalogue cache (game/catalog.py): the warm-up run fills
it, as any earlier start would, and then each file's entry is the cached result of the full check on the
same bytes by the same code. A third child per repetition starts with that cache emptied (the first
start after an install or an edit) and is reported beside the goals, not in them. The child checks that
the picker lists one entry per scenario file.

Both apps run from compiled bytecode, as an installed package does: children share a private
PYTHONPYCACHEPREFIX that the warm-up runs fill, so a PYTHONDONTWRITEBYTECODE in the environment does not
make one of them recompile its own modules on every start.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
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
        at, rss = time.time(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        screen = {"screen": type(app.screen).__name__, "entries": len(getattr(app.screen, "entries", ()))}
        os.write(report_fd, json.dumps({"at": at, "rss": rss, **screen}).encode())
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
        from game.cli import build_parser
        from game.commands.app import build_app

        app = build_app(build_parser().parse_args(["--scenarios", scenarios] if scenarios else []))
    app.run(headless=True, size=(80, 24), auto_pilot=first_frame)


def measure(kind: str, scenarios: str | None, env: dict[str, str]) -> tuple[float, int, int, dict[str, Any]]:
    """(seconds to first frame, peak RSS then and over the child's life in KiB, the child's report)."""
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
    return report["at"] - started, report["rss"], usage.ru_maxrss, report


def returning_player(home: Path, folder: Path) -> None:
    """A player who has been here before: named (so the game opens on the picker rather than asking for a
    name), with a record in two scenarios and a third in progress, so the first frame reads all of it."""
    from game.library import check_files, scenario_files

    ids = [
        c.loaded.scenario.id
        for c in check_files(scenario_files([folder]))
        if c.playable and c.loaded.scenario
    ]
    record = {"finished": 2, "endings": ["an-ending"], "best_zone": "learning", "best_score": 71}
    profile = {"format": "tightrope-profile/1", "name": "Bench", "scenarios": dict.fromkeys(ids[:2], record)}
    (home / "profile.json").write_text(json.dumps(profile), encoding="utf-8")
    if len(ids) > 2:
        (home / "saves").mkdir()
        save = {
            "format": "tightrope-save/1",
            "scenario_id": ids[2],
            "moves": [{"scene": "a-scene", "choice": "a-choice"}],
        }
        (home / "saves" / f"{ids[2]}.json").write_text(json.dumps(save), encoding="utf-8")


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

    from game.library import default_folder, scenario_files

    folder = Path(args.scenarios) if args.scenarios else default_folder()
    files = len(scenario_files([folder]))
    with tempfile.TemporaryDirectory() as home:
        returning_player(Path(home), folder)
        env = {**os.environ, "TIGHTROPE_HOME": home, "PYTHONPATH": str(ROOT)}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(home, "pycache"))
        results: dict[str, list[tuple[float, int, int]]] = {"bare": [], "game": [], "cold": []}
        # Warm the file cache and compile both apps' bytecode, so the first samples are not outliers.
        measure("bare", None, env)
        measure("game", args.scenarios, env)
        for _ in range(args.repeat):
            for kind in ("bare", "game", "cold"):
                if kind == "cold":
                    shutil.rmtree(Path(home, "cache"), ignore_errors=True)
                seconds, rss, life, report = measure(
                    "bare" if kind == "bare" else "game", args.scenarios, env
                )
                if kind != "bare" and report["screen"] != "PickerScreen":
                    raise SystemExit(f"the game's first frame showed {report['screen']}, not the picker")
                if kind != "bare" and report["entries"] != files:
                    raise SystemExit(
                        f"the picker listed {report['entries']} scenarios, not the {files} files"
                    )
                results[kind].append((seconds, rss, life))

    median = {
        kind: [statistics.median(column) for column in zip(*r, strict=True)] for kind, r in results.items()
    }
    (bare_time, bare_rss, _), (game_time, game_rss, _) = median["bare"], median["game"]
    cold_time, cold_rss, _ = median["cold"]
    print(f"repetitions: {args.repeat} each, medians; {files} scenario files")
    print("                     first frame   peak RSS then  (over the child's life)")
    for kind, name in (
        ("bare", "bare Textual app"),
        ("game", "tightrope picker"),
        ("cold", "... cold cache"),
    ):
        seconds, rss, life = median[kind]
        print(f"  {name:<16} : {seconds * 1000:7.1f} ms  {rss / 1024:9.1f} MiB  ({life / 1024:.1f} MiB)")
    print(
        f"  (the first start after an install or an edit: ratios {cold_time / bare_time:.2f} and "
        f"{cold_rss / bare_rss:.2f}, outside the goals)"
    )
    time_ratio, memory_ratio = game_time / bare_time, game_rss / bare_rss
    for name, ratio, goal in (("time", time_ratio, TIME_GOAL), ("memory", memory_ratio, MEMORY_GOAL)):
        print(f"{name + ' ratio':<13}{ratio:.2f}  (goal ≤ {goal})  {'ok' if ratio <= goal else 'over'}")


if __name__ == "__main__":
    main()
