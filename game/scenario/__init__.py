"""The facilitator's contract: scenario models, the loader that reads them, and located problems.

The loader (with YAML and pydantic) is imported when first asked for, so that importing the game's own
scenario classes (`game.scenario.models`) stays cheap for a process that only plays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from game.scenario.errors import Problem, ScenarioError
from game.scenario.models import FORMAT, Choice, Condition, Effects, Ending, Scenario, Scene

if TYPE_CHECKING:
    from game.scenario.loader import Loaded, load_file, load_text

__all__ = [
    "FORMAT",
    "Choice",
    "Condition",
    "Effects",
    "Ending",
    "Loaded",
    "Problem",
    "Scenario",
    "ScenarioError",
    "Scene",
    "load_file",
    "load_text",
]

_FROM_LOADER = {"Loaded", "load_file", "load_text"}


def __getattr__(name: str) -> Any:
    if name in _FROM_LOADER:
        from game.scenario import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
