"""The debrief: where the run ended on the safety × standards map, its score, and every decision again.

Score formula (0..100)::

    base  = (2 × min(safety, standards) + max(safety, standards) + trust) / 4
    score = clamp(round(base) + tone bonus)      tone bonus: good +10, mixed 0, poor −10

The weaker of safety and standards counts twice because the game is about holding both: a run that
maxes one and neglects the other scores below a run that keeps both solidly up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from scoring.explanation import Explanation
from scoring.meters import Meters, clamp
from scoring.principles import Principle
from scoring.zones import Zone, zone_of

Tone = Literal["good", "mixed", "poor"]
TONE_BONUS: dict[str, int] = {"good": 10, "mixed": 0, "poor": -10}


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """One decision as the debrief tells it back."""

    scene_id: str
    scene_title: str
    choice_id: str
    choice_text: str
    explanation: Explanation
    timed_out: bool = False


@dataclass(frozen=True, slots=True)
class PrincipleTally:
    principle: Principle
    times: int


@dataclass(frozen=True, slots=True)
class Debrief:
    start: Meters
    final: Meters
    zone: Zone
    score: int
    ending_title: str
    ending_tone: Tone
    strongest: DecisionRecord | None
    weakest: DecisionRecord | None
    principles: tuple[PrincipleTally, ...]
    timeline: tuple[DecisionRecord, ...]

    @property
    def path(self) -> tuple[Meters, ...]:
        """Meters at the start and after each decision: the route drawn on the zone map."""
        return (self.start, *(record.explanation.after for record in self.timeline))


def score_for(meters: Meters, tone: str) -> int:
    low, high = sorted((meters.safety, meters.standards))
    base = (2 * low + high + meters.trust) / 4
    return clamp(round(base) + TONE_BONUS[tone])


def _tally(timeline: Sequence[DecisionRecord]) -> tuple[PrincipleTally, ...]:
    counts: dict[str, int] = {}
    by_id: dict[str, Principle] = {}
    for record in timeline:
        principle = record.explanation.principle
        if principle is not None:
            counts[principle.id] = counts.get(principle.id, 0) + 1
            by_id[principle.id] = principle
    return tuple(PrincipleTally(by_id[pid], n) for pid, n in counts.items())


def build_debrief(
    start: Meters,
    timeline: Sequence[DecisionRecord],
    ending_title: str,
    ending_tone: Tone,
) -> Debrief:
    final = timeline[-1].explanation.after if timeline else start
    # Earliest wins ties, so the same run always names the same decisions.
    strongest = max(timeline, key=lambda r: r.explanation.net, default=None)
    weakest = min(timeline, key=lambda r: r.explanation.net, default=None)
    return Debrief(
        start=start,
        final=final,
        zone=zone_of(final),
        score=score_for(final, ending_tone),
        ending_title=ending_title,
        ending_tone=ending_tone,
        strongest=strongest,
        weakest=weakest,
        principles=_tally(timeline),
        timeline=tuple(timeline),
    )
