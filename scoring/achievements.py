"""Achievements: named rewards for behaviours the training wants to see, as data, earned by pure evaluation.

The global set is `achievements.yaml` beside this module; a scenario may add its own under
`achievements:` (the game's models validate their shape, then call `parse_condition` here, so what a
condition *means* is written once, in this module).

A condition is a mapping of keys, never an expression. Every key given must hold. Two kinds of keys:

What one run did (the run being judged must do all of these):

    principle: ID           practised this principle: the player (not the timer) took a choice that
                            rests on it and is sound (`scoring.history.sound`: it helps the team)
    took: {scene, choice}   took this choice in this scene (a scenario's own achievements only)
    ending: SCENE           reached this ending scene (a scenario's own achievements only)
    tone: good|mixed|poor   reached an ending of this tone
    zone: learning|comfort|anxiety|apathy
                            finished in this zone
    never_below: {safety: N, standards: N, trust: N}
                            each meter named stayed at N or above, from the start to the end of the run
    answered_in_time: one|every
                            one: answered a timed scene before time ran out; every: met at least one
                            timer and never let one choose
    distinct_principles: N  practised at least N different principles in the run
    rewound_better: true    a rewound run that ended in a better zone than the run it was rewound from
    improved: true          a replay that beat the player's best earlier run of the scenario: a better
                            zone on the ladder (apathy < comfort, anxiety < learning), or a higher score

Across the player's runs (this run and the earlier ones; for a scenario's own achievements, only the
runs of that scenario). "Matching runs" are the runs that meet the keys above:

    runs: N                 at least N matching runs
    streak: N               this run and the N-1 runs before it all match
    scenarios: N            matching runs in at least N different scenarios (global set only)
    every_scenario: true    a matching run in every shipped scenario (global set only)
    all_endings: true       matching runs have reached every ending of this run's scenario
    endings_found: N        matching runs have reached at least N different endings
    all_principles: true    matching runs have practised every principle the shipped scenarios teach
                            (for a scenario's own achievement: every principle its choices use)

An achievement is earned by a run when that run meets its condition, so `earned` answers "what did
this run earn?" and `held` "what has the player earned so far?".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, fields
from functools import cache
from importlib import resources
from typing import Any, Literal, get_args

from scoring.debrief import Tone
from scoring.history import History, RunView, Shelf, improvements, zone_rank
from scoring.meters import METER_MAX, METER_MIN, METER_NAMES, MeterName
from scoring.principles import load_catalogue
from scoring.zones import Zone

Timers = Literal["one", "every"]
TONES: tuple[str, ...] = get_args(Tone)
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
KeyPath = tuple[str | int, ...]
Problem = tuple[KeyPath, str]


@dataclass(frozen=True, slots=True)
class Condition:
    """When an achievement is earned; see the module docstring for what each key means."""

    # What one run did.
    principle: str | None = None
    took: tuple[str, str] | None = None
    ending: str | None = None
    tone: Tone | None = None
    zone: Zone | None = None
    never_below: tuple[tuple[MeterName, int], ...] = ()
    answered_in_time: Timers | None = None
    distinct_principles: int | None = None
    rewound_better: bool = False
    improved: bool = False
    # Across the player's runs.
    runs: int | None = None
    streak: int | None = None
    scenarios: int | None = None
    every_scenario: bool = False
    all_endings: bool = False
    endings_found: int | None = None
    all_principles: bool = False

    def given(self) -> tuple[str, ...]:
        """The keys this condition sets, in the order the class lists them."""
        return tuple(f.name for f in fields(self) if getattr(self, f.name) not in (None, False, ()))


KEYS: tuple[str, ...] = tuple(f.name for f in fields(Condition))
RUN_KEYS: tuple[str, ...] = KEYS[: KEYS.index("runs")]
ACROSS_KEYS: tuple[str, ...] = KEYS[KEYS.index("runs") :]
SCENARIO_ONLY = frozenset({"took", "ending"})
"""Keys that name parts of one scenario, so only a scenario's own achievements may use them."""
GLOBAL_ONLY = frozenset({"scenarios", "every_scenario"})
"""Keys that span scenarios, so only the global set may use them."""


@dataclass(frozen=True, slots=True)
class Achievement:
    id: str
    name: str
    description: str
    """One line naming the behaviour."""
    condition: Condition
    hidden: bool = False
    """Shown as a locked secret until earned."""
    scenario_id: str | None = None
    """None for the global set; the scenario's id for a scenario's own achievement."""

    @property
    def key(self) -> str:
        """Unique across the global set and every scenario: `id`, or `scenario-id/id`."""
        return self.id if self.scenario_id is None else f"{self.scenario_id}/{self.id}"


