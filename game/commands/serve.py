"""`tightrope serve`: the game for a room of browsers, results into the store, optionally the dashboard."""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

from game.commands import EXIT_OK, EXIT_USAGE, Command


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--cohort", default="", metavar="NAME", help="cohort name recorded with every run")
    parser.add_argument("--join-code", metavar="CODE", help="players must enter this code to join")
    parser.add_argument(
        "--store", metavar="PATH|URL", help="results store: SQLite file (default) or postgresql:// URL"
    )
    parser.add_argument("--scenario", metavar="ID", help="pin every player to this scenario")
    parser.add_argument(
        "--max-sessions", type=int, default=40, metavar="N", help="concurrent sessions (default 40)"
    )
    parser.add_argument(
        "--idle-timeout", type=float, default=20.0, metavar="MINUTES", help="end silent sessions after this"
    )
    parser.add_argument("--public-url", metavar="URL", help="the address players open, behind a proxy")
    parser.add_argument(
        "--spawn",
        action="store_true",
        help="start every session as a fresh Python process instead of forking it from a warm one "
        "(slower to join, more memory; the default where forking is not supported)",
    )
    parser.add_argument("--dashboard", action="store_true", help="also serve the facilitator dashboard")
    parser.add_argument(
        "--dashboard-code", metavar="CODE", help="access code for the dashboard (default: random)"
    )
    parser.add_argument(
        "--challenge",
        action="append",
        default=[],
        type=_challenge,
        metavar="GOAL",
        help="a goal for the whole room, shown to every player and on the dashboard, never naming anyone: "
        "MEASURE:TARGET[@SCENARIO], e.g. learning:80%%, good:everyone, post-mortem:5 (repeatable)",
    )
    parser.add_argument(
        "--leaderboard",
        action="store_true",
        help="rank players by their best score, on the debrief and the dashboard; only players who choose "
        "to be on it are named (each decides when joining, and can change their mind)",
    )


def _challenge(text: str) -> str:
    """A room goal as argparse checks it: the grammar of `scoring.challenges`, written back the same way."""
    from scoring.challenges import parse_challenge

    try:
        return str(parse_challenge(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    from game.catalog import read_shelf
    from game.commands import session
    from game.library import default_folder
    from game.serve.server import Room, ServeOptions, TightropeServer, is_loopback
    from game.serve.settings import SessionSettings
    from game.store import StoreError, display_target, open_store, resolve_target

    if args.max_sessions < 1 or not 0 < args.port < 65536 or args.idle_timeout <= 0:
        print("tightrope serve: --max-sessions, --port and --idle-timeout must be positive", file=sys.stderr)
        return EXIT_USAGE
    folder: Path = (args.scenarios or default_folder()).resolve()
    # Through the catalogue, which writes its cache: every session this server starts then plays its
    # scenario from that cache, without YAML, pydantic or the check (game.catalog).
    playable = {entry.id for entry in read_shelf(folder) if entry.playable and entry.id is not None}
    if not playable:
        print(f"tightrope serve: no playable scenarios in {folder}", file=sys.stderr)
        return EXIT_USAGE
    if args.scenario and args.scenario not in playable:
        print(f"tightrope serve: no scenario {args.scenario!r} in {folder}", file=sys.stderr)
        return EXIT_USAGE
    for goal in args.challenge:
        _, _, scenario_id = goal.partition("@")
        if scenario_id and scenario_id not in playable:
            print(
                f"tightrope serve: --challenge {goal}: no scenario {scenario_id!r} in {folder}",
                file=sys.stderr,
            )
            return EXIT_USAGE
    store = resolve_target(args.store)
    try:
        open_store(store).close()
    except StoreError as exc:
        print(f"tightrope serve: {exc}", file=sys.stderr)
        return EXIT_USAGE

    settings = SessionSettings(
        cohort=args.cohort,
        join_code=args.join_code,
        store=store,
        scenarios=folder,
        pinned_scenario=args.scenario,
        no_timers=args.no_timers,
        challenges=tuple(args.challenge),
        leaderboard=args.leaderboard,
    )
    rooms = [Room("game", "Tightrope", "", session.COMMAND.name, settings)]
    dashboard_code = None
    if args.dashboard:
        dashboard_code = args.dashboard_code or secrets.token_urlsafe(6)
        rooms.append(
            Room(
                "dashboard",
                "Tightrope — facilitator",
                "/dashboard",
                session.DASHBOARD_COMMAND.name,
                settings,
                access_code=dashboard_code,
            )
        )
    options = ServeOptions(
        host=args.host,
        port=args.port,
        public_url=args.public_url.rstrip("/") if args.public_url else None,
        max_sessions=args.max_sessions,
        idle_timeout=args.idle_timeout * 60,
        fork_sessions=not args.spawn,
        rooms=rooms,
    )
    server = TightropeServer(options)
    if not is_loopback(args.host) and not args.join_code:
        print(
            f"warning: serving on {args.host} without --join-code: anyone who can reach it can join",
            file=sys.stderr,
        )
    print(f"Tightrope is serving {len(playable)} scenario(s) at {server.public_url}/", flush=True)
    if dashboard_code:
        print(f"Facilitator dashboard: {server.public_url}/dashboard?code={dashboard_code}", flush=True)
    for goal in settings.goals():
        print(f"Room goal: {goal.describe()}", flush=True)
    if args.leaderboard:
        print("Leaderboard: on, for players who choose to be on it", flush=True)
    print(f"Results go to {display_target(store)}. Press Ctrl+C to stop.", flush=True)
    server.serve()
    return EXIT_OK


COMMAND = Command("serve", "serve the game to a room of browsers (textual-serve)", register, run)
