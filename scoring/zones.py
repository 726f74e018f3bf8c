"""Zones of the safety × standards map: where a team sits between psychological safety and high standards."""

from __future__ import annotations

from enum import StrEnum

from scoring.meters import Meters

ZONE_THRESHOLD = 50


class Zone(StrEnum):
    LEARNING = "learning"
    COMFORT = "comfort"
    ANXIETY = "anxiety"
    APATHY = "apathy"

    @property
    def label(self) -> str:
        return f"{self.value} zone"

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    Zone.LEARNING: "High safety and high standards: people speak up and the bar stays high.",
    Zone.COMFORT: "High safety, low standards: pleasant, but problems are tolerated instead of fixed.",
    Zone.ANXIETY: "High standards, low safety: the bar is high, so mistakes get hidden.",
    Zone.APATHY: "Low safety and low standards: nobody speaks up and nobody expects much.",
}


def zone_of(meters: Meters) -> Zone:
    """Both at or above 50 is learning; otherwise whichever side is high names the zone."""
    safe = meters.safety >= ZONE_THRESHOLD
    demanding = meters.standards >= ZONE_THRESHOLD
    if safe and demanding:
        return Zone.LEARNING
    if safe:
        return Zone.COMFORT
    if demanding:
        return Zone.ANXIETY
    return Zone.APATHY
