"""Explanations: after every choice, what each meter did, why, and which principle it rests on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scoring.meters import MeterChange, Meters
from scoring.principles import Principle
from scoring.zones import Zone, zone_of


@dataclass(frozen=True, slots=True)
class Explanation:
    before: Meters
    after: Meters
    changes: tuple[MeterChange, ...]
    why: str
    principle: Principle | None
    notes: tuple[str, ...]

    @property
    def zone_before(self) -> Zone:
        return zone_of(self.before)

    @property
    def zone_after(self) -> Zone:
        return zone_of(self.after)

    @property
    def net(self) -> int:
        """Sum of the applied changes: the single number used to rank decisions."""
        return sum(change.applied for change in self.changes)


def _clamp_note(change: MeterChange) -> str:
    edge = "top (100)" if change.requested > 0 else "bottom (0)"
    return (
        f"{change.meter.capitalize()} hit the {edge}: {change.requested:+d} asked, "
        f"{change.applied:+d} applied."
    )


def derived_notes(before: Meters, after: Meters, changes: tuple[MeterChange, ...]) -> tuple[str, ...]:
    """Notes the engine adds on top of the author's words: clamps and zone moves."""
    notes = [_clamp_note(change) for change in changes if change.clamped]
    zone_before, zone_after = zone_of(before), zone_of(after)
    if zone_before is not zone_after:
        notes.append(f"You moved from the {zone_before.label} into the {zone_after.label}.")
    return tuple(notes)


def explain(
    before: Meters,
    deltas: Mapping[str, int],
    why: str,
    principle: Principle | None,
) -> Explanation:
    after, changes = before.apply(deltas)
    return Explanation(
        before=before,
        after=after,
        changes=changes,
        why=why,
        principle=principle,
        notes=derived_notes(before, after, changes),
    )
