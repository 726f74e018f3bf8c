"""Saved runs: one small JSON file per scenario in progress, written atomically and never silently lost.

A save is the list of moves, nothing more: resuming replays them through the engine, so a resumed run is
exactly the run that was left. A file that cannot be read is renamed aside (never deleted) and reported
in one line; the player starts again rather than the game crashing.

The player's files (saves, profile, settings) are plain dataclasses checked field by field here, not
pydantic models: the picker reads them before its first frame, and that frame comes sooner without
pydantic. The engine (and with it pydantic) is imported only when a save is turned back into moves.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Generic, Literal, NamedTuple, TypeVar

from game.paths import data_dir

if TYPE_CHECKING:
    from game.engine import Move

SAVE_FORMAT: Final = "tightrope-save/1"
Value = TypeVar("Value")
Allowed = TypeVar("Allowed", bound=str)


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


def to_json(data: Mapping[str, object]) -> str:
    """How the player's files are written: indented, UTF-8 kept as it is, one newline at the end."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# Checking stored JSON, field by field. Each check returns the value with its exact type, or raises
# `Invalid` naming where the value is (`moves.0.choice`) and what it should be.


class Invalid(ValueError):
    """A stored value that does not fit its format; `str()` is the one-line reason."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)


def at(where: str, key: str | int) -> str:
    return f"{where}.{key}" if where else str(key)


def mapping(data: object, where: str) -> dict[str, object]:
    """`data` as a JSON object (whose keys are always text)."""
    if not isinstance(data, dict):
        raise Invalid(where, "should be an object")
    return data


def fields(
    data: object, where: str, *, required: Collection[str] = (), optional: Collection[str] = ()
) -> dict[str, object]:
    """`data` as an object with every required key and no key that is not allowed."""
    data = mapping(data, where)
    for key in data:
        if key not in required and key not in optional:
            raise Invalid(at(where, key), "unknown key")
    for key in required:
        if key not in data:
            raise Invalid(at(where, key), "missing")
    return data


def text(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise Invalid(where, "should be text")
    return value


def whole_number(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(where, "should be a whole number")
    return value


def number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(where, "should be a number")
    return float(value)


def flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid(where, "should be true or false")
    return value


def one_of(value: object, where: str, allowed: tuple[Allowed, ...]) -> Allowed:
    for option in allowed:
        if value == option:
            return option
    raise Invalid(where, "should be one of " + ", ".join(repr(option) for option in allowed))


def list_of(value: object, where: str, each: Callable[[object, str], Value]) -> tuple[Value, ...]:
    if not isinstance(value, list):
        raise Invalid(where, "should be a list")
    return tuple(each(item, at(where, n)) for n, item in enumerate(value))


def optional(value: object, where: str, check: Callable[[object, str], Value]) -> Value | None:
    return None if value is None else check(value, where)


@dataclass(frozen=True, slots=True)
class Read(Generic[Value]):
    """What reading one file produced: the value, or a one-line problem for the player, or neither."""

    value: Value | None = None
    problem: str | None = None


def read_json(path: Path, parse: Callable[[object], Value], what: str) -> Read[Value]:
    """Read `path`, checked by `parse`. Missing is not a problem; unreadable is set aside and reported."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Read()
    except UnicodeDecodeError:
        return Read(problem=_set_aside_problem(path, what, "not UTF-8 text"))
    except OSError as exc:
        return Read(problem=_set_aside_problem(path, what, exc.strerror or type(exc).__name__))
    try:
        data = json.loads(raw)
    except ValueError as exc:
        reason = f"not JSON: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else "not JSON"
        return Read(problem=_set_aside_problem(path, what, reason))
    try:
        return Read(parse(data))
    except Invalid as exc:
        return Read(problem=_set_aside_problem(path, what, str(exc)))


def _set_aside_problem(path: Path, what: str, reason: str) -> str:
    try:
        aside = set_aside(path)
    except OSError as exc:
        return f"{what} could not be read ({reason}) nor moved aside ({exc}): it is still at {path}"
    return f"{what} could not be read ({reason}); it was kept as {aside.name}"


class StoredMove(NamedTuple):
    """One move as a save file holds it, checked; the engine's `Move` is built from it on resume."""

    scene: str
    choice: str
    timed_out: bool = False
    seconds: float | None = None

    @classmethod
    def parse(cls, data: object, where: str) -> StoredMove:
        found = fields(data, where, required=("scene", "choice"), optional=("timed_out", "seconds"))
        return cls(
            scene=text(found["scene"], at(where, "scene")),
            choice=text(found["choice"], at(where, "choice")),
            timed_out=flag(found.get("timed_out", False), at(where, "timed_out")),
            seconds=optional(found.get("seconds"), at(where, "seconds"), number),
        )


