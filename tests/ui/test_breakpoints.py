"""Screens take their breakpoint classes as they are made, so the first Resize restyles nothing."""

from __future__ import annotations

import pytest
from textual.app import App
from textual.screen import Screen

from game.screens.breakpoints import breakpoint_class, set_breakpoints

STEPS = [(0, "-narrow"), (110, "-wide")]


@pytest.mark.parametrize(
    ("width", "expected"),
    [(0, "-narrow"), (109, "-narrow"), (110, "-wide"), (300, "-wide")],
)
def test_the_widest_breakpoint_reached_wins(width: int, expected: str) -> None:
    assert breakpoint_class(width, STEPS) == expected
    assert breakpoint_class(width, list(reversed(STEPS))) == expected


def test_no_class_below_the_first_breakpoint() -> None:
    assert breakpoint_class(20, [(40, "-tall")]) is None


class Sized(Screen[None]):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012 (typed by Screen)
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]  # noqa: RUF012


async def test_a_screen_made_in_a_wide_short_app_starts_wide_and_short() -> None:
    async with App[None]().run_test(size=(120, 30)) as pilot:
        screen = Sized()
        set_breakpoints(screen)
        assert screen.has_class("-wide", "-short")
        assert not screen.has_class("-narrow") and not screen.has_class("-tall")
        await pilot.app.push_screen(screen)
        await pilot.pause()
        assert screen.has_class("-wide", "-short")  # and Textual's own Resize agrees


def test_a_screen_made_without_an_app_is_left_alone() -> None:
    screen = Sized()
    set_breakpoints(screen)
    assert not screen.classes
