"""Exact analysis of a scenario's story graph: reachability, dead ends, traps and impossible conditions.

"Exact" means every reachable game state is visited, not a sample of playthroughs. A state is reduced
to what can change which choices are offered: the scene, the flags that some condition tests, and the
values of the meters that some condition compares. Flags nobody tests and meters nobody compares cannot
change what the player may do, so leaving them out keeps the state space small without losing
anything. Paths are counted over the resulting graph, so 10^15 distinct playthroughs cost no more than
the handful of states they pass through.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from game.scenario.errors import KeyPath, Severity
from game.scenario.models import OPERATORS, Choice, Scenario
from scoring.meters import METER_NAMES, clamp

# Past this many states the analysis stops and says so rather than hang on a pathological file.
MAX_STATES = 1_000_000

State = tuple[str, int, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class Finding:
    path: KeyPath
    message: str
    severity: Severity = "error"


@dataclass(slots=True)
class _Edge:
    choice: Choice
    index: int
    required: int
    forbidden: int
    comparisons: tuple[tuple[int, str, int], ...]
    sets: int
    clears: int
    deltas: tuple[int, ...]
    next: str

    def available(self, flags: int, values: tuple[int, ...]) -> bool:
        return (
            flags & self.required == self.required
            and not flags & self.forbidden
            and all(OPERATORS[op](values[i], bound) for i, op, bound in self.comparisons)
        )


@dataclass
class Analysis:
    findings: list[Finding] = field(default_factory=list)
    states: list[State] = field(default_factory=list)
    # successors[i] = [(scene choice id, successor state index), ...] for state i
    successors: list[list[tuple[str, int]]] = field(default_factory=list)
    tested_flags: tuple[str, ...] = ()
    tested_meters: tuple[str, ...] = ()
    complete: bool = True

    @property
    def reachable_scenes(self) -> set[str]:
        return {scene for scene, _, _ in self.states}

    def paths_to_endings(self, scenario: Scenario) -> dict[str, int] | None:
        """Distinct decision sequences from the start to each ending; None when a loop makes it unbounded."""
        order = _topological_order(self.successors)
        if order is None:
            return None
        ways = [0] * len(self.states)
        if ways:
            ways[0] = 1
        for index in order:
            for _, successor in self.successors[index]:
                ways[successor] += ways[index]
        counts = dict.fromkeys(scenario.endings, 0)
        for index, (scene, _, _) in enumerate(self.states):
            if scene in counts:
                counts[scene] += ways[index]
        return counts


def analyse(scenario: Scenario) -> Analysis:
    """Everything `tightrope check` reports beyond the loader's per-file rules."""
    analysis = Analysis()
    analysis.findings.extend(_structural(scenario))
    tested_flags, never_set = _flag_findings(scenario)
    analysis.findings.extend(never_set)
    analysis.tested_flags = tested_flags
    compared = {
        meter
        for choice in _choices(scenario)
        if choice.condition
        for meter, _, _ in choice.condition.comparisons()
    }
    analysis.tested_meters = tuple(m for m in METER_NAMES if m in compared)
    _explore(scenario, analysis)
    analysis.findings.extend(_semantic(scenario, analysis))
    return analysis


def _choices(scenario: Scenario) -> Iterator[Choice]:
    for scene in scenario.scenes.values():
        yield from scene.choices


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


def _compile(scenario: Scenario, analysis: Analysis) -> dict[str, list[_Edge]]:
    bit = {flag: 1 << n for n, flag in enumerate(analysis.tested_flags)}
    meter_index = {meter: n for n, meter in enumerate(analysis.tested_meters)}

    def mask(flags: list[str]) -> int:
        return sum(bit.get(flag, 0) for flag in set(flags))

    compiled: dict[str, list[_Edge]] = {}
    for scene_id, scene in scenario.scenes.items():
        edges = []
        for n, choice in enumerate(scene.choices):
            condition = choice.condition
            deltas = choice.effects.deltas() if choice.effects else {}
            edges.append(
                _Edge(
                    choice=choice,
                    index=n,
                    required=mask(condition.flags) if condition else 0,
                    forbidden=mask(condition.not_flags) if condition else 0,
                    comparisons=tuple((meter_index[m], op, v) for m, op, v in condition.comparisons())
                    if condition
                    else (),
                    sets=mask(choice.sets),
                    clears=mask(choice.clears),
                    deltas=tuple(deltas.get(m, 0) for m in analysis.tested_meters),
                    next=choice.next,
                )
            )
        compiled[scene_id] = edges
    return compiled


