"""Principle mastery: how often the player took the choice that practises a principle when one was offered.

For every decision of every run, a principle counts as *offered* when at least one of the choices
available then practises it (counted once per decision however many do), and as *taken* when the
player chose such a choice. A choice practises the principle it rests on when it is sound: it helps
the team and is at least half as good as the best choice on offer (`scoring.history.sound`). A
decision the timer made counts as offered and not taken: the chance was there and slipped by. The
rate is taken / offered; a principle never offered has no rate yet.

The strongest principles are those taken at least half the time over at least `MIN_OFFERED` chances;
the ones to work on are those taken less than half the time; each names the shipped scenario whose
choices use the principle most, the place to practise it.
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring.history import History, Shelf
from scoring.principles import Catalogue, load_catalogue

MIN_OFFERED = 2
STRONG_RATE = 0.5


@dataclass(frozen=True, slots=True)
class PrincipleMastery:
    principle: str
    name: str
    offered: int
    taken: int
    trained_by: str | None = None
    """The id of the shipped scenario whose choices practise this principle most."""

    @property
    def rate(self) -> float | None:
        return self.taken / self.offered if self.offered else None


@dataclass(frozen=True, slots=True)
class MasterySummary:
    strongest: tuple[PrincipleMastery, ...]
    to_work_on: tuple[PrincipleMastery, ...]
    not_met: tuple[PrincipleMastery, ...]
    """Principles the shipped scenarios teach that no decision has offered the player yet."""


def mastery(
    history: History, shelf: Shelf | None = None, catalogue: Catalogue | None = None
) -> list[PrincipleMastery]:
    """One row per principle of the catalogue, in catalogue order. Needs `DecisionView.offered` filled."""
    catalogue = catalogue if catalogue is not None else load_catalogue()
    shelf = shelf or Shelf()
    offered = dict.fromkeys(catalogue, 0)
    taken = dict.fromkeys(catalogue, 0)
    for run in history.runs:
        for decision in run.decisions:
            for principle in decision.offered & offered.keys():
                offered[principle] += 1
            practised = decision.practised
            if practised in taken and practised in decision.offered:
                taken[practised] += 1
    rows = []
    for principle_id, entry in catalogue.items():
        trainer = shelf.trains(principle_id)
        rows.append(
            PrincipleMastery(
                principle=principle_id,
                name=entry.name,
                offered=offered[principle_id],
                taken=taken[principle_id],
                trained_by=trainer.id if trainer else None,
            )
        )
    return rows


def summarise(rows: list[PrincipleMastery], count: int = 3, shelf: Shelf | None = None) -> MasterySummary:
    """The `count` strongest principles, the `count` to work on (lowest rate first), and the unmet ones."""
    rated = [(r, r.rate) for r in rows if r.rate is not None]
    strong = [r for r, rate in rated if rate >= STRONG_RATE and r.offered >= MIN_OFFERED]
    weak = [r for r, rate in rated if rate < STRONG_RATE]
    strong.sort(key=lambda r: (-(r.rate or 0.0), -r.offered))
    weak.sort(key=lambda r: (r.rate or 0.0, -r.offered))
    taught = shelf.principles_taught if shelf is not None else None
    not_met = [r for r in rows if r.offered == 0 and (taught is None or r.principle in taught)]
    return MasterySummary(tuple(strong[:count]), tuple(weak[:count]), tuple(not_met))
