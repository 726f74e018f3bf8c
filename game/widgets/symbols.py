"""Words and symbols that carry meaning without colour, so the game reads the same under NO_COLOR."""

from __future__ import annotations

from scoring import MeterChange, Zone

MINUS = "\N{MINUS SIGN}"
TONE_WORDS = {"good": "✓ good ending", "mixed": "≈ mixed ending", "poor": "✗ poor ending"}
ZONE_MARKS = {Zone.LEARNING: "◆", Zone.COMFORT: "◇", Zone.ANXIETY: "▲", Zone.APATHY: "▽"}


def signed(number: int) -> str:
    """`+8`, `−2` (a real minus sign) or `0`."""
    if number > 0:
        return f"+{number}"
    if number < 0:
        return f"{MINUS}{-number}"
    return "0"


def arrow(number: int) -> str:
    """`▲ +8`, `▼ −2` or `= 0`: the direction in a symbol as well as in colour."""
    if number > 0:
        return f"▲ {signed(number)}"
    if number < 0:
        return f"▼ {signed(number)}"
    return "= 0"


def change_class(number: int) -> str:
    return "gain" if number > 0 else "loss" if number < 0 else "same"


def change_text(change: MeterChange) -> str:
    """`▲ +3 (+8 asked)` when the meter hit an end, else `▲ +3`."""
    capped = f" ({signed(change.requested)} asked)" if change.clamped else ""
    return arrow(change.applied) + capped


def zone_title(zone: Zone) -> str:
    return f"{ZONE_MARKS[zone]} {zone.label.capitalize()}"
