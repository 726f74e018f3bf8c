"""Scoring: meters, explanations, the debrief and the rewards for coming back (achievements, progression,
mastery, room challenges). Pure Python; knows nothing of game/ or Textual."""

from scoring.achievements import Achievement, earned, held, load_achievements, newly_earned, showcase
from scoring.challenges import Challenge, ChallengeProgress, challenge_progress, parse_challenge
from scoring.debrief import Debrief, DecisionRecord, build_debrief, score_for
from scoring.explanation import Explanation, explain
from scoring.history import DecisionView, History, RunView, ScenarioFacts, Shelf
from scoring.mastery import PrincipleMastery, mastery
from scoring.meters import METER_NAMES, MeterChange, Meters
from scoring.principles import Catalogue, Principle, load_catalogue
from scoring.progression import Progress, progress, run_xp
from scoring.zones import Zone, zone_of

__all__ = [
    "METER_NAMES",
    "Achievement",
    "Catalogue",
    "Challenge",
    "ChallengeProgress",
    "Debrief",
    "DecisionRecord",
    "DecisionView",
    "Explanation",
    "History",
    "MeterChange",
    "Meters",
    "Principle",
    "PrincipleMastery",
    "Progress",
    "RunView",
    "ScenarioFacts",
    "Shelf",
    "Zone",
    "build_debrief",
    "challenge_progress",
    "earned",
    "explain",
    "held",
    "load_achievements",
    "load_catalogue",
    "mastery",
    "newly_earned",
    "parse_challenge",
    "progress",
    "run_xp",
    "score_for",
    "showcase",
    "zone_of",
]
