"""Exact analysis of a scenario's story graph: reachability, dead ends, loops and impossible conditions.

"Exact" means every reachable game state is accounted for, not a sample of playthroughs. Three things
keep that affordable on large files:

* A state keeps only what can still change which choices are offered. A flag or meter that no
  condition can test again from a scene on (classic live-variable analysis, with a choice's `sets`
  and `clears` overwriting a flag) is dropped there, so states that behave the same are one state.
* The values of one compared meter (the "lead" meter) are held as a 101-bit integer, one bit per
  value 0..100, so a choice moves every value at once with a shift and a clamp, not one at a time.
* Paths are counted over the state graph, never enumerated: 10^15 playthroughs cost no more than
  the handful of states they pass through.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from game.scenario.errors import KeyPath, Severity
from game.scenario.models import OPERATORS, Choice, Scenario
from scoring.meters import METER_MAX, METER_NAMES, clamp

# Past this many states the analysis stops and says so rather than hang on a pathological file: about
# half a second of work. Authored stories have hundreds; only a file built to explode gets here.
MAX_STATES = 50_000

FULL = (1 << (METER_MAX + 1)) - 1
Key = tuple[str, int, tuple[int, ...]]  # scene, live flags, values of the other live compared meters
UNTRACKED = -1  # the value kept for a meter no condition can test again


@dataclass(frozen=True, slots=True)
class Finding:
    path: KeyPath
    message: str
    severity: Severity = "error"


def _span(low: int, high: int) -> int:
    low, high = max(low, 0), min(high, METER_MAX)
    return ((1 << (high - low + 1)) - 1) << low if low <= high else 0


def _values_where(op: str, bound: int) -> int:
    """The bitset of meter values for which `value op bound` holds."""
    return {
        ">=": _span(bound, METER_MAX),
        ">": _span(bound + 1, METER_MAX),
        "<=": _span(0, bound),
        "<": _span(0, bound - 1),
        "==": _span(bound, bound),
    }[op]


def shift(bits: int, delta: int) -> int:
    """Every value in `bits` moved by `delta` and clamped to 0..100."""
    if delta > 0:
        moved = bits << delta
        return (moved & FULL) | ((1 << METER_MAX) if moved >> (METER_MAX + 1) else 0)
    if delta < 0:
        return (bits >> -delta) | (1 if bits & ((1 << -delta) - 1) else 0)
    return bits


def preimage(bits: int, delta: int) -> int:
    """The values that `shift(·, delta)` sends into `bits`."""
    if delta > 0:
        top = _span(METER_MAX - delta, METER_MAX) if bits >> METER_MAX & 1 else 0
        return (bits >> delta) | top
    if delta < 0:
        bottom = _span(0, -delta) if bits & 1 else 0
        return ((bits << -delta) & FULL) | bottom
    return bits


def _lowest(bits: int) -> int:
    return (bits & -bits).bit_length() - 1


@dataclass(slots=True)
class _Edge:
    choice: Choice
    required: int
    forbidden: int
    lead_values: int
    other_tests: tuple[tuple[int, str, int], ...]
    sets: int
    clears: int
    lead_delta: int
    other_deltas: tuple[int, ...]
    next: str

    def open_for(self, flags: int, others: tuple[int, ...]) -> bool:
        """Whether the flag and non-lead meter parts of the condition hold (the lead part is a bitset)."""
        return (
            flags & self.required == self.required
            and not flags & self.forbidden
            and all(OPERATORS[op](others[i], bound) for i, op, bound in self.other_tests)
        )


class _Story:
    """The scenario compiled for analysis: edges with bitmasks and the live flags and meters per scene."""

    def __init__(
        self,
        scenario: Scenario,
        tested_flags: tuple[str, ...],
        compared: tuple[str, ...],
        *,
        bitset_lead: bool = True,
    ) -> None:
        self.scenario = scenario
        self.flag_names = tested_flags
        # Without a bitset lead every compared meter is explicit, so each key is one concrete state.
        self.lead = compared[0] if compared and bitset_lead else None
        self.others = compared[1:] if self.lead else compared
        bit = {flag: 1 << n for n, flag in enumerate(tested_flags)}
        self.flag_bit = bit
        self.edges: dict[str, list[_Edge]] = {
            scene_id: [self._edge(choice) for choice in scene.choices]
            for scene_id, scene in scenario.scenes.items()
        }
        self.order = self._scene_order()
        self.live_flags, self.live_meters = self._liveness()

    def _mask(self, flags: Iterable[str]) -> int:
        return sum(self.flag_bit.get(flag, 0) for flag in set(flags))

    def _edge(self, choice: Choice) -> _Edge:
        condition = choice.condition
        comparisons = condition.comparisons() if condition else []
        lead_values = FULL
        for meter, op, bound in comparisons:
            if meter == self.lead:
                lead_values &= _values_where(op, bound)
        deltas = choice.effects.deltas() if choice.effects else {}
        return _Edge(
            choice=choice,
            required=self._mask(condition.flags) if condition else 0,
            forbidden=self._mask(condition.not_flags) if condition else 0,
            lead_values=lead_values,
            other_tests=tuple(
                (self.others.index(m), op, bound) for m, op, bound in comparisons if m in self.others
            ),
            sets=self._mask(choice.sets),
            clears=self._mask(choice.clears),
            lead_delta=deltas.get(self.lead, 0) if self.lead else 0,
            other_deltas=tuple(deltas.get(m, 0) for m in self.others),
            next=choice.next,
        )

    def _liveness(self) -> tuple[dict[str, int], dict[str, frozenset[str]]]:
        """Per scene: the flags (as a mask) and meters some condition may still test from there on."""
        flags_used: dict[str, int] = {}
        meters_used: dict[str, frozenset[str]] = {}
        for scene_id, edges in self.edges.items():
            flags_used[scene_id] = 0
            for edge in edges:
                flags_used[scene_id] |= edge.required | edge.forbidden
            meters_used[scene_id] = frozenset(
                m
                for choice in self.scenario.scenes[scene_id].choices
                if choice.condition
                for m, _, _ in choice.condition.comparisons()
            )
        live_flags, live_meters = dict(flags_used), dict(meters_used)
        callers: dict[str, set[str]] = {scene_id: set() for scene_id in self.edges}
        for scene_id, edges in self.edges.items():
            for edge in edges:
                callers[edge.next].add(scene_id)
        # Latest scenes first, so one pass settles a story without loops; loops re-queue callers.
        work = sorted(self.edges, key=self.order.__getitem__, reverse=True)
        queued = set(work)
        work.reverse()
        while work:
            scene_id = work.pop()
            queued.discard(scene_id)
            flags, meters = live_flags[scene_id], live_meters[scene_id]
            for edge in self.edges[scene_id]:
                flags |= live_flags[edge.next] & ~(edge.sets | edge.clears)
                meters |= live_meters[edge.next]
            if flags != live_flags[scene_id] or meters != live_meters[scene_id]:
                live_flags[scene_id], live_meters[scene_id] = flags, meters
                for caller in callers[scene_id] - queued:
                    queued.add(caller)
                    work.append(caller)
        return live_flags, live_meters

    def _scene_order(self) -> dict[str, int]:
        """Reverse post-order from the start: a topological order when the story has no loops, so
        each state is expanded once, after every way into it has delivered its meter values."""
        order: list[str] = []
        seen = {self.scenario.start}
        stack = [(self.scenario.start, iter(self.edges[self.scenario.start]))]
        while stack:
            scene_id, pending = stack[-1]
            edge = next(pending, None)
            if edge is None:
                order.append(scene_id)
                stack.pop()
            elif edge.next not in seen:
                seen.add(edge.next)
                stack.append((edge.next, iter(self.edges[edge.next])))
        rank = {scene_id: n for n, scene_id in enumerate(reversed(order))}
        return {scene_id: rank.get(scene_id, len(rank)) for scene_id in self.edges}

    def lead_live(self, scene_id: str) -> bool:
        return self.lead is not None and self.lead in self.live_meters[scene_id]

    def start(self) -> tuple[Key, int]:
        meters = self.scenario.meters.as_dict()
        scene = self.scenario.start
        key = (scene, 0, self._others_at(scene, tuple(meters[m] for m in self.others)))
        bits = (1 << meters[self.lead]) if self.lead and self.lead_live(scene) else 1
        return key, bits

    def _others_at(self, scene_id: str, values: tuple[int, ...]) -> tuple[int, ...]:
        if not values:
            return values
        live = self.live_meters[scene_id]
        return tuple(v if m in live else UNTRACKED for m, v in zip(self.others, values, strict=True))

    def follow(self, key: Key, edge: _Edge, bits: int) -> tuple[Key, int]:
        """Where `edge` leads from `key` for the lead-meter values in `bits` (already filtered)."""
        _scene, flags, others = key
        target = edge.next
        moved = tuple(
            UNTRACKED if v == UNTRACKED else clamp(v + d)
            for v, d in zip(others, edge.other_deltas, strict=True)
        )
        new_key = (
            target,
            ((flags | edge.sets) & ~edge.clears) & self.live_flags[target],
            self._others_at(target, moved),
        )
        new_bits = shift(bits, edge.lead_delta) if self.lead_live(target) else 1
        return new_key, new_bits

    def describe(self, key: Key, bits: int) -> str:
        _, flags, others = key
        parts = []
        if self.lead and self.lead_live(key[0]):
            parts.append(f"{self.lead} {_lowest(bits)}")
        parts.extend(f"{m} {v}" for m, v in zip(self.others, others, strict=True) if v != UNTRACKED)
        held = [flag for n, flag in enumerate(self.flag_names) if flags >> n & 1]
        parts.append(f"flags {{{', '.join(held)}}}" if held else "no flags set")
        return ", ".join(parts)


@dataclass
class Analysis:
    scenario: Scenario
    findings: list[Finding] = field(default_factory=list)
    tested_flags: tuple[str, ...] = ()
    tested_meters: tuple[str, ...] = ()
    reachable_scenes: set[str] = field(default_factory=set)
    offered: set[tuple[str, str]] = field(default_factory=set)
    complete: bool = True

    @cached_property
    def graph(self) -> StateGraph:
        """The explicit state graph, built on first use (counting paths needs it; checking does not)."""
        return StateGraph.build(self.scenario, self.tested_flags, self.tested_meters)

    @property
    def states(self) -> list[Key]:
        return self.graph.states

    @property
    def successors(self) -> list[list[tuple[str, int]]]:
        return self.graph.successors

    def paths_to_endings(self, scenario: Scenario | None = None) -> dict[str, int] | None:
        return self.graph.paths_to_endings()


def analyse(scenario: Scenario) -> Analysis:
    """Everything `tightrope check` reports beyond the loader's per-file rules."""
    tested_flags, never_set = _flag_findings(scenario)
    compared = {
        meter
        for choice in _choices(scenario)
        if choice.condition
        for meter, _, _ in choice.condition.comparisons()
    }
    analysis = Analysis(
        scenario,
        tested_flags=tested_flags,
        tested_meters=tuple(m for m in METER_NAMES if m in compared),
    )
    analysis.findings.extend(_structural(scenario))
    analysis.findings.extend(never_set)
    analysis.findings.extend(_explore(_Story(scenario, tested_flags, analysis.tested_meters), analysis))
    return analysis


