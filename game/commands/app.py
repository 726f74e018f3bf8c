"""`tightrope` with no command: the full-screen Textual game."""

from __future__ import annotations

import argparse
import sys

from game.commands import EXIT_USAGE
from game.scenario.models import Scenario


def run_app(args: argparse.Namespace, scenario: Scenario | None = None) -> int:
    print(
        "tightrope: the full-screen game is not built yet; play in line mode with "
        "`tightrope play SCENARIO --plain`",
        file=sys.stderr,
    )
    return EXIT_USAGE