# Reading conditions and achievements from plain data (YAML) ---------------------------------------


class _Bad(Exception):
    def __init__(self, message: str, at: KeyPath = ()) -> None:
        self.message, self.at = message, at


def _slug(value: object) -> str:
    if isinstance(value, str) and SLUG.fullmatch(value):
        return value
    raise _Bad(f"{value!r} is not an id: use lowercase letters, digits and hyphens")


def _count(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise _Bad(f"{value!r} is not a count: write a whole number, 1 or more")


def _yes(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise _Bad(f"{value!r} is not true or false")


def _one_of(options: Sequence[str]) -> Callable[[object], Any]:
    def read(value: object) -> str:
        if isinstance(value, str) and value in options:
            return value
        raise _Bad(f"{value!r} is not one of {', '.join(options)}")

    return read


def _zone(value: object) -> Zone:
    return Zone(_one_of([z.value for z in Zone])(value))


def _took(value: object) -> tuple[str, str]:
    if not isinstance(value, Mapping) or set(value) != {"scene", "choice"}:
        raise _Bad("write the scene and the choice: {scene: SCENE-ID, choice: CHOICE-ID}")
    scene, choice = value["scene"], value["choice"]
    for key, part in (("scene", scene), ("choice", choice)):
        try:
            _slug(part)
        except _Bad as bad:
            raise _Bad(bad.message, (key,)) from None
    return scene, choice


def _floors(value: object) -> tuple[tuple[MeterName, int], ...]:
    if not isinstance(value, Mapping) or not value:
        raise _Bad("name at least one meter and its floor: {safety: 40}")
    floors: list[tuple[MeterName, int]] = []
    for meter in value:
        if meter not in METER_NAMES:
            raise _Bad(f"unknown meter {meter!r}: use {', '.join(METER_NAMES)}", (str(meter),))
    for meter in METER_NAMES:
        if meter in value:
            floor = value[meter]
            if isinstance(floor, bool) or not isinstance(floor, int) or not METER_MIN <= floor <= METER_MAX:
                raise _Bad(f"{floor!r} is not a meter value {METER_MIN}..{METER_MAX}", (meter,))
            floors.append((meter, floor))
    return tuple(floors)


_READERS: dict[str, Callable[[object], Any]] = {
    "principle": _slug,
    "took": _took,
    "ending": _slug,
    "tone": _one_of(TONES),
    "zone": _zone,
    "never_below": _floors,
    "answered_in_time": _one_of(get_args(Timers)),
    "distinct_principles": _count,
    "rewound_better": _yes,
    "improved": _yes,
    "runs": _count,
    "streak": _count,
    "scenarios": _count,
    "every_scenario": _yes,
    "all_endings": _yes,
    "endings_found": _count,
    "all_principles": _yes,
}
assert set(_READERS) == set(KEYS)


def read_condition(data: object, *, scoped: bool) -> tuple[Condition | None, list[Problem]]:
    """A condition from plain data, or None with every problem (key path inside the condition, message).

    `scoped` is True for a scenario's own achievement, False for the global set.
    """
    if not isinstance(data, Mapping):
        return None, [((), "a condition is a mapping of keys, like {tone: good}")]
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key not in _READERS:
            problems.append(((str(key),), f"unknown condition key {key!r}; allowed: {', '.join(KEYS)}"))
            continue
        if scoped and key in GLOBAL_ONLY:
            problems.append(((key,), f"`{key}` spans scenarios: only the global achievements can use it"))
            continue
        if not scoped and key in SCENARIO_ONLY:
            problems.append(((key,), f"`{key}` names a part of one scenario: only its own achievements can"))
            continue
        try:
            values[key] = _READERS[key](raw)
        except _Bad as bad:
            problems.append(((key, *bad.at), bad.message))
    if problems:
        return None, problems
    condition = Condition(**values)
    if not condition.given():
        return None, [((), "a condition needs at least one key that holds, like {tone: good}")]
    return condition, []


def parse_condition(data: object, *, scoped: bool) -> Condition:
    """A condition from plain data; raises ValueError naming every problem."""
    condition, problems = read_condition(data, scoped=scoped)
    if condition is None:
        raise ValueError("; ".join(f"{'.'.join(map(str, at)) or 'condition'}: {m}" for at, m in problems))
    return condition


def parse_achievements(
    data: object, *, scenario_id: str | None = None, principles: Collection[str] | None = None
) -> tuple[Achievement, ...]:
    """Achievements from a list of plain mappings (the YAML); raises ValueError naming every problem."""
    if not isinstance(data, list):
        raise ValueError("achievements are a list")
    found: list[Achievement] = []
    problems: list[str] = []
    for n, entry in enumerate(data):
        where = f"achievements[{n}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: an achievement is a mapping")
            continue
        unknown = set(entry) - {"id", "name", "description", "hidden", "condition"}
        missing = {"id", "name", "description", "condition"} - set(entry)
        if unknown or missing:
            wrong_keys = [f"unknown key {k!r}" for k in sorted(map(str, unknown))]
            wrong_keys += [f"missing key {k!r}" for k in sorted(missing)]
            problems.append(f"{where}: {', '.join(wrong_keys)}")
            continue
        condition, wrong = read_condition(entry["condition"], scoped=scenario_id is not None)
        problems.extend(f"{where}.condition.{'.'.join(map(str, at))}: {m}" for at, m in wrong)
        if condition is None:
            continue
        if principles is not None and condition.principle not in (None, *principles):
            problems.append(f"{where}.condition.principle: unknown principle {condition.principle!r}")
        if any(not isinstance(entry[k], str) or not entry[k] for k in ("name", "description")):
            problems.append(f"{where}: name and description are text")
        if not isinstance(entry.get("hidden", False), bool):
            problems.append(f"{where}.hidden: true or false")
        found.append(
            Achievement(
                id=str(entry["id"]),
                name=str(entry["name"]),
                description=str(entry["description"]),
                condition=condition,
                hidden=bool(entry.get("hidden", False)),
                scenario_id=scenario_id,
            )
        )
    ids = [a.id for a in found]
    problems.extend(f"achievement id {i!r} is not an id" for i in ids if not SLUG.fullmatch(i))
    problems.extend(
        f"achievement id {i!r} is used twice" for i in sorted({i for i in ids if ids.count(i) > 1})
    )
    if problems:
        raise ValueError("; ".join(problems))
    return tuple(found)


@cache
def load_achievements() -> tuple[Achievement, ...]:
    """The shipped global set; read once per process."""
    text = resources.files("scoring").joinpath("achievements.yaml").read_text(encoding="utf-8")
    import yaml  # only when the achievements are first read

    return parse_achievements(yaml.safe_load(text)["achievements"], principles=load_catalogue())


# Judging runs --------------------------------------------------------------------------------------


class _Judge:
    """One player's runs, oldest first, with what each achievement needs precomputed once."""

    def __init__(self, runs: Sequence[RunView], shelf: Shelf, achievements: Sequence[Achievement]) -> None:
        self.runs = runs
        self.shelf = shelf
        self.achievements = achievements
        self.improved = improvements(runs)
        self.matches = {a.key: [self._matches(a, i) for i in range(len(runs))] for a in achievements}

    def _matches(self, achievement: Achievement, i: int) -> bool:
        """Whether run `i` meets the condition's keys about one run (and is in the achievement's scope)."""
        c, run = achievement.condition, self.runs[i]
        if achievement.scenario_id is not None and run.scenario_id != achievement.scenario_id:
            return False
        if c.principle is not None and c.principle not in run.practised:
            return False
        if c.took is not None and not any(
            (d.scene_id, d.choice_id) == c.took and not d.timed_out for d in run.decisions
        ):
            return False
        if c.ending is not None and run.ending_scene != c.ending:
            return False
        if c.tone is not None and run.ending_tone != c.tone:
            return False
        if c.zone is not None and run.zone != c.zone:
            return False
        if any(m.get(meter) < floor for m in run.path for meter, floor in c.never_below):
            return False
        if c.answered_in_time is not None:
            timed = [d for d in run.decisions if d.timed]
            met = any if c.answered_in_time == "one" else all
            if not timed or not met(not d.timed_out for d in timed):
                return False
        if c.distinct_principles is not None and len(run.practised) < c.distinct_principles:
            return False
        if c.rewound_better and (
            run.rewound_from_zone is None or zone_rank(run.zone) <= zone_rank(run.rewound_from_zone)
        ):
            return False
        return not (c.improved and not self.improved[i])

    def holds(self, achievement: Achievement, i: int) -> bool:
        """Whether run `i`, after the runs before it, earns `achievement`."""
        matches = self.matches[achievement.key]
        if not matches[i]:
            return False
        c, run = achievement.condition, self.runs[i]
        scope = [
            j
            for j in range(i + 1)
            if achievement.scenario_id is None or self.runs[j].scenario_id == achievement.scenario_id
        ]
        hits = [self.runs[j] for j in scope if matches[j]]
        if c.runs is not None and len(hits) < c.runs:
            return False
        if c.streak is not None and (
            len(scope) < c.streak or not all(matches[j] for j in scope[-c.streak :])
        ):
            return False
        if c.scenarios is not None and len({r.scenario_id for r in hits}) < c.scenarios:
            return False
        if c.every_scenario:
            shipped = {s.id for s in self.shelf.shipped}
            if not shipped or not shipped <= {r.scenario_id for r in hits}:
                return False
        if c.all_endings:
            facts = self.shelf.get(run.scenario_id)
            reached = {r.ending_scene for r in hits if r.scenario_id == run.scenario_id}
            if facts is None or not facts.endings or not set(facts.endings) <= reached:
                return False
        if (
            c.endings_found is not None
            and len({(r.scenario_id, r.ending_scene) for r in hits}) < c.endings_found
        ):
            return False
        if c.all_principles:
            taught = self._taught(achievement)
            if not taught or not taught <= frozenset().union(*(r.practised for r in hits)):
                return False
        return True

    def _taught(self, achievement: Achievement) -> frozenset[str]:
        if achievement.scenario_id is None:
            return self.shelf.principles_taught
        facts = self.shelf.get(achievement.scenario_id)
        return facts.principle_ids if facts else frozenset()

    def earned_by(self, i: int) -> set[str]:
        return {a.key for a in self.achievements if self.holds(a, i)}


def _all(shelf: Shelf, achievements: Sequence[Achievement] | None) -> Sequence[Achievement]:
    return achievements if achievements is not None else (*load_achievements(), *shelf.achievements)


def earned(
    run: RunView,
    history: History | None = None,
    shelf: Shelf | None = None,
    *,
    achievements: Sequence[Achievement] | None = None,
) -> set[str]:
    """The keys of the achievements `run` earns, played after `history`.

    `achievements` defaults to the global set plus every scenario's own on the shelf.
    """
    history, shelf = history or History(), shelf or Shelf()
    runs = (*history.runs, run)
    return _Judge(runs, shelf, _all(shelf, achievements)).earned_by(len(runs) - 1)


def held(
    history: History, shelf: Shelf | None = None, *, achievements: Sequence[Achievement] | None = None
) -> set[str]:
    """The keys of every achievement some run in `history` earned."""
    shelf = shelf or Shelf()
    judge = _Judge(history.runs, shelf, _all(shelf, achievements))
    return set().union(*(judge.earned_by(i) for i in range(len(history.runs))))


def newly_earned(
    run: RunView,
    history: History | None = None,
    shelf: Shelf | None = None,
    *,
    achievements: Sequence[Achievement] | None = None,
) -> list[Achievement]:
    """What `run` earned that no earlier run had: the debrief's "new" list, in catalogue order."""
    history, shelf = history or History(), shelf or Shelf()
    candidates = _all(shelf, achievements)
    runs = (*history.runs, run)
    judge = _Judge(runs, shelf, candidates)
    before = set().union(*(judge.earned_by(i) for i in range(len(runs) - 1)))
    now = judge.earned_by(len(runs) - 1)
    return [a for a in candidates if a.key in now - before]


HIDDEN_NAME = "Hidden achievement"
HIDDEN_DESCRIPTION = "Keep playing to discover it."


@dataclass(frozen=True, slots=True)
class Shown:
    """An achievement as a player's list shows it: hidden ones keep their secret until earned."""

    achievement: Achievement
    earned: bool

    @property
    def secret(self) -> bool:
        return self.achievement.hidden and not self.earned

    @property
    def name(self) -> str:
        return HIDDEN_NAME if self.secret else self.achievement.name

    @property
    def description(self) -> str:
        return HIDDEN_DESCRIPTION if self.secret else self.achievement.description


def showcase(
    held_keys: Collection[str],
    shelf: Shelf | None = None,
    *,
    scenario_id: str | None = None,
    achievements: Sequence[Achievement] | None = None,
) -> list[Shown]:
    """Every achievement to show, in catalogue order: the global set, then the scenarios' own (only
    `scenario_id`'s when it is given)."""
    shelf = shelf or Shelf()
    candidates = [
        a for a in _all(shelf, achievements) if a.scenario_id in (None, scenario_id) or scenario_id is None
    ]
    return [Shown(a, a.key in held_keys) for a in candidates]
