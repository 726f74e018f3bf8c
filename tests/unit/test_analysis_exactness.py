"""The fast analysis agrees with brute force: every concrete state, every meter value, no shortcuts."""

from __future__ import annotations

from collections import deque
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.analysis import analyse
from game.scenario import Scenario
from tests.unit.helpers import scenario_from

METERS = ("safety", "standards", "trust")
FLAGS = ("f", "g")


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(3, 7))
    names = [f"s{n}" for n in range(count)]
    endings = names[-draw(st.integers(1, 2)) :]
    scenes: dict[str, Any] = {}
    for name in names:
        if name in endings:
            scenes[name] = {"text": "e", "ending": {"title": name, "tone": "good"}}
            continue
        choices = []
        for _ in range(draw(st.integers(1, 3))):
            choice: dict[str, Any] = {"text": "c", "next": draw(st.sampled_from(names))}
            effects = {m: draw(st.integers(-30, 30)) for m in draw(st.sets(st.sampled_from(METERS)))}
            if effects:
                choice.update(effects=effects, why="w")
            condition: dict[str, Any] = {}
            for meter in draw(st.sets(st.sampled_from(METERS), max_size=2)):
                op = draw(st.sampled_from([">=", "<=", ">", "<", "=="]))
                condition[meter] = f"{op} {draw(st.integers(0, 100))}"
            if draw(st.booleans()):
                condition["flags"] = [draw(st.sampled_from(FLAGS))]
            if draw(st.booleans()):
                condition["not_flags"] = [draw(st.sampled_from(FLAGS))]
            if condition:
                choice["if"] = condition
            choice["sets"] = sorted(draw(st.sets(st.sampled_from(FLAGS), max_size=1)))
            choice["clears"] = sorted(draw(st.sets(st.sampled_from(FLAGS), max_size=1)))
            choices.append(choice)
        scenes[name] = {"text": "t", "choices": choices}
    # Every tested flag must be set somewhere for the file to be valid; make sure one choice sets both.
    scenes[names[0]]["choices"][0]["sets"] = list(FLAGS)
    start = {m: draw(st.integers(0, 100)) for m in METERS}
    return {"start": names[0], "meters": start, "scenes": scenes}


def brute_force(scenario: Scenario) -> tuple[set[str], set[tuple[str, str]], set[str], bool]:
    """Reachable scenes, offered choices, dead-end scenes, and whether any state can never finish."""
    start = (scenario.start, frozenset[str](), tuple(scenario.meters.as_dict()[m] for m in METERS))
    seen = {start}
    queue = deque([start])
    edges: dict[Any, list[Any]] = {}
    offered: set[tuple[str, str]] = set()
    dead: set[str] = set()
    while queue:
        state = queue.popleft()
        scene_id, flags, values = state
        meters = dict(zip(METERS, values, strict=True))
        scene = scenario.scenes[scene_id]
        out = edges.setdefault(state, [])
        available = [c for c in scene.choices if c.available(meters, flags)]
        if not scene.is_ending and not available:
            dead.add(scene_id)
        for choice in available:
            offered.add((scene_id, choice.key))
            deltas = choice.effects.deltas() if choice.effects else {}
            moved = tuple(max(0, min(100, meters[m] + deltas.get(m, 0))) for m in METERS)
            target = (choice.next, frozenset((flags | set(choice.sets)) - set(choice.clears)), moved)
            out.append(target)
            if target not in seen:
                seen.add(target)
                queue.append(target)
    finishing = {s for s in seen if scenario.scenes[s[0]].is_ending}
    changed = True
    while changed:
        changed = False
        for state in seen - finishing:
            if any(t in finishing for t in edges[state]):
                finishing.add(state)
                changed = True
    stuck = any(s not in finishing and s[0] not in dead for s in seen)
    return {s[0] for s in seen}, offered, dead, stuck


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_analysis_matches_brute_force(data: dict[str, Any]) -> None:
    scenario = scenario_from(data)
    analysis = analyse(scenario)
    reachable, offered, dead, stuck = brute_force(scenario)
    assert analysis.reachable_scenes == reachable
    assert analysis.offered == offered
    dead_found = {f.path[1] for f in analysis.findings if f.message.startswith("dead end")}
    assert dead_found == dead
    loop_found = any("the story only loops" in f.message for f in analysis.findings)
    no_ending = any(f.message == "no ending can be reached from the start" for f in analysis.findings)
    if not no_ending:
        trapped_beyond_dead_ends = stuck
        assert loop_found == trapped_beyond_dead_ends