def _choices(scenario: Scenario) -> Iterator[Choice]:
    for scene in scenario.scenes.values():
        yield from scene.choices


def _closure(origins: Iterable[str], neighbours: Callable[[str], Iterable[str]]) -> set[str]:
    seen = set(origins)
    queue = deque(seen)
    while queue:
        for other in neighbours(queue.popleft()):
            if other not in seen:
                seen.add(other)
                queue.append(other)
    return seen


def _structurally_reachable(scenario: Scenario) -> set[str]:
    return _closure([scenario.start], lambda s: (c.next for c in scenario.scenes[s].choices))


def _structural(scenario: Scenario) -> Iterator[Finding]:
    seen = _structurally_reachable(scenario)
    for scene_id in scenario.scenes:
        if scene_id not in seen:
            yield Finding(
                ("scenes", scene_id),
                f"scene {scene_id!r} cannot be reached from the start: no choice leads to it",
            )


def _flag_findings(scenario: Scenario) -> tuple[tuple[str, ...], list[Finding]]:
    set_somewhere = {flag for choice in _choices(scenario) for flag in choice.sets}
    tested: dict[str, None] = {}
    findings = []
    for scene_id, scene in scenario.scenes.items():
        for n, choice in enumerate(scene.choices):
            if choice.condition is None:
                continue
            for key in ("flags", "not_flags"):
                for k, flag in enumerate(getattr(choice.condition, key)):
                    tested[flag] = None
                    if flag not in set_somewhere:
                        findings.append(
                            Finding(
                                ("scenes", scene_id, "choices", n, "if", key, k),
                                f"flag {flag!r} is tested here but no choice sets it: "
                                "add it to some choice's `sets`, or fix the spelling",
                            )
                        )
    return tuple(tested), findings


