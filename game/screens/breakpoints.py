"""A screen's breakpoint classes, set as it is made instead of when it first hears its size.

Textual sets them on the screen's first Resize, after every widget on it has been styled and laid out; a
class that changes then styles and lays out the whole screen again. That was a fifth of the CPU time of
showing the debrief, which a room's server shows to every player within the same minute. Set from the
app's size beforehand, the first Resize finds nothing to change (and a later one still does the work).
"""

from __future__ import annotations

from typing import Any

from textual._context import NoActiveAppError
from textual.screen import Screen


def breakpoint_class(dimension: int, breakpoints: list[tuple[int, str]]) -> str | None:
    """The class of the widest breakpoint `dimension` reaches, as Textual picks it."""
    reached = [(threshold, name) for threshold, name in breakpoints if dimension >= threshold]
    return max(reached)[1] if reached else None


def set_breakpoints(screen: Screen[Any]) -> None:
    """Give `screen` the classes its breakpoints call for at the app's present size (if there is an app)."""
    try:
        width, height = screen.app.size
    except NoActiveAppError:
        return
    app = screen.app
    horizontal = (
        app.HORIZONTAL_BREAKPOINTS if screen.HORIZONTAL_BREAKPOINTS is None else screen.HORIZONTAL_BREAKPOINTS
    )
    vertical = (
        app.VERTICAL_BREAKPOINTS if screen.VERTICAL_BREAKPOINTS is None else screen.VERTICAL_BREAKPOINTS
    )
    for dimension, breakpoints in ((width, horizontal or []), (height, vertical or [])):
        name = breakpoint_class(dimension, breakpoints)
        if name is not None:
            screen.add_class(name, update=False)