def _explore(scenario: Scenario, analysis: Analysis) -> None:
    compiled = _compile(scenario, analysis)
    start_meters = scenario.meters.model_dump()
    initial: State = (scenario.start, 0, tuple(start_meters[m] for m in analysis.tested_meters))
    index = {initial: 0}
    states, successors = analysis.states, analysis.successors
    states.append(initial)
    successors.append([])
    cursor = 0
    while cursor < len(states):
        scene, flags, values = states[cursor]
        out = successors[cursor]
        for edge in compiled[scene]:
            if not edge.available(flags, values):
                continue
            moved = tuple(clamp(v + d) for v, d in zip(values, edge.deltas, strict=True))
            target: State = (edge.next, (flags | edge.sets) & ~edge.clears, moved)
            found = index.get(target)
            if found is None:
                if len(states) >= MAX_STATES:
                    analysis.complete = False
                    return
                found = index[target] = len(states)
                states.append(target)
                successors.append([])
            out.append((edge.choice.key, found))
        cursor += 1


def _describe(analysis: Analysis, state: State) -> str:
    _, flags, values = state
    parts = [f"{meter} {value}" for meter, value in zip(analysis.tested_meters, values, strict=True)]
    held = [flag for n, flag in enumerate(analysis.tested_flags) if flags >> n & 1]
    parts.append(f"flags {{{', '.join(held)}}}" if held else "no flags set")
    return ", ".join(parts)


def _semantic(scenario: Scenario, analysis: Analysis) -> Iterator[Finding]:
    if not analysis.complete:
        yield Finding(
            ("start",),
            f"the story has more than {MAX_STATES:,} distinct states; only part of it was checked",
            "warning",
        )
        return
    states, successors = analysis.states, analysis.successors
    reached = analysis.reachable_scenes
    taken = {(states[i][0], choice) for i, out in enumerate(successors) for choice, _ in out}

    structurally_reachable = _structurally_reachable(scenario)
    for scene_id, scene in scenario.scenes.items():
        if scene_id in structurally_reachable and scene_id not in reached:
            yield Finding(
                ("scenes", scene_id),
                f"scene {scene_id!r} can never be reached: every choice leading to it has a "
                "condition that cannot hold on the way there",
                "warning",
            )
        if scene_id not in reached:
            continue
        for n, choice in enumerate(scene.choices):
            if choice.condition is not None and (scene_id, choice.key) not in taken:
                yield Finding(
                    ("scenes", scene_id, "choices", n, "if"),
                    f"choice {choice.key!r} is never offered: its condition cannot hold "
                    "whenever the player is in this scene",
                    "warning",
                )

    endings = set(scenario.endings)
    dead_end_scenes: set[str] = set()
    for i, (scene_id, _, _) in enumerate(states):
        if scene_id not in endings and not successors[i] and scene_id not in dead_end_scenes:
            dead_end_scenes.add(scene_id)
            yield Finding(
                ("scenes", scene_id, "choices"),
                f"dead end: in scene {scene_id!r} no choice is available with "
                f"{_describe(analysis, states[i])}; add a choice without a condition",
            )

    can_finish = _states_that_reach(successors, {i for i, s in enumerate(states) if s[0] in endings})
    if not any(s[0] in endings for s in states):
        yield Finding(("start",), "no ending can be reached from the start")
        return
    trapped: set[str] = set()
    for i, (scene_id, _, _) in enumerate(states):
        if i not in can_finish and successors[i] and scene_id not in trapped | dead_end_scenes:
            trapped.add(scene_id)
            yield Finding(
                ("scenes", scene_id),
                f"scene {scene_id!r} is part of a loop that can never reach an ending "
                f"(with {_describe(analysis, states[i])}): give the loop a way out",
            )


def _structurally_reachable(scenario: Scenario) -> set[str]:
    seen = {scenario.start}
    queue = deque([scenario.start])
    while queue:
        for choice in scenario.scenes[queue.popleft()].choices:
            if choice.next not in seen:
                seen.add(choice.next)
                queue.append(choice.next)
    return seen


def _states_that_reach(successors: list[list[tuple[str, int]]], targets: set[int]) -> set[int]:
    predecessors: list[list[int]] = [[] for _ in successors]
    for i, out in enumerate(successors):
        for _, j in out:
            predecessors[j].append(i)
    seen = set(targets)
    queue = deque(targets)
    while queue:
        for p in predecessors[queue.popleft()]:
            if p not in seen:
                seen.add(p)
                queue.append(p)
    return seen


def _topological_order(successors: list[list[tuple[str, int]]]) -> list[int] | None:
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