def _explore(story: _Story, analysis: Analysis) -> Iterator[Finding]:
    """Forward: every reachable state and offered choice. Backward: which states can still finish."""
    scenario = story.scenario
    start_key, start_bits = story.start()
    reached: dict[Key, int] = {start_key: start_bits}
    pending: dict[Key, int] = {start_key: start_bits}
    queue: list[tuple[int, int, Key]] = [(0, 0, start_key)]
    links: dict[Key, list[tuple[_Edge, Key]]] = {}
    while queue:
        key = heapq.heappop(queue)[2]
        new_bits = pending.pop(key, 0)
        if not new_bits:
            continue
        out = links.setdefault(key, [])
        known_targets = {(id(edge), target) for edge, target in out}
        for edge in story.edges[key[0]]:
            if not edge.open_for(key[1], key[2]):
                continue
            bits = new_bits & edge.lead_values
            if not bits:
                continue
            analysis.offered.add((key[0], edge.choice.key))
            target, target_bits = story.follow(key, edge, bits)
            if (id(edge), target) not in known_targets:
                known_targets.add((id(edge), target))
                out.append((edge, target))
            fresh = target_bits & ~reached.get(target, 0)
            if fresh:
                if target not in reached and len(reached) >= MAX_STATES:
                    analysis.complete = False
                    yield Finding(
                        ("start",),
                        f"the story has more than {MAX_STATES:,} distinct states; only part was checked",
                        "warning",
                    )
                    return
                reached[target] = reached.get(target, 0) | fresh
                if target not in pending:
                    heapq.heappush(queue, (story.order[target[0]], len(reached), target))
                pending[target] = pending.get(target, 0) | fresh
    analysis.reachable_scenes = {key[0] for key in reached}
    yield from _unreachable_and_unoffered(scenario, analysis)

    endings = set(scenario.endings)
    dead_scenes: set[str] = set()
    for key, bits in reached.items():
        if key[0] in endings or key[0] in dead_scenes:
            continue
        covered = 0
        for edge in story.edges[key[0]]:
            if edge.open_for(key[1], key[2]):
                covered |= edge.lead_values
        stuck = bits & ~covered
        if stuck:
            dead_scenes.add(key[0])
            yield Finding(
                ("scenes", key[0], "choices"),
                f"dead end: in scene {key[0]!r} no choice is available with "
                f"{story.describe(key, stuck)}; add a choice without a condition",
            )

    if not endings & analysis.reachable_scenes:
        yield Finding(("start",), "no ending can be reached from the start")
        return
    finishing = _can_finish(story, reached, links, endings)
    reported = set(dead_scenes)
    for key, bits in reached.items():
        trapped = bits & ~finishing.get(key, 0)
        if key[0] in endings or not trapped or key[0] in reported:
            continue
        loop = sorted(
            _closure([key[0]], lambda s: (c.next for c in scenario.scenes[s].choices)) - endings - reported
        )
        reported.update(loop)
        yield Finding(
            ("scenes", key[0]),
            f"no ending can be reached from scene {key[0]!r} with {story.describe(key, trapped)}: "
            f"the story only loops through {', '.join(map(repr, loop))} (or runs into a dead end); "
            "give it a way out",
        )


