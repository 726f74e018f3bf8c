"""The balance report behind `tightrope check --report`: what each ending, choice and one-sided player gets.

Exact, never sampled. Path counts run over `game.analysis`'s state graph with dynamic programming, so
10^15 distinct playthroughs cost no more than the handful of states they pass through.

That graph leaves out the meters no condition compares, so meter and score ranges need one more idea,
and they stay exact because every rule of the game is monotone in the meters: `clamp(value + delta)`
never swaps two values' order, and the score never falls when a meter rises. So a state only has to
carry, per meter, the lowest and highest value any path brings to it; and for the score, the meter
triples that no other triple at that state beats on every meter (and those none undercuts). Whatever
the other triples would go on to score, one of those does at least as well (or as badly).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, get_args

from game.analysis import MAX_STATES, Analysis, analyse, topological_order
from game.engine import Engine
from game.scenario.models import Choice, Scenario, Tone
from scoring import Catalogue, Meters, Zone, score_for, zone_of
from scoring.meters import METER_MAX, METER_MIN, METER_NAMES, clamp

TONES: tuple[Tone, ...] = get_args(Tone)
# A score frontier bigger than this at one state is a pathological file: the score range then falls
# back to bounds from the per-meter ranges, and the report says it is approximate.
MAX_FRONTIER = 4_000
# A one-sided player who has taken this many choices without an ending is going round in circles.
MAX_POLICY_STEPS = 10_000

Successors = list[list[tuple[str, int]]]
Point = tuple[int, int, int]
# Per state: the Pareto-maximal and the Pareto-minimal meter triples that reach it.
Frontier = tuple[frozenset[Point], frozenset[Point]]
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Range:
    low: int
    high: int

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}..{self.high}"

    def as_dict(self) -> dict[str, int]:
        return {"min": self.low, "max": self.high}


@dataclass(frozen=True, slots=True)
class EndingReport:
    scene: str
    title: str
    tone: Tone
    reachable: bool
    paths: int | None
    """Distinct choice sequences from the start that end here; None when a loop makes it unbounded."""
    shortest: tuple[str, ...] | None
    meters: tuple[tuple[str, Range], ...]
    """(meter, range of its final value) for every meter; empty when the ending is unreachable."""
    score: Range | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "scene": self.scene,
            "title": self.title,
            "tone": self.tone,
            "reachable": self.reachable,
            "paths": self.paths,
            "shortest_path": list(self.shortest) if self.shortest is not None else None,
            "meters": {meter: r.as_dict() for meter, r in self.meters} if self.reachable else None,
            "score": self.score.as_dict() if self.score else None,
        }


@dataclass(frozen=True, slots=True)
class ChoiceReport:
    scene: str
    choice: str
    offered: bool
    """Whether any playthrough is ever offered this choice (its condition can hold)."""
    paths: tuple[tuple[Tone, int], ...] | None
    """(tone, distinct paths to endings of that tone that take this choice); None when unbounded."""

    def paths_to(self, tone: Tone) -> int | None:
        return None if self.paths is None else dict(self.paths)[tone]

    def as_dict(self) -> dict[str, Any]:
        return {
            "scene": self.scene,
            "choice": self.choice,
            "offered": self.offered,
            "paths": dict(self.paths) if self.paths is not None else None,
        }


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    description: str
    pick: Callable[[Sequence[Choice]], Choice]
    warning: str
    """What it means when this player reaches a good ending."""


def _raises(meter: str) -> Callable[[Sequence[Choice]], Choice]:
    def pick(choices: Sequence[Choice]) -> Choice:
        # max() keeps the first of equals, so ties go to the first listed.
        return max(choices, key=lambda c: c.effects.deltas().get(meter, 0) if c.effects else 0)

    return pick


_ONE_SIDED = "a player who only ever pushes one meter reaches a good ending: the dilemmas may be too easy"
POLICIES: tuple[Policy, ...] = (
    Policy("safety-first", "always the choice that raises safety most", _raises("safety"), _ONE_SIDED),
    Policy(
        "standards-first", "always the choice that raises standards most", _raises("standards"), _ONE_SIDED
    ),
    Policy(
        "first-listed",
        "always the first choice offered",
        lambda choices: choices[0],
        "always taking the first choice reaches a good ending: vary where the best answer sits",
    ),
)


@dataclass(frozen=True, slots=True)
class PolicyOutcome:
    policy: str
    description: str
    path: tuple[str, ...]
    final: Meters
    ending: str | None
    """The ending scene reached; None when the player got stuck or went round in circles."""
    title: str | None
    tone: Tone | None
    score: int | None
    stopped: str | None = None
    """Why no ending was reached, in words."""
    warning: str | None = None
    """Set when this player reaches a good ending, which a one-sided player should not."""

    @property
    def zone(self) -> Zone:
        return zone_of(self.final)

    def as_dict(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "description": self.description,
            "path": list(self.path),
            "ending": self.ending,
            "title": self.title,
            "tone": self.tone,
            "meters": self.final.as_dict(),
            "zone": self.zone.value,
            "score": self.score,
            "stopped": self.stopped,
            "warning": self.warning,
        }


@dataclass(frozen=True, slots=True)
class BalanceReport:
    scenario: str
    title: str
    states: int
    complete: bool
    """False when the story has more states than the analysis explores: figures cover only part of it."""
    total_paths: int | None
    """Distinct playthroughs from the start to any ending; None when a loop makes them unbounded."""
    scores_exact: bool
    """False when score ranges are bounds from the per-meter ranges rather than exact."""
    endings: tuple[EndingReport, ...]
    choices: tuple[ChoiceReport, ...]
    policies: tuple[PolicyOutcome, ...]

    @property
    def loops(self) -> bool:
        return self.total_paths is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "title": self.title,
            "states": self.states,
            "complete": self.complete,
            "total_paths": self.total_paths,
            "scores_exact": self.scores_exact,
            "endings": [e.as_dict() for e in self.endings],
            "choices": [c.as_dict() for c in self.choices],
            "policies": [p.as_dict() for p in self.policies],
        }


def balance(scenario: Scenario, analysis: Analysis | None = None) -> BalanceReport:
    """The balance report for a valid scenario; `analysis` is reused when the caller already has it."""
    analysis = analysis if analysis is not None else analyse(scenario)
    graph = _Graph(scenario, analysis)
    endings_report = tuple(graph.ending(scene_id) for scene_id in scenario.endings)
    return BalanceReport(
        scenario=scenario.id,
        title=scenario.title,
        states=len(analysis.states),
        # The state graph stops at MAX_STATES, whether or not the checks behind it did.
        complete=analysis.complete and len(analysis.states) < MAX_STATES,
        total_paths=graph.total_paths,
        scores_exact=graph.frontiers is not None,
        endings=endings_report,
        choices=tuple(graph.choices()),
        policies=tuple(play_policy(scenario, policy) for policy in POLICIES),
    )


class _Graph:
    """The analysis's state graph with everything the report reads from it computed once."""

    def __init__(self, scenario: Scenario, analysis: Analysis) -> None:
        self.scenario = scenario
        self.states = analysis.states
        self.successors: Successors = analysis.successors
        self.order = topological_order(self.successors)
        self.tone_of = {sid: s.ending.tone for sid, s in scenario.endings.items() if s.ending}
        self.edges_deltas = {
            (scene_id, choice.key): tuple(
                choice.effects.deltas().get(m, 0) if choice.effects else 0 for m in METER_NAMES
            )
            for scene_id, scene in scenario.scenes.items()
            for choice in scene.choices
        }
        self.ways = self._ways() if self.order is not None else None
        self.total_paths = (
            sum(self.ways[i] for i, state in enumerate(self.states) if state[0] in self.tone_of)
            if self.ways is not None
            else None
        )
        start = scenario.meters.as_dict()
        seed: Point = (start["safety"], start["standards"], start["trust"])
        self.intervals = _propagate(
            self.successors, self.order, (seed, seed), self._move_interval, _join_interval
        )
        self.frontiers = self._frontiers(seed)
        self.parents = _shortest_tree(self.successors)

    def _deltas(self, state: int, choice: str) -> Point:
        d = self.edges_deltas[(self.states[state][0], choice)]
        return d[0], d[1], d[2]

    def _move_interval(self, state: int, choice: str, value: tuple[Point, Point]) -> tuple[Point, Point]:
        d = self._deltas(state, choice)
        return _shift(value[0], d), _shift(value[1], d)

    def _frontiers(self, seed: Point) -> list[Frontier | None] | None:
        def move(state: int, choice: str, value: Frontier) -> Frontier:
            d = self._deltas(state, choice)
            return _upper({_shift(p, d) for p in value[0]}), _lower({_shift(p, d) for p in value[1]})

        def join(a: Frontier, b: Frontier) -> Frontier:
            joined = _upper(a[0] | b[0]), _lower(a[1] | b[1])
            if len(joined[0]) > MAX_FRONTIER or len(joined[1]) > MAX_FRONTIER:
                raise _TooLarge
            return joined

        try:
            return _propagate(self.successors, self.order, (frozenset([seed]), frozenset([seed])), move, join)
        except _TooLarge:
            return None

    def _ways(self, skip: tuple[str, str] | None = None) -> list[int]:
        """Distinct paths from the start to each state, leaving out edges labelled `skip` (scene, choice)."""
        assert self.order is not None
        ways = [0] * len(self.states)
        if ways:
            ways[0] = 1
        for i in self.order:
            if ways[i]:
                scene = self.states[i][0]
                for choice, j in self.successors[i]:
                    if (scene, choice) != skip:
                        ways[j] += ways[i]
        return ways

    def _paths_by_tone(self, ways: Sequence[int]) -> dict[Tone, int]:
        totals: dict[Tone, int] = dict.fromkeys(TONES, 0)
        for i, (scene, _, _) in enumerate(self.states):
            tone = self.tone_of.get(scene)
            if tone is not None:
                totals[tone] += ways[i]
        return totals

    def ending(self, scene_id: str) -> EndingReport:
        scene = self.scenario.scenes[scene_id]
        assert scene.ending is not None
        at = [i for i, state in enumerate(self.states) if state[0] == scene_id]
        base = EndingReport(scene_id, scene.ending.title, scene.ending.tone, bool(at), 0, None, (), None)
        if not at:
            return base
        meters = tuple(
            (name, Range(min(self._interval(i)[0][m] for i in at), max(self._interval(i)[1][m] for i in at)))
            for m, name in enumerate(METER_NAMES)
        )
        return EndingReport(
            scene=scene_id,
            title=scene.ending.title,
            tone=scene.ending.tone,
            reachable=True,
            paths=sum(self.ways[i] for i in at) if self.ways is not None else None,
            shortest=self._path_to(min(at, key=lambda i: self.parents[i][0])),
            meters=meters,
            score=self._score_range(at, scene.ending.tone),
        )

    def _interval(self, state: int) -> tuple[Point, Point]:
        value = self.intervals[state]
        assert value is not None  # every analysed state is reachable from the start
        return value

    def _score_range(self, at: Iterable[int], tone: Tone) -> Range:
        if self.frontiers is None:
            lows = [self._interval(i)[0] for i in at]
            highs = [self._interval(i)[1] for i in at]
            low = min(score_for(Meters(*p), tone) for p in lows)
            return Range(low, max(score_for(Meters(*p), tone) for p in highs))
        scores_high: list[int] = []
        scores_low: list[int] = []
        for i in at:
            value = self.frontiers[i]
            assert value is not None
            scores_high.extend(score_for(Meters(*p), tone) for p in value[0])
            scores_low.extend(score_for(Meters(*p), tone) for p in value[1])
        return Range(min(scores_low), max(scores_high))

    def _path_to(self, state: int) -> tuple[str, ...]:
        path: list[str] = []
        while state != 0:
            _, parent, choice = self.parents[state]
            path.append(choice)
            state = parent
        return tuple(reversed(path))

    def choices(self) -> Iterable[ChoiceReport]:
        offered = {(self.states[i][0], choice) for i, out in enumerate(self.successors) for choice, _ in out}
        occurrences = self._occurrences() if self.ways is not None else None
        repeating = _scenes_on_cycles(self.scenario) if self.ways is not None else set()
        for scene_id, scene in self.scenario.scenes.items():
            for choice in scene.choices:
                key = (scene_id, choice.key)
                counts: tuple[tuple[Tone, int], ...] | None = None
                if occurrences is not None:
                    if scene_id in repeating:
                        # A path may pass this scene more than once: count paths that take the choice
                        # at least once as all paths minus those that never take it.
                        assert self.ways is not None
                        totals = self._paths_by_tone(self.ways)
                        avoiding = self._paths_by_tone(self._ways(skip=key))
                        counts = tuple((t, totals[t] - avoiding[t]) for t in TONES)
                    else:
                        counts = tuple((t, occurrences.get((key, t), 0)) for t in TONES)
                yield ChoiceReport(scene_id, choice.key, key in offered, counts)

    def _occurrences(self) -> dict[tuple[tuple[str, str], Tone], int]:
        """Per (scene, choice) and tone: how many times the choice is taken, summed over all paths."""
        assert self.order is not None and self.ways is not None
        onward: dict[Tone, list[int]] = {}
        for tone in TONES:
            counts = [0] * len(self.states)
            for i in reversed(self.order):
                own = 1 if self.tone_of.get(self.states[i][0]) == tone else 0
                counts[i] = own + sum(counts[j] for _, j in self.successors[i])
            onward[tone] = counts
        found: dict[tuple[tuple[str, str], Tone], int] = {}
        for i, out in enumerate(self.successors):
            scene = self.states[i][0]
            for choice, j in out:
                for tone in TONES:
                    n = self.ways[i] * onward[tone][j]
                    if n:
                        key = ((scene, choice), tone)
                        found[key] = found.get(key, 0) + n
        return found


