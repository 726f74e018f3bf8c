"""`check`'s rules for a scenario's own achievements: names that must exist, and conditions no
playthrough can meet.

Exact, like the rest of `check`: every reachable situation is explored, not a sample of playthroughs.
A situation here is the scene, the flags some condition tests, the meters that matter (those a choice's
`if` compares and those the achievement reads at the end), and what the run has done so far that the
achievement asks about (took the choice, which principles, met a timer, kept the meter floors). Timers
are never let run out: answering in time with the same choice is always open to the player and never
meets less of a condition. What a condition *means* is decided in `scoring.achievements`; this module
only asks, of every way the story can end, whether those rules can hold.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from game.analysis import MAX_STATES, Finding
from game.offers import practising, taught
from game.scenario.errors import KeyPath
from game.scenario.models import Achievement, Scenario
from game.scenario.rules import did_you_mean
from scoring import achievements as rewards
from scoring.debrief import score_for
from scoring.history import zone_rank
from scoring.meters import METER_NAMES, Meters, clamp
from scoring.principles import load_catalogue
from scoring.zones import Zone, zone_of

UNTRACKED = -1
Values = tuple[int, int, int]  # safety, standards, trust; UNTRACKED for a meter nothing reads


@dataclass(frozen=True, slots=True)
class Outcome:
    """One way a playthrough can end, with what the achievement asks about it."""

    ending: str
    meters: Values
    took: bool
    principles: frozenset[str]
    timed: bool
    floors_held: bool

    @property
    def zone(self) -> Zone:
        return zone_of(Meters(max(self.meters[0], 0), max(self.meters[1], 0), 0))


def check_achievements(scenario: Scenario, principles: Collection[str] | None = None) -> list[Finding]:
    """Every problem with `scenario`'s own achievements, each at its key path."""
    principles = principles if principles is not None else load_catalogue()
    findings: list[Finding] = []
    seen: set[str] = set()
    for n, achievement in enumerate(scenario.achievements):
        at: KeyPath = ("achievements", n)
        if achievement.id in seen:
            findings.append(Finding((*at, "id"), f"achievement id {achievement.id!r} is used twice"))
        seen.add(achievement.id)
        condition, problems = rewards.read_condition(achievement.condition.given(), scoped=True)
        wrong = [Finding((*at, "condition", *path), message) for path, message in problems]
        if condition is not None:
            wrong.extend(_names(scenario, condition, (*at, "condition"), principles))
        findings.extend(wrong)
        if condition is not None and not wrong:
            findings.extend(_earnable(scenario, achievement, condition, (*at, "condition")))
    return findings


def _names(
    scenario: Scenario, condition: rewards.Condition, at: KeyPath, principles: Collection[str]
) -> Iterator[Finding]:
    """Names in the condition that must exist: the principle, the scene and choice, the ending."""
    if condition.principle is not None and condition.principle not in principles:
        yield Finding(
            (*at, "principle"),
            f"unknown principle {condition.principle!r}{did_you_mean(condition.principle, principles)}; "
            "`tightrope principles` lists the catalogue",
        )
    if condition.took is not None:
        scene_id, choice_id = condition.took
        scene = scenario.scenes.get(scene_id)
        if scene is None:
            yield Finding(
                (*at, "took", "scene"),
                f"scene {scene_id!r} does not exist{did_you_mean(scene_id, scenario.scenes)}",
            )
        elif scene.choice(choice_id) is None:
            ids = [c.key for c in scene.choices]
            yield Finding(
                (*at, "took", "choice"),
                f"scene {scene_id!r} has no choice {choice_id!r}{did_you_mean(choice_id, ids)}",
            )
    if condition.ending is not None:
        ending = scenario.scenes.get(condition.ending)
        if ending is None:
            yield Finding(
                (*at, "ending"),
                f"scene {condition.ending!r} does not exist"
                f"{did_you_mean(condition.ending, scenario.endings)}",
            )
        elif not ending.is_ending:
            yield Finding((*at, "ending"), f"scene {condition.ending!r} is not an ending")


