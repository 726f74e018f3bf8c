"""Scoring: meters, explanations and the debrief. Pure Python; knows nothing of game/ or Textual."""

from scoring.debrief import Debrief, DecisionRecord, build_debrief, score_for
from scoring.explanation import Explanation, explain
from scoring.meters import METER_NAMES, MeterChange, Meters
from scoring.principles import Catalogue, Principle, load_catalogue
from scoring.zones import Zone, zone_of

__all__ = [
    "METER_NAMES",
    "Catalogue",
    "Debrief",
    "DecisionRecord",
    "Explanation",
    "MeterChange",
    "Meters",
    "Principle",
    "Zone",
    "build_debrief",
    "explain",
    "load_catalogue",
    "score_for",
    "zone_of",
]