class _TooLarge(Exception):
    """A score frontier outgrew MAX_FRONTIER."""


def play_policy(scenario: Scenario, policy: Policy) -> PolicyOutcome:
    """Play the scenario as a one-sided player would: the same rule at every scene, no timers."""
    engine = Engine(scenario, Catalogue([]))
    state = engine.start()
    path: list[str] = []
    seen: set[tuple[str, tuple[str, ...], tuple[int, ...]]] = set()
    stopped = None
    while not engine.is_over(state):
        key = (state.scene, state.flags, tuple(state.meters[m] for m in METER_NAMES))
        if key in seen or len(path) >= MAX_POLICY_STEPS:
            stopped = f"goes round in circles from scene {state.scene!r}"
            break
        seen.add(key)
        available = engine.available(state)
        if not available:
            stopped = f"stuck in scene {state.scene!r}: no choice is available"
            break
        choice = policy.pick(available)
        path.append(choice.key)
        state = engine.choose(state, choice.key).state
    final = state.meter_values
    ending = engine.ending(state)
    return PolicyOutcome(
        policy=policy.name,
        description=policy.description,
        path=tuple(path),
        final=final,
        ending=state.scene if ending else None,
        title=ending.title if ending else None,
        tone=ending.tone if ending else None,
        score=score_for(final, ending.tone) if ending else None,
        stopped=stopped,
        warning=policy.warning if ending is not None and ending.tone == "good" else None,
    )


