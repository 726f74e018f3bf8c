"""A scenario as the game plays it: plain frozen dataclasses, built from data the contract has validated.

The file format itself, with its rules, descriptions and JSON Schema, is `contract.py` (pydantic). These
classes carry the same fields under the same names, and the behaviour the engine and the screens need.
They import nothing heavy: a browser session plays a scenario from the catalogue's cache without ever
importing pydantic or YAML, which is most of what a session would otherwise add to a bare Textual app.
"""

from __future__ import annotations

import dataclasses
import operator
import re
import types
import typing
from collections.abc import Callable, Collection, Mapping
from dataclasses import MISSING, asdict, dataclass, field, is_dataclass
from functools import cache
from typing import Any, Literal

from game.saves import at, fields, flag, list_of, mapping, one_of, optional, text, whole_number

FORMAT = "tightrope/1"
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
COMPARISON_PATTERN = r"^\s*(>=|<=|==|>|<)\s*-?\d+\s*$"
_COMPARISON = re.compile(COMPARISON_PATTERN)

Tone = Literal["good", "mixed", "poor"]
ZoneName = Literal["learning", "comfort", "anxiety", "apathy"]
OPERATORS: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    ">": operator.gt,
    "<": operator.lt,
}


@dataclass(frozen=True)
class Effects:
    safety: int | None = None
    standards: int | None = None
    trust: int | None = None

    def deltas(self) -> dict[str, int]:
        return {name: value for name, value in asdict(self).items() if value is not None}


@dataclass(frozen=True)
class Condition:
    safety: str | None = None
    standards: str | None = None
    trust: str | None = None
    flags: list[str] = field(default_factory=list)
    not_flags: list[str] = field(default_factory=list)

    def comparisons(self) -> list[tuple[str, str, int]]:
        """`[(meter, operator, value)]` for every meter this condition tests."""
        found = []
        for meter in ("safety", "standards", "trust"):
            text = getattr(self, meter)
            if text is not None:
                match = _COMPARISON.match(text)
                assert match is not None  # the contract enforced the pattern
                found.append((meter, match.group(1), int(text.strip()[len(match.group(1)) :])))
        return found

    def holds(self, meters: Mapping[str, int], flags: Collection[str]) -> bool:
        return (
            all(OPERATORS[op](meters[meter], value) for meter, op, value in self.comparisons())
            and all(flag in flags for flag in self.flags)
            and not any(flag in flags for flag in self.not_flags)
        )


@dataclass(frozen=True)
class Choice:
    text: str
    next: str
    id: str | None = None
    effects: Effects | None = None
    why: str | None = None
    principle: str | None = None
    condition: Condition | None = None
    sets: list[str] = field(default_factory=list)
    clears: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        assert self.id is not None  # the contract numbers unnamed choices
        return self.id

    def available(self, meters: Mapping[str, int], flags: Collection[str]) -> bool:
        return self.condition is None or self.condition.holds(meters, flags)


@dataclass(frozen=True)
class Ending:
    title: str
    tone: Tone


@dataclass(frozen=True)
class Scene:
    text: str
    title: str | None = None
    timer: int | None = None
    on_timeout: str | None = None
    choices: list[Choice] = field(default_factory=list)
    ending: Ending | None = None

    def heading(self, scene_id: str) -> str:
        return self.title or scene_id.replace("-", " ").capitalize()

    @property
    def is_ending(self) -> bool:
        return self.ending is not None

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class TookChoice:
    scene: str
    choice: str


@dataclass(frozen=True)
class MeterFloors:
    safety: int | None = None
    standards: int | None = None
    trust: int | None = None


@dataclass(frozen=True)
class AchievementCondition:
    principle: str | None = None
    took: TookChoice | None = None
    ending: str | None = None
    tone: Tone | None = None
    zone: ZoneName | None = None
    never_below: MeterFloors | None = None
    answered_in_time: Literal["one", "every"] | None = None
    distinct_principles: int | None = None
    rewound_better: bool = False
    improved: bool = False
    runs: int | None = None
    streak: int | None = None
    all_endings: bool = False
    endings_found: int | None = None
    all_principles: bool = False

    def given(self) -> dict[str, Any]:
        """The keys the author wrote (those not at their default), as plain data."""
        return _given(self)


@dataclass(frozen=True)
class Achievement:
    id: str
    name: str
    description: str
    condition: AchievementCondition
    hidden: bool = False


@dataclass(frozen=True)
class StartingMeters:
    safety: int = 50
    standards: int = 50
    trust: int = 50

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Scenario:
    format: str
    id: str
    title: str
    summary: str
    role: str
    start: str
    scenes: dict[str, Scene]
    minutes: int | None = None
    themes: list[str] = field(default_factory=list)
    meters: StartingMeters = field(default_factory=StartingMeters)
    discussion: list[str] = field(default_factory=list)
    achievements: list[Achievement] = field(default_factory=list)

    def scene(self, scene_id: str) -> Scene:
        return self.scenes[scene_id]

    @property
    def endings(self) -> dict[str, Scene]:
        return {sid: s for sid, s in self.scenes.items() if s.is_ending}

    def as_data(self) -> dict[str, Any]:
        """Plain JSON-ready data that `from_data` turns back into an equal scenario."""
        return asdict(self)

    @classmethod
    def from_data(cls, data: object) -> Scenario:
        """The scenario `data` describes, keyed as `as_data` (or the contract's `model_dump`) writes it.
        Raises ValueError when the data does not have this shape; the values are trusted to have passed
        the contract already."""
        built: Scenario = _build(cls, data, "")
        return built


# Building from plain data, by the annotations above (a field added to a class needs nothing here), with
# the checks the player's own files are read with: each names where a value is and what it should be.

_CHECKS: dict[object, Callable[[object, str], object]] = {str: text, int: whole_number, bool: flag}


def _build(kind: Any, data: object, where: str) -> Any:
    origin, arguments = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        inner = next(a for a in arguments if a is not type(None))
        return optional(data, where, lambda value, at_: _build(inner, value, at_))
    if origin is Literal:
        return one_of(data, where, arguments)
    if origin is list:
        return list(list_of(data, where, lambda item, at_: _build(arguments[0], item, at_)))
    if origin is dict:
        return {
            key: _build(arguments[1], value, at(where, key)) for key, value in mapping(data, where).items()
        }
    if isinstance(kind, type) and is_dataclass(kind):
        hints = _hints(kind)
        required = [spec.name for spec in dataclasses.fields(kind) if _default(spec) is MISSING]
        found = fields(data, where, required=required, optional=hints.keys())
        return kind(**{name: _build(hints[name], value, at(where, name)) for name, value in found.items()})
    return _CHECKS[kind](data, where)


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _given(made: Any) -> dict[str, Any]:
    return {
        spec.name: _given(value) if is_dataclass(value) else value
        for spec in dataclasses.fields(made)
        if (value := getattr(made, spec.name)) != _default(spec)
    }


def _default(spec: Any) -> object:
    if spec.default_factory is not MISSING:
        return spec.default_factory()
    return spec.default
