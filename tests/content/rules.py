"""Measurements behind the shipped-content rules (issue 5): exact over every reachable state, never sampled.

Two graphs are used. `game.analysis`'s state graph keeps exactly what decides which choices are offered,
so a state's successors are the choices available there: decisions and paths are measured on it. Zones
need the real meter values, which that graph drops once no condition tests them, so `endings_reached`
walks every reachable (scene, flags, meters) with the engine itself.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from game.analysis import Analysis
from game.engine import Engine, RunState
from game.library import check_file
from game.scenario.errors import KeyPath
from game.scenario.loader import Loaded
from game.scenario.models import Choice, Scenario, Scene
from scoring import Catalogue, Meters
from scoring.meters import METER_NAMES

# A shipped story is a few thousand states; more than this means a file has gone badly wrong.
MAX_FULL_STATES = 200_000
# Where a sentence ends: . ! or ? (runs count once), perhaps closed by a quote or bracket, then the end
# of the text or a space before anything but a lowercase letter, so "3 a.m. she" is one sentence.
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’)\]]*(?:$|\s+(?![a-z]))")
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Shipped:
    """One shipped file, loaded and analysed once for all the tests that measure it."""

    path: Path
    loaded: Loaded
    scenario: Scenario
    analysis: Analysis

    @property
    def name(self) -> str:
        return self.path.name

    def at(self, key_path: KeyPath, message: str) -> str:
        """`message` prefixed with the file:line:col of `key_path`, so an author can jump to it."""
        where = self.loaded.problem(key_path, message)
        return f"{where.file}:{where.line}:{where.column}: {message}"

    def choice_at(self, scene_id: str, choice_id: str, message: str) -> str:
        index = next(n for n, c in enumerate(self.scenario.scenes[scene_id].choices) if c.key == choice_id)
        return self.at(("scenes", scene_id, "choices", index), message)


@cache
def shipped(path: Path) -> Shipped | None:
    """The loaded and analysed file, or None when it does not load (the strict-check test says why)."""
    checked = check_file(path)
    scenario = checked.loaded.scenario
    if scenario is None or checked.analysis is None:
        return None
    return Shipped(path, checked.loaded, scenario, checked.analysis)


# --- effects -----------------------------------------------------------------------------------------


def deltas(choice: Choice) -> dict[str, int]:
    return choice.effects.deltas() if choice.effects else {}


def is_trade_off(choice: Choice) -> bool:
    """Raises one meter while lowering another."""
    values = deltas(choice).values()
    return any(v > 0 for v in values) and any(v < 0 for v in values)


def total_effect(choice: Choice) -> int:
    return sum(deltas(choice).values())


def offered_choices(item: Shipped) -> Iterator[tuple[str, Choice]]:
    """(scene id, choice) for every choice some playthrough is offered."""
    for scene_id, scene in item.scenario.scenes.items():
        for choice in scene.choices:
            if (scene_id, choice.key) in item.analysis.offered:
                yield scene_id, choice


def meters_moved(item: Shipped) -> set[str]:
    """The meters some offered choice changes."""
    return {meter for _, choice in offered_choices(item) for meter, v in deltas(choice).items() if v}


# --- decisions over the state graph ------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """A reachable state where the player has at least two choices: its scene and the choices offered."""

    scene: str
    offered: tuple[str, ...]


def decisions(item: Shipped) -> set[Decision]:
    """Every distinct decision a playthrough can meet (states offering the same choices count once)."""
    graph = item.analysis.graph
    return {
        Decision(graph.states[i][0], tuple(choice for choice, _ in out))
        for i, out in enumerate(graph.successors)
        if len(out) >= 2
    }


@dataclass(frozen=True)
class FewestDecisions:
    count: int
    """The fewest decisions any playthrough from the start to an ending meets."""
    path: tuple[tuple[str, str], ...]
    """One such playthrough, as (scene, choice) steps."""


def fewest_decisions(item: Shipped) -> FewestDecisions | None:
    """Minimum over all paths to an ending of the decision states visited; None when no ending is reached.

    A shortest-path search where leaving a decision state costs 1 and any other state 0 (0-1 BFS), so it
    is exact over the whole state graph, loops included.
    """
    graph = item.analysis.graph
    assert graph.complete, f"{item.name}: the state graph is too large to measure exactly"
    endings = set(item.scenario.endings)
    cost: list[int | None] = [None] * len(graph.states)
    parent: list[tuple[int, str] | None] = [None] * len(graph.states)
    cost[0] = 0
    queue = deque([0])
    while queue:
        i = queue.popleft()
        here = cost[i]
        assert here is not None
        step = 1 if len(graph.successors[i]) >= 2 else 0
        for choice, j in graph.successors[i]:
            there = cost[j]
            if there is None or here + step < there:
                cost[j] = here + step
                parent[j] = (i, choice)
                if step:
                    queue.append(j)
                else:
                    queue.appendleft(j)
    finished = [i for i, (scene, _, _) in enumerate(graph.states) if scene in endings and cost[i] is not None]
    if not finished:
        return None
    best = min(finished, key=lambda i: cost[i] or 0)
    path: list[tuple[str, str]] = []
    at = best
    while (link := parent[at]) is not None:
        at, choice = link
        path.append((graph.states[at][0], choice))
    return FewestDecisions(cost[best] or 0, tuple(reversed(path)))


# --- real meters: every reachable state, played by the engine ----------------------------------------


def endings_reached(scenario: Scenario) -> set[tuple[str, Meters]]:
    """(ending scene, final meters) for every distinct way a playthrough can finish."""
    engine = Engine(scenario, Catalogue([]))

    def key(state: RunState) -> tuple[str, tuple[str, ...], tuple[int, ...]]:
        return state.scene, state.flags, tuple(state.meters[m] for m in METER_NAMES)

    start = engine.start()
    seen = {key(start)}
    queue = deque([start])
    finished: set[tuple[str, Meters]] = set()
    while queue:
        state = queue.popleft()
        if engine.is_over(state):
            finished.add((state.scene, state.meter_values))
            continue
        for choice in engine.available(state):
            after = replace(engine.choose(state, choice.key).state, history=())
            if key(after) not in seen:
                assert len(seen) < MAX_FULL_STATES, f"{scenario.id}: too many states to explore exactly"
                seen.add(key(after))
                queue.append(after)
    return finished


# --- text --------------------------------------------------------------------------------------------


def sentence_ends(text: str) -> int:
    """How many sentences `text` ends, counting a run like `?!` or `...` once and skipping `a.m. she`."""
    return len(_SENTENCE_END.findall(text.strip()))


def normalise(text: str) -> str:
    """Lowercase words separated by single spaces: punctuation, case and line breaks do not matter."""
    return " ".join(_WORD.findall(text.lower()))


def authored_texts(scenario: Scenario) -> Iterator[tuple[KeyPath, str]]:
    """Every piece of prose a player or facilitator reads, with where it sits in the file."""
    yield ("title",), scenario.title
    yield ("summary",), scenario.summary
    yield ("role",), scenario.role
    for n, question in enumerate(scenario.discussion):
        yield ("discussion", n), question
    for scene_id, scene in scenario.scenes.items():
        if scene.title:
            yield ("scenes", scene_id, "title"), scene.title
        yield ("scenes", scene_id, "text"), scene.text
        if scene.ending:
            yield ("scenes", scene_id, "ending", "title"), scene.ending.title
        for n, choice in enumerate(scene.choices):
            yield ("scenes", scene_id, "choices", n, "text"), choice.text
            if choice.why:
                yield ("scenes", scene_id, "choices", n, "why"), choice.why


# --- where the best answer sits, across the set ------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where the best choice (largest safety + standards + trust) sits in one scene with 2+ choices."""

    file: str
    scene: str
    best: str
    first: bool
    """The best choice is listed first."""
    longest: bool
    """No other choice's text is longer than the best one's (a tie for longest counts as longest)."""


def placements(scenario: Scenario, file: str) -> Iterator[Placement]:
    for scene_id, scene in scenario.scenes.items():
        if len(scene.choices) >= 2:
            yield _placement(scene, scene_id, file)


def _placement(scene: Scene, scene_id: str, file: str) -> Placement:
    # max() keeps the first of equals, so a tie for best is judged by the earliest listed.
    best = max(scene.choices, key=total_effect)
    return Placement(
        file=file,
        scene=scene_id,
        best=best.key,
        first=best is scene.choices[0],
        longest=len(best.text) == max(len(c.text) for c in scene.choices),
    )
