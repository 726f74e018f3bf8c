"""Saved runs: one small JSON file per scenario in progress, written atomically and never silently lost.

A save is the list of moves, nothing more: resuming replays them through the engine, so a resumed run is
exactly the run that was left. A file that cannot be read is renamed aside (never deleted) and reported
in one line; the player starts again rather than the game crashing.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from game.engine import Move
from game.paths import data_dir

SAVE_FORMAT: Final = "tightrope-save/1"
Model = TypeVar("Model", bound=BaseModel)
Value = TypeVar("Value")


def atomic_write(path: Path, text: str) -> None:
    """Replace `path` with `text` so that a crash leaves either the old file or the new one, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    # The rename is durable only once the folder itself is synced; not every platform allows that.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def set_aside(path: Path) -> Path:
    """Rename an unreadable file to `name.unreadable-N` beside it (the first N not taken) and return it."""
    for n in range(1, 10_000):
        aside = path.with_name(f"{path.name}.unreadable-{n}")
        if not aside.exists():
            os.replace(path, aside)
            return aside
    raise OSError(f"too many set-aside copies of {path.name}")


@dataclass(frozen=True, slots=True)
class Read(Generic[Value]):
    """What reading one JSON file produced: the value, or a one-line problem for the player, or neither."""

    value: Value | None = None
    problem: str | None = None


def read_model(path: Path, model: type[Model], what: str) -> Read[Model]:
    """Read `path` as `model`. Missing is not a problem; unreadable is set aside and reported."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Read()
    except (OSError, UnicodeDecodeError) as exc:
        return Read(problem=_set_aside_problem(path, what, _reason(exc)))
    try:
        return Read(model.model_validate_json(text))
    except ValidationError as exc:
        return Read(problem=_set_aside_problem(path, what, _reason(exc)))


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg']}" if where else first["msg"]
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc)


def _set_aside_problem(path: Path, what: str, reason: str) -> str:
    try:
        aside = set_aside(path)
    except OSError as exc:
        return f"{what} could not be read ({reason}) nor moved aside ({exc}): it is still at {path}"
    return f"{what} could not be read ({reason}); it was kept as {aside.name}"


class SavedRun(BaseModel):
    """A run in progress: its moves, and the moves of the run it was rewound from, if any."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["tightrope-save/1"] = SAVE_FORMAT
    scenario_id: str
    moves: tuple[Move, ...] = ()
    baseline: tuple[Move, ...] | None = None


class Saves:
    """The saves folder: `saves/<scenario id>.json` under the data folder."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else data_dir() / "saves"

    def path_for(self, scenario_id: str) -> Path:
        return self.folder / f"{scenario_id}.json"

    def load(self, scenario_id: str) -> Read[SavedRun]:
        path = self.path_for(scenario_id)
        read = read_model(path, SavedRun, f"The saved game for {scenario_id!r}")
        if read.value is not None and read.value.scenario_id != scenario_id:
            reason = f"it belongs to {read.value.scenario_id!r}"
            return Read(problem=_set_aside_problem(path, f"The saved game for {scenario_id!r}", reason))
        return read

    def write(self, run: SavedRun) -> None:
        atomic_write(self.path_for(run.scenario_id), run.model_dump_json(indent=2) + "\n")

    def discard(self, scenario_id: str) -> None:
        """Forget a run that has finished (its result lives in the profile) or that the player restarted."""
        with contextlib.suppress(FileNotFoundError):
            self.path_for(scenario_id).unlink()

    def set_aside(self, scenario_id: str, reason: str) -> str:
        """Move a save that no longer replays out of the way; the one-line problem to show."""
        return _set_aside_problem(self.path_for(scenario_id), f"The saved game for {scenario_id!r}", reason)

    def in_progress(self) -> dict[str, Read[SavedRun]]:
        """Every save in the folder, by scenario id (unreadable ones already set aside and reported)."""
        try:
            paths = sorted(self.folder.glob("*.json"))
        except OSError:
            return {}
        return {path.stem: self.load(path.stem) for path in paths}
