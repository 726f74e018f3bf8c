"""The domain modules must import without Textual, so tests, tools and servers can use them bare."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "scoring",
        "game.scenario",
        "game.engine",
        "game.analysis",
        "game.balance",
        "game.plain",
        "game.library",
        "game.saves",
        "game.profile",
        "game.settings",
        "game.store",
        "game.recording",
        "game.xapi",
        "game.offers",
        "game.roomreport",
    ],
)
def test_module_imports_without_textual(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_scoring_imports_nothing_from_game() -> None:
    code = "import sys, scoring; print(sorted(m for m in sys.modules if m.split('.')[0] == 'game'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