def _can_finish(
    story: _Story, reached: dict[Key, int], links: dict[Key, list[tuple[_Edge, Key]]], endings: set[str]
) -> dict[Key, int]:
    """For each state, the lead-meter values from which some ending can still be reached."""
    incoming: dict[Key, list[tuple[Key, _Edge]]] = {}
    for key, out in links.items():
        for edge, target in out:
            incoming.setdefault(target, []).append((key, edge))
    finishing = {key: bits for key, bits in reached.items() if key[0] in endings}
    queue = deque(finishing)
    while queue:
        target = queue.popleft()
        good = finishing[target]
        for key, edge in incoming.get(target, ()):
            back = preimage(good, edge.lead_delta) if story.lead_live(target[0]) else FULL
            bits = reached[key] & edge.lead_values & back & ~finishing.get(key, 0)
            if bits:
                finishing[key] = finishing.get(key, 0) | bits
                queue.append(key)
    return finishing


def _unreachable_and_unoffered(scenario: Scenario, analysis: Analysis) -> Iterator[Finding]:
    structurally_reachable = _structurally_reachable(scenario)
    for scene_id, scene in scenario.scenes.items():
        if scene_id not in analysis.reachable_scenes:
            if scene_id in structurally_reachable:
                yield Finding(
                    ("scenes", scene_id),
                    f"scene {scene_id!r} can never be reached: every choice leading to it has a "
                    "condition that cannot hold on the way there",
                    "warning",
                )
            continue
        for n, choice in enumerate(scene.choices):
            if choice.condition is not None and (scene_id, choice.key) not in analysis.offered:
                yield Finding(
                    ("scenes", scene_id, "choices", n, "if"),
                    f"choice {choice.key!r} is never offered: its condition cannot hold "
                    "whenever the player is in this scene",
                    "warning",
                )