class StoredRun(NamedTuple):
    """A save file, checked: everything in a `SavedRun` without needing the engine."""

    scenario_id: str
    moves: tuple[StoredMove, ...]
    baseline: tuple[StoredMove, ...] | None

    @classmethod
    def parse(cls, data: object) -> StoredRun:
        found = fields(data, "", required=("scenario_id",), optional=("format", "moves", "baseline"))
        one_of(found.get("format", SAVE_FORMAT), "format", (SAVE_FORMAT,))
        return cls(
            scenario_id=text(found["scenario_id"], "scenario_id"),
            moves=list_of(found.get("moves", []), "moves", StoredMove.parse),
            baseline=optional(
                found.get("baseline"),
                "baseline",
                lambda value, where: list_of(value, where, StoredMove.parse),
            ),
        )


@dataclass(frozen=True, slots=True)
class SavedRun:
    """A run in progress: its moves, and the moves of the run it was rewound from, if any."""

    scenario_id: str
    moves: tuple[Move, ...] = ()
    baseline: tuple[Move, ...] | None = None
    format: Literal["tightrope-save/1"] = SAVE_FORMAT

    @classmethod
    def from_stored(cls, stored: StoredRun) -> SavedRun:
        from game.engine import Move

        def moves(found: tuple[StoredMove, ...]) -> tuple[Move, ...]:
            return tuple(Move(**move._asdict()) for move in found)

        baseline = None if stored.baseline is None else moves(stored.baseline)
        return cls(scenario_id=stored.scenario_id, moves=moves(stored.moves), baseline=baseline)

    def as_json(self) -> str:
        def moves(found: tuple[Move, ...]) -> list[dict[str, object]]:
            return [
                {"scene": m.scene, "choice": m.choice, "timed_out": m.timed_out, "seconds": m.seconds}
                for m in found
            ]

        baseline = None if self.baseline is None else moves(self.baseline)
        data = {"format": self.format, "scenario_id": self.scenario_id, "moves": moves(self.moves)}
        return to_json({**data, "baseline": baseline})


class Saves:
    """The saves folder: `saves/<scenario id>.json` under the data folder."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else data_dir() / "saves"

    def path_for(self, scenario_id: str) -> Path:
        return self.folder / f"{scenario_id}.json"

    def load(self, scenario_id: str) -> Read[SavedRun]:
        read = self._read(scenario_id)
        return (
            Read(SavedRun.from_stored(read.value)) if read.value is not None else Read(problem=read.problem)
        )

    def _read(self, scenario_id: str) -> Read[StoredRun]:
        path, what = self.path_for(scenario_id), f"The saved game for {scenario_id!r}"
        read = read_json(path, StoredRun.parse, what)
        if read.value is not None and read.value.scenario_id != scenario_id:
            reason = f"it belongs to {read.value.scenario_id!r}"
            return Read(problem=_set_aside_problem(path, what, reason))
        return read

    def write(self, run: SavedRun) -> None:
        atomic_write(self.path_for(run.scenario_id), run.as_json())

    def discard(self, scenario_id: str) -> None:
        """Forget a run that has finished (its result lives in the profile) or that the player restarted."""
        # A save that cannot be removed (read-only or full disk) is harmless: resuming it replays to
        # the ending it already reached. It must never end the game at the debrief.
        with contextlib.suppress(OSError):
            self.path_for(scenario_id).unlink()

    def set_aside(self, scenario_id: str, reason: str) -> str:
        """Move a save that no longer replays out of the way; the one-line problem to show."""
        return _set_aside_problem(self.path_for(scenario_id), f"The saved game for {scenario_id!r}", reason)

    def in_progress(self) -> dict[str, Read[int]]:
        """Every save in the folder, by scenario id, with the number of moves made so far; unreadable
        ones are already set aside and reported. Checked in full, but without loading the engine."""
        try:
            paths = sorted(self.folder.glob("*.json"))
        except OSError:
            return {}
        found: dict[str, Read[int]] = {}
        for path in paths:
            read = self._read(path.stem)
            found[path.stem] = (
                Read(len(read.value.moves)) if read.value is not None else Read(problem=read.problem)
            )
        return found
