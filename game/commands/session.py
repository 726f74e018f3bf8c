"""`tightrope session`: what `tightrope serve` runs for each browser connection. Not for people to type.

Its settings come only from the server, through one environment variable; it takes no arguments, so
nothing a player types can reach this command line.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from game.commands import EXIT_OK, EXIT_USAGE, Command

if TYPE_CHECKING:
    from game.serve.settings import SessionSettings


def register(parser: argparse.ArgumentParser) -> None:
    pass


def _settings() -> SessionSettings | None:
    """The server's settings, None when there are none; settings that do not read end the process."""
    from game.serve.settings import SESSION_ENV, SessionSettings

    try:
        return SessionSettings.from_env()
    except ValueError as exc:
        print(
            f"tightrope: {SESSION_ENV} does not read ({exc}): start sessions with `tightrope serve`",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_USAGE) from None


def run(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings is None:
        print("tightrope session is started by `tightrope serve`; run that instead", file=sys.stderr)
        return EXIT_USAGE
    from game.commands.app import load_shelf
    from game.serve.session import run_session

    entries, _ = load_shelf(settings.scenarios)
    run_session(settings, entries)
    return EXIT_OK


def run_dashboard(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings is None:
        print("tightrope dashboard-session is started by `tightrope serve --dashboard`", file=sys.stderr)
        return EXIT_USAGE
    from game.commands.report import load_scenarios
    from game.dashboard.app import DashboardApp
    from game.library import default_folder
    from game.store import open_store

    target = settings.store
    scenarios = load_scenarios(settings.scenarios or default_folder())
    DashboardApp(
        lambda: open_store(target),
        scenarios,
        cohort=settings.cohort or None,
        scenario_id=settings.pinned_scenario,
        challenges=settings.goals(),
    ).run()
    return EXIT_OK


COMMAND = Command("session", argparse.SUPPRESS, register, run)
DASHBOARD_COMMAND = Command("dashboard-session", argparse.SUPPRESS, register, run_dashboard)