@dataclass
class StateGraph:
    """Every reachable state one by one, with its successors: what counting paths needs.

    A state is `(scene, live flags, values of the compared meters)`, a meter that is no longer live
    held as -1. Merging states that behave alike keeps a one-to-one match between paths here and
    distinct playthroughs.
    """

    scenario: Scenario
    states: list[Key] = field(default_factory=list)
    # successors[i] = [(scene choice id, successor state index), ...]
    successors: list[list[tuple[str, int]]] = field(default_factory=list)
    complete: bool = True

    @classmethod
    def build(
        cls, scenario: Scenario, tested_flags: tuple[str, ...], compared: tuple[str, ...]
    ) -> StateGraph:
        story = _Story(scenario, tested_flags, compared, bitset_lead=False)
        graph = cls(scenario)
        first, _ = story.start()
        index = {first: 0}
        graph.states.append(first)
        graph.successors.append([])
        cursor = 0
        while cursor < len(graph.states):
            key = graph.states[cursor]
            for edge in story.edges[key[0]]:
                if not edge.open_for(key[1], key[2]):
                    continue
                target, _ = story.follow(key, edge, 1)
                found = index.get(target)
                if found is None:
                    if len(graph.states) >= MAX_STATES:
                        graph.complete = False
                        return graph
                    found = index[target] = len(graph.states)
                    graph.states.append(target)
                    graph.successors.append([])
                graph.successors[cursor].append((edge.choice.key, found))
            cursor += 1
        return graph

    def paths_to_endings(self) -> dict[str, int] | None:
        """Distinct decision sequences from the start to each ending; None when a loop makes it unbounded."""
        order = topological_order(self.successors)
        if order is None or not self.complete:
            return None
        ways = [0] * len(self.states)
        ways[0] = 1
        for index in order:
            for _, successor in self.successors[index]:
                ways[successor] += ways[index]
        counts = dict.fromkeys(self.scenario.endings, 0)
        for index, (scene, _, _) in enumerate(self.states):
            if scene in counts:
                counts[scene] += ways[index]
        return counts


def topological_order(successors: list[list[tuple[str, int]]]) -> list[int] | None:
    """States in an order where every edge points forward; None when the graph has a loop."""
    indegree = [0] * len(successors)
    for out in successors:
        for _, j in out:
            indegree[j] += 1
    queue = deque(i for i, d in enumerate(indegree) if d == 0)
    order = []
    while queue:
        i = queue.popleft()
        order.append(i)
        for _, j in successors[i]:
            indegree[j] -= 1
            if indegree[j] == 0:
                queue.append(j)
    return order if len(order) == len(successors) else None
