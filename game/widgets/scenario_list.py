"""The scenarios on the shelf, each with the player's record; broken files are listed, not hidden."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from game.library import Checked
from game.profile import Profile, ScenarioProgress
from game.scenario.errors import Problem, errors_in
from game.scenario.models import Scenario
from game.text import printable


@dataclass(frozen=True, slots=True)
class Entry:
    """One file on the shelf: its scenario when playable, else the first error that stops it."""

    path: Path
    scenario: Scenario | None
    endings: int = 0
    problem: str | None = None
    more_problems: int = 0

    @property
    def playable(self) -> bool:
        return self.scenario is not None and self.problem is None

    @property
    def title(self) -> str:
        return printable(self.scenario.title) if self.scenario is not None else self.path.name

    @classmethod
    def from_checked(cls, checked: Checked) -> Entry:
        scenario = checked.loaded.scenario
        errors = errors_in(checked.problems)
        endings = 0
        if scenario is not None:
            paths = checked.analysis.paths_to_endings(scenario) if checked.analysis else None
            # Count only the endings a player can reach; with a loop every ending is assumed reachable.
            endings = len(scenario.endings) if paths is None else sum(1 for n in paths.values() if n > 0)
        return cls(
            path=Path(checked.loaded.file),
            scenario=scenario if not errors else None,
            endings=endings,
            problem=_one_line(errors[0]) if errors else None,
            more_problems=max(0, len(errors) - 1),
        )


def _one_line(problem: Problem) -> str:
    """`broken.yaml:3:1: unknown key 'efects'`: the file's name, not where it happens to be on disk."""
    return printable(f"{Path(problem.file).name}:{problem.line}:{problem.column}: {problem.message}")


def progress_line(entry: Entry, progress: ScenarioProgress, in_progress: bool) -> str:
    parts = []
    if in_progress:
        parts.append("▶ in progress")
    if progress.finished:
        parts.append("✓ finished")
        if progress.best_zone is not None:
            parts.append(f"best: {progress.best_zone.value}")
        parts.append(f"{len(progress.endings)} of {entry.endings} endings")
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
        if entry.scenario is not None and entry.playable:
            minutes = f"{entry.scenario.minutes} min · " if entry.scenario.minutes else ""
            progress = progress_line(
                entry, profile.progress(entry.scenario.id), entry.scenario.id in in_progress
            )
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