def _shift(point: Point, delta: Point) -> Point:
    return clamp(point[0] + delta[0]), clamp(point[1] + delta[1]), clamp(point[2] + delta[2])


def _join_interval(a: tuple[Point, Point], b: tuple[Point, Point]) -> tuple[Point, Point]:
    (alo, ahi), (blo, bhi) = a, b
    low = min(alo[0], blo[0]), min(alo[1], blo[1]), min(alo[2], blo[2])
    high = max(ahi[0], bhi[0]), max(ahi[1], bhi[1]), max(ahi[2], bhi[2])
    return low, high


def _upper(points: Iterable[Point]) -> frozenset[Point]:
    """The points no other point matches or beats on every meter (the Pareto-maximal ones)."""
    # Sweep in descending order: an earlier kept point is >= on the first meter, so a point is beaten
    # exactly when some kept point is >= on the other two. best[y] = highest third meter among kept
    # points whose second meter is at least y.
    best = [METER_MIN - 1] * (METER_MAX + 2)
    kept = []
    for point in sorted(set(points), reverse=True):
        _, y, z = point
        if best[y] >= z:
            continue
        kept.append(point)
        for k in range(y + 1):
            if best[k] < z:
                best[k] = z
    return frozenset(kept)


def _lower(points: Iterable[Point]) -> frozenset[Point]:
    """The points no other point matches or undercuts on every meter (the Pareto-minimal ones)."""
    top = METER_MAX + METER_MIN
    flipped = _upper((top - a, top - b, top - c) for a, b, c in points)
    return frozenset((top - a, top - b, top - c) for a, b, c in flipped)


