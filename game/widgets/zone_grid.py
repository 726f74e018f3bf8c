"""Where a pair of meters falls on a drawn safety × standards map: the geometry both maps share.

Standards run left to right and safety bottom to top. The middle lines sit at the zone threshold that
`scoring.zones` uses; a meter at the threshold counts as high, so it is drawn on the high side.
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring import Meters, Zone
from scoring.zones import ZONE_THRESHOLD


@dataclass(frozen=True, slots=True)
class Grid:
    """Cell geometry of the plot area inside the frame: two halves each way and a middle line."""

    half_width: int
    half_height: int

    @property
    def width(self) -> int:
        return 2 * self.half_width + 1

    @property
    def height(self) -> int:
        return 2 * self.half_height + 1

    def column(self, standards: int) -> int:
        if standards >= ZONE_THRESHOLD:
            step = (standards - ZONE_THRESHOLD) * self.half_width // (100 - ZONE_THRESHOLD)
            return self.half_width + 1 + min(self.half_width - 1, step)
        return min(self.half_width - 1, standards * self.half_width // ZONE_THRESHOLD)

    def row(self, safety: int) -> int:
        if safety >= ZONE_THRESHOLD:
            step = (safety - ZONE_THRESHOLD) * self.half_height // (100 - ZONE_THRESHOLD)
            return self.half_height - 1 - min(self.half_height - 1, step)
        step = safety * self.half_height // ZONE_THRESHOLD
        return self.height - 1 - min(self.half_height - 1, step)

    def cell(self, meters: Meters) -> tuple[int, int]:
        return self.row(meters.safety), self.column(meters.standards)

    def zone_at(self, row: int, column: int) -> Zone | None:
        if row == self.half_height or column == self.half_width:
            return None
        high_safety, high_standards = row < self.half_height, column > self.half_width
        if high_safety:
            return Zone.LEARNING if high_standards else Zone.COMFORT
        return Zone.ANXIETY if high_standards else Zone.APATHY
