"""The scenarios on the shelf, each with the player's record; broken files are listed, not hidden."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from game.catalog import Entry as Entry  # the shelf's entries; screens and tests import them from here
from game.profile import Profile, ScenarioProgress


def progress_line(entry: Entry, progress: ScenarioProgress, in_progress: bool) -> str:
    parts = []
    if in_progress:
        parts.append("▶ in progress")
    if progress.finished:
        parts.append("✓ finished")
        if progress.best_zone is not None:
            parts.append(f"best: {progress.best_zone.value}")
        parts.append(f"{len(progress.endings)} of {len(entry.endings)} endings")
    elif not in_progress:
        parts.append("○ not played yet")
    return " · ".join(parts)


class ScenarioList(OptionList):
    """Posts `Highlighted` as the cursor moves and `Chosen` on Enter or a click."""

    class Highlighted(Message):
        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    class Chosen(Message):
        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, entries: Sequence[Entry], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries = list(entries)

    def show(self, profile: Profile, in_progress: Collection[str]) -> None:
        keep = self.highlighted
        self.set_options(self._option(n, e, profile, in_progress) for n, e in enumerate(self.entries))
        if self.entries:
            self.highlighted = keep if keep is not None and keep < len(self.entries) else 0

    def _option(self, index: int, entry: Entry, profile: Profile, in_progress: Collection[str]) -> Option:
        text = Text(entry.title, style="bold")
        if entry.id is not None and entry.playable:
            minutes = f"{entry.minutes} min · " if entry.minutes else ""
            progress = progress_line(entry, profile.progress(entry.id), entry.id in in_progress)
            text.append(f"\n{minutes}{progress}", style="dim")
        else:
            text.append("\n✗ not playable", style="italic")
        return Option(text, id=f"entry-{index}")

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.post_message(self.Highlighted(self.entries[event.option_index]))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self.entries[event.option_index]))