def _propagate(
    successors: Successors,
    order: list[int] | None,
    seed: V,
    move: Callable[[int, str, V], V],
    join: Callable[[V, V], V],
) -> list[V | None]:
    """Push `seed` from state 0 along every edge, joining where paths meet, until nothing changes.

    With a topological order each state is settled once; with loops, a worklist runs to the fixed
    point, which exists because every value only grows within a finite range.
    """
    values: list[V | None] = [None] * len(successors)
    if not values:
        return values
    values[0] = seed
    if order is not None:
        for i in order:
            value = values[i]
            if value is None:
                continue
            for choice, j in successors[i]:
                moved = move(i, choice, value)
                old = values[j]
                values[j] = moved if old is None else join(old, moved)
        return values
    pending = deque([0])
    queued = {0}
    while pending:
        i = pending.popleft()
        queued.discard(i)
        value = values[i]
        assert value is not None
        for choice, j in successors[i]:
            moved = move(i, choice, value)
            old = values[j]
            new = moved if old is None else join(old, moved)
            if new != old:
                values[j] = new
                if j not in queued:
                    queued.add(j)
                    pending.append(j)
    return values


def _shortest_tree(successors: Successors) -> list[tuple[int, int, str]]:
    """Breadth-first from the start: per state (depth, parent state, choice taken from the parent)."""
    parents: list[tuple[int, int, str]] = [(-1, -1, "")] * len(successors)
    if not parents:
        return parents
    parents[0] = (0, 0, "")
    queue = deque([0])
    while queue:
        i = queue.popleft()
        depth = parents[i][0]
        for choice, j in successors[i]:
            if parents[j][0] < 0:
                parents[j] = (depth + 1, i, choice)
                queue.append(j)
    return parents


def _scenes_on_cycles(scenario: Scenario) -> set[str]:
    """Scenes a playthrough could in principle visit twice: those on a loop of `next` links."""
    links = {
        sid: {c.next for c in scene.choices if c.next in scenario.scenes}
        for sid, scene in scenario.scenes.items()
    }
    # Peel off scenes no loop passes through (Kahn's algorithm); most stories are left with none.
    indegree = dict.fromkeys(links, 0)
    for targets in links.values():
        for target in targets:
            indegree[target] += 1
    queue = deque(sid for sid, d in indegree.items() if d == 0)
    while queue:
        for target in links.pop(queue.popleft()):
            indegree[target] -= 1
            if indegree[target] == 0:
                queue.append(target)
    on_cycles: set[str] = set()
    for origin in links:
        seen: set[str] = set()
        queue = deque(links[origin])
        while queue:
            scene = queue.popleft()
            if scene == origin:
                on_cycles.add(origin)
                break
            if scene not in seen and scene in links:
                seen.add(scene)
                queue.extend(links[scene])
    return on_cycles