def _earnable(
    scenario: Scenario, achievement: Achievement, condition: rewards.Condition, at: KeyPath
) -> Iterator[Finding]:
    outcomes = explore(scenario, condition)
    never = f"achievement {achievement.id!r} can never be earned"
    if outcomes is None:
        yield Finding(
            at,
            f"achievement {achievement.id!r} was not checked: the story has more than "
            f"{MAX_STATES:,} situations to explore for it",
            "warning",
        )
        return
    judge = _Judge(scenario, condition, outcomes)
    run_keys = [k for k in condition.given() if k in rewards.RUN_KEYS]
    impossible = [k for k in run_keys if not any(judge.meets(o, (k,)) for o in outcomes)]
    for key in impossible:
        yield Finding((*at, key), f"{never}: {judge.why_not(key)}")
    if impossible:
        return
    matching = [o for o in outcomes if judge.meets(o, run_keys)]
    if not matching:
        named = [f"`{k}`" for k in run_keys]
        together = ", ".join(named[:-1]) + f" and {named[-1]}"
        yield Finding(at, f"{never}: no single playthrough meets {together} together")
        return
    yield from (Finding((*at, key), f"{never}: {reason}") for key, reason in judge.across(matching))


def tracked_meters(scenario: Scenario, condition: rewards.Condition) -> frozenset[str]:
    """The meters to follow: those choices compare, and those the condition reads."""
    needed = {
        m
        for scene in scenario.scenes.values()
        for c in scene.choices
        if c.condition
        for m, _, _ in c.condition.comparisons()
    }
    needed.update(meter for meter, _ in condition.never_below)
    if condition.zone is not None or condition.rewound_better:
        needed.update(("safety", "standards"))
    if condition.improved:
        needed.update(METER_NAMES)
    return frozenset(needed)


def tracked_principles(scenario: Scenario, condition: rewards.Condition) -> frozenset[str]:
    if condition.distinct_principles is not None or condition.all_principles:
        return used_principles(scenario)
    return frozenset({condition.principle}) if condition.principle is not None else frozenset()


def used_principles(scenario: Scenario) -> frozenset[str]:
    """The principles the scenario teaches, as `scoring.history.ScenarioFacts` counts them."""
    return frozenset(taught(scenario))


State = tuple[str, frozenset[str], Values, bool, frozenset[str], bool, bool]


def explore(scenario: Scenario, condition: rewards.Condition) -> set[Outcome] | None:
    """Every distinct way the story can end, as the condition sees it; None past MAX_STATES situations."""
    meters = tracked_meters(scenario, condition)
    follow = [name in meters for name in METER_NAMES]
    principles = tracked_principles(scenario, condition)
    floors = [(METER_NAMES.index(m), floor) for m, floor in condition.never_below]
    tested = {
        f
        for scene in scenario.scenes.values()
        for c in scene.choices
        if c.condition
        for f in (*c.condition.flags, *c.condition.not_flags)
    }
    begin = scenario.meters.as_dict()
    values = _values(begin[m] if on else UNTRACKED for m, on in zip(METER_NAMES, follow, strict=True))
    held = all(values[i] >= floor for i, floor in floors)
    start: State = (scenario.start, frozenset(), values, False, frozenset(), False, held)
    seen = {start}
    queue = deque([start])
    outcomes: set[Outcome] = set()
    while queue:
        scene_id, flags, values, took, practised, timed, held = queue.popleft()
        scene = scenario.scenes[scene_id]
        if scene.is_ending:
            outcomes.add(Outcome(scene_id, values, took, practised, timed, held))
            continue
        as_dict: dict[str, int] = dict(zip(METER_NAMES, values, strict=True))
        available = [c for c in scene.choices if c.available(as_dict, flags)]
        for choice, practised_here in zip(available, practising(available), strict=True):
            deltas = choice.effects.deltas() if choice.effects else {}
            moved = _values(
                v if v == UNTRACKED else clamp(v + deltas.get(m, 0))
                for m, v in zip(METER_NAMES, values, strict=True)
            )
            state: State = (
                choice.next,
                frozenset(((flags | set(choice.sets)) - set(choice.clears)) & tested),
                moved,
                took or (scene_id, choice.key) == condition.took,
                practised | ({practised_here} & principles if practised_here else frozenset()),
                timed or scene.timer is not None,
                held and all(moved[i] >= floor for i, floor in floors),
            )
            if state not in seen:
                if len(seen) >= MAX_STATES:
                    return None
                seen.add(state)
                queue.append(state)
    return outcomes


