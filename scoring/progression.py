"""Progression: experience (XP) from finished runs, and levels named in the training's own words.

XP rewards exploring, practising and getting better, not playing the same run again and again. For
each finished run, in the order played:

    finish         10 XP, halved (rounded down) for each earlier time the player reached the same ending
                   of the same scenario: 10, 5, 2, 1, then 0
    new ending     +30 the first time the player reaches this ending of this scenario
    new principle  +15 for each principle practised for the first time (a choice the player made,
                   not the timer)
    improvement    on a replay, against the player's best earlier run of the same scenario:
                   +25 for each step up the zone ladder above the best zone so far
                       (apathy → comfort or anxiety → learning), and
                   +1 for each score point above the best score so far, at most +20 per run

Every part is bounded for a fixed set of scenarios (endings and principles are found once, a best zone
and a best score can only rise so far, a repeated ending soon earns 0), so grinding earns nothing
after a while; only new ground and real improvement do. The levels' thresholds are in `LEVELS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scoring.history import History, RunView, Shelf, bests, zone_rank

FINISH_XP = 10
NEW_ENDING_XP = 30
NEW_PRINCIPLE_XP = 15
ZONE_STEP_XP = 25
SCORE_POINT_XP = 1
SCORE_GAIN_CAP = 20


@dataclass(frozen=True, slots=True)
class Level:
    number: int
    name: str
    xp: int
    """XP needed to reach this level."""
    meaning: str


LEVELS: tuple[Level, ...] = (
    Level(1, "Newcomer", 0, "You have stepped onto the rope."),
    Level(2, "Listener", 60, "You hear people out before you decide."),
    Level(3, "Question asker", 150, "You ask what made a mistake easy to make, not who made it."),
    Level(4, "Fair witness", 275, "You describe what you saw, not what you assumed."),
    Level(5, "Straight talker", 425, "Your feedback is specific, timely and kind."),
    Level(6, "Bar setter", 600, "You make the standard visible before the work starts."),
    Level(7, "Loop closer", 800, "Lessons you find turn into changes that stick."),
    Level(8, "Blameless reviewer", 1050, "You rebuild what happened so everyone learns from it."),
    Level(9, "Guardrail builder", 1350, "You let people experiment inside limits everyone agreed."),
    Level(10, "Tightrope walker", 1700, "You hold safety and standards up together."),
)


@dataclass(frozen=True, slots=True)
class RunXp:
    """The XP one run earned, part by part."""

    finish: int = 0
    new_ending: int = 0
    new_principles: int = 0
    improvement: int = 0

    @property
    def total(self) -> int:
        return self.finish + self.new_ending + self.new_principles + self.improvement

    def parts(self) -> list[tuple[str, int]]:
        """(what, XP) for every part that earned something, for a debrief line like "+40 XP"."""
        named = [
            ("finished the run", self.finish),
            ("a new ending", self.new_ending),
            ("new principles practised", self.new_principles),
            ("beat your best", self.improvement),
        ]
        return [(what, xp) for what, xp in named if xp]


@dataclass(frozen=True, slots=True)
class Progress:
    xp: int
    level: int
    level_name: str
    next_level_xp: int | None
    """XP needed for the next level; None at the top level."""
    next_level_name: str | None
    needs: str
    """What the next level needs, in words."""
    runs: tuple[RunXp, ...] = ()
    """XP per run, oldest first."""

    @property
    def to_next_level(self) -> int | None:
        return None if self.next_level_xp is None else self.next_level_xp - self.xp

    @property
    def meaning(self) -> str:
        return LEVELS[self.level - 1].meaning

    @property
    def into_level(self) -> tuple[int, int] | None:
        """(XP gained since this level began, XP this level spans); None at the top level."""
        if self.next_level_xp is None:
            return None
        floor = LEVELS[self.level - 1].xp
        return self.xp - floor, self.next_level_xp - floor


def experience(runs: Sequence[RunView]) -> list[RunXp]:
    """The XP of each run, oldest first, by the formula in the module docstring."""
    endings_seen: dict[tuple[str, str], int] = {}
    practised: set[str] = set()
    earned: list[RunXp] = []
    for run, best in bests(runs):
        ending = (run.scenario_id, run.ending_scene)
        times_before = endings_seen.get(ending, 0)
        endings_seen[ending] = times_before + 1
        new_principles = run.practised - practised
        practised |= run.practised
        improvement = 0
        if best is not None:
            steps = max(0, zone_rank(run.zone) - best.rank)
            points = min(SCORE_GAIN_CAP, max(0, run.score - best.score))
            improvement = steps * ZONE_STEP_XP + points * SCORE_POINT_XP
        earned.append(
            RunXp(
                finish=FINISH_XP >> times_before,
                new_ending=NEW_ENDING_XP if times_before == 0 else 0,
                new_principles=NEW_PRINCIPLE_XP * len(new_principles),
                improvement=improvement,
            )
        )
    return earned


def run_xp(run: RunView, history: History | None = None) -> RunXp:
    """What `run` earns, played after `history`: the debrief's "+N XP"."""
    return experience((*(history or History()).runs, run))[-1]


def level_for(xp: int) -> Level:
    return [level for level in LEVELS if level.xp <= xp][-1]


def progress(history: History, shelf: Shelf | None = None) -> Progress:
    """The player's XP, level and what the next level needs (more specific when the shelf is known)."""
    runs = experience(history.runs)
    xp = sum(r.total for r in runs)
    level = level_for(xp)
    following = next((lv for lv in LEVELS if lv.number == level.number + 1), None)
    return Progress(
        xp=xp,
        level=level.number,
        level_name=level.name,
        next_level_xp=following.xp if following else None,
        next_level_name=following.name if following else None,
        needs=_needs(history, shelf, xp, following),
        runs=tuple(runs),
    )


def _needs(history: History, shelf: Shelf | None, xp: int, following: Level | None) -> str:
    ending_left = principle_left = ""
    if shelf is not None:
        found = {(r.scenario_id, r.ending_scene) for r in history.runs}
        unseen = sum(1 for s in shelf.scenarios for e in s.endings if (s.id, e) not in found)
        practised = frozenset().union(*(r.practised for r in history.runs))
        untried = len(shelf.principles_taught - practised)
        ending_left = f", {unseen} left" if unseen else ", none left"
        principle_left = f", {untried} left" if untried else ", none left"
    ways = (
        f"find an ending you have not seen (+{NEW_ENDING_XP} each{ending_left}), "
        f"practise a principle for the first time (+{NEW_PRINCIPLE_XP} each{principle_left}), "
        f"or replay a scenario and beat your best zone or score in it"
    )
    if following is None:
        return f"You are at the top level. To keep growing: {ways}."
    return f"{following.xp - xp} XP to {following.name}: {ways}."
