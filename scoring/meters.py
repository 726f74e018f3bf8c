"""The three meters and their arithmetic: integers 0..100, changed by deltas, clamped at the ends.

A change is applied to each meter on its own: ``after = min(100, max(0, before + delta))``.
When the clamp cuts a change short, the part that was lost is kept on the ``MeterChange`` so an
explanation can say so ("+8 asked, +3 applied: trust was already near the top").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

MeterName = Literal["safety", "standards", "trust"]
METER_NAMES: tuple[MeterName, ...] = ("safety", "standards", "trust")
METER_MIN = 0
METER_MAX = 100


def clamp(value: int) -> int:
    return METER_MIN if value < METER_MIN else METER_MAX if value > METER_MAX else value


@dataclass(frozen=True, slots=True)
class MeterChange:
    meter: MeterName
    before: int
    requested: int
    after: int

    @property
    def applied(self) -> int:
        return self.after - self.before

    @property
    def clamped(self) -> bool:
        return self.applied != self.requested


@dataclass(frozen=True, slots=True)
class Meters:
    safety: int = 50
    standards: int = 50
    trust: int = 50

    def __post_init__(self) -> None:
        for name in METER_NAMES:
            value = getattr(self, name)
            if not METER_MIN <= value <= METER_MAX:
                raise ValueError(f"{name} must be within {METER_MIN}..{METER_MAX}, got {value}")

    def get(self, name: MeterName) -> int:
        value: int = getattr(self, name)
        return value

    def as_dict(self) -> dict[str, int]:
        return {name: self.get(name) for name in METER_NAMES}

    def apply(self, deltas: Mapping[str, int]) -> tuple[Meters, tuple[MeterChange, ...]]:
        """Return the new meters and one change per meter the deltas name (in meter order)."""
        changes = tuple(
            MeterChange(name, self.get(name), deltas[name], clamp(self.get(name) + deltas[name]))
            for name in METER_NAMES
            if name in deltas
        )
        after = self.as_dict()
        for change in changes:
            after[change.meter] = change.after
        return Meters(**after), changes