def _values(meters: Iterable[int]) -> Values:
    safety, standards, trust = meters
    return safety, standards, trust


class _Judge:
    """The rules of `scoring.achievements`, asked of the ways a story can end instead of of one run."""

    def __init__(self, scenario: Scenario, condition: rewards.Condition, outcomes: set[Outcome]) -> None:
        self.scenario = scenario
        self.condition = condition
        self.outcomes = outcomes
        ranks = [zone_rank(o.zone) for o in outcomes]
        self.lowest_rank = min(ranks, default=0)
        self.lowest_score = min((self._score(o) for o in outcomes), default=0) if condition.improved else 0

    def _tone(self, outcome: Outcome) -> str:
        ending = self.scenario.scenes[outcome.ending].ending
        assert ending is not None
        return ending.tone

    def _score(self, outcome: Outcome) -> int:
        return score_for(Meters(*outcome.meters), self._tone(outcome))

    def meets(self, outcome: Outcome, keys: Collection[str]) -> bool:
        c, o = self.condition, outcome
        checks = {
            "principle": lambda: c.principle in o.principles,
            "took": lambda: o.took,
            "ending": lambda: o.ending == c.ending,
            "tone": lambda: self._tone(o) == c.tone,
            "zone": lambda: o.zone == c.zone,
            "never_below": lambda: o.floors_held,
            "answered_in_time": lambda: o.timed,
            "distinct_principles": lambda: len(o.principles) >= (c.distinct_principles or 0),
            # The run rewound from may be any playthrough: a rewind can go back to the first decision.
            "rewound_better": lambda: zone_rank(o.zone) > self.lowest_rank,
            "improved": lambda: zone_rank(o.zone) > self.lowest_rank or self._score(o) > self.lowest_score,
        }
        return all(checks[key]() for key in keys)

    def why_not(self, key: str) -> str:
        c = self.condition
        if key == "principle":
            if c.principle not in used_principles(self.scenario):
                return (
                    f"no choice in this scenario practises {c.principle!r} (a helpful choice resting on it)"
                )
            return f"no choice that practises {c.principle!r} is ever offered"
        if key == "took" and c.took is not None:
            return f"choice {c.took[1]!r} of scene {c.took[0]!r} is never offered"
        if key == "ending":
            return f"ending {c.ending!r} can never be reached"
        if key == "tone":
            return f"no reachable ending has the tone {c.tone!r}"
        if key == "zone":
            return f"no playthrough finishes in the {c.zone} zone"
        if key == "never_below":
            floors = " and ".join(f"{meter} at {floor} or above" for meter, floor in c.never_below)
            return f"no playthrough keeps {floors} from the start to the end"
        if key == "answered_in_time":
            return "no playthrough meets a timed scene"
        if key == "distinct_principles":
            most = max((len(o.principles) for o in self.outcomes), default=0)
            return f"no playthrough practises {c.distinct_principles} different principles (at most {most})"
        if key == "rewound_better":
            return "every playthrough ends as high on the zone ladder, so a rewind cannot end higher"
        return "every playthrough ends in the same zone with the same score, so a replay cannot beat it"

    def across(self, matching: list[Outcome]) -> Iterator[tuple[str, str]]:
        """(key, why) for each key about several runs that the matching playthroughs cannot meet."""
        c = self.condition
        reached = {o.ending for o in matching}
        rest = "a run that meets the rest of the condition"
        if c.all_endings:
            for ending in self.scenario.endings:
                if ending not in reached:
                    yield "all_endings", f"ending {ending!r} is never reached by {rest}"
                    break
        if c.endings_found is not None and len(reached) < c.endings_found:
            yield (
                "endings_found",
                f"runs that meet the rest of the condition reach {len(reached)} endings at most",
            )
        if c.all_principles:
            practised = frozenset().union(*(o.principles for o in matching))
            missing = sorted(used_principles(self.scenario) - practised)
            if missing:
                yield "all_principles", f"principle {missing[0]!r} is never practised by {rest}"
