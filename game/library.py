"""A folder of scenarios: finding files, loading and analysing each, and resolving `play ID`.

The loader (and with it YAML and pydantic) and the analysis are imported by the functions that use
them, so finding files stays cheap: the picker's catalogue (game.catalog) lists a folder on every start
but checks only the files its cache has not seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from game.paths import shipped

if TYPE_CHECKING:
    from game.analysis import Analysis
    from game.scenario.errors import Problem
    from game.scenario.loader import Loaded

SCENARIO_SUFFIXES = (".yaml", ".yml")


def default_folder() -> Path:
    return shipped("scenarios")


def scenario_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, and every YAML file below each folder, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in SCENARIO_SUFFIXES and p.is_file()))
        else:
            found.append(path)
    return found


@dataclass
class Checked:
    loaded: Loaded
    analysis: Analysis | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def playable(self) -> bool:
        from game.scenario.errors import errors_in

        return self.loaded.scenario is not None and not errors_in(self.problems)


def check_file(path: Path) -> Checked:
    from game.achievements_check import check_achievements
    from game.analysis import analyse
    from game.scenario.loader import load_file
    from scoring import load_catalogue

    loaded = load_file(path, load_catalogue())
    checked = Checked(loaded, problems=list(loaded.problems))
    if loaded.scenario is not None:
        checked.analysis = analyse(loaded.scenario)
        checked.analysis.findings.extend(check_achievements(loaded.scenario))
        checked.problems.extend(
            loaded.problem(f.path, f.message, f.severity) for f in checked.analysis.findings
        )
    return checked


def duplicate_id(scenario_id: str, first_file: str) -> str:
    """The rule that spans files, in words: `first_file` already uses `scenario_id`."""
    return f"scenario id {scenario_id!r} is already used by {first_file}: give each scenario its own id"


def check_files(files: Sequence[Path]) -> list[Checked]:
    """Check each file, then the rule that spans files: ids are unique within the set."""
    results = [check_file(path) for path in files]
    first_file: dict[str, str] = {}
    for checked in results:
        scenario = checked.loaded.scenario
        if scenario is None:
            continue
        if scenario.id in first_file:
            message = duplicate_id(scenario.id, first_file[scenario.id])
            checked.problems.append(checked.loaded.problem(("id",), message))
        else:
            first_file[scenario.id] = checked.loaded.file
    return results


def resolve(reference: str, folder: Path) -> Path | None:
    """A scenario given as a path, or as an id found in `folder`."""
    from game.scenario.loader import load_file
    from scoring import load_catalogue

    as_path = Path(reference)
    if as_path.suffix in SCENARIO_SUFFIXES or as_path.is_file():
        return as_path if as_path.is_file() else None
    for path in scenario_files([folder]):
        loaded = load_file(path, load_catalogue())
        if loaded.scenario is not None and loaded.scenario.id == reference:
            return path
    return None
