"""The facilitator's contract: scenario models, the loader that reads them, and located problems."""

from game.scenario.errors import Problem, ScenarioError
from game.scenario.loader import Loaded, load_file, load_text
from game.scenario.models import FORMAT, Choice, Condition, Effects, Ending, Scenario, Scene

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
