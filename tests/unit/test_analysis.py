"""The story-graph analysis behind `tightrope check`: exact, state-aware, and fast on huge path counts."""

from __future__ import annotations

from typing import Any

from game.analysis import analyse
from tests.unit.helpers import choice, ending, scenario_from


def findings(scenes: dict[str, Any], **top: Any) -> list[tuple[str, str, str]]:
    scenario = scenario_from({"start": "a", "scenes": scenes, **top})
    return [(f.severity, ".".join(map(str, f.path)), f.message) for f in analyse(scenario).findings]


def test_clean_scenario_has_no_findings() -> None:
    assert (
        findings(
            {"a": {"text": "x", "choices": [choice("b"), choice("c")]}, "b": ending(), "c": ending("poor")}
        )
        == []
    )


def test_unreachable_scene_is_an_error() -> None:
    result = findings({"a": {"text": "x", "choices": [choice("b")]}, "b": ending(), "lost": ending()})
    assert result == [
        ("error", "scenes.lost", "scene 'lost' cannot be reached from the start: no choice leads to it")
    ]


def test_flag_tested_but_never_set_is_an_error() -> None:
    gated = choice("b", **{"if": {"flags": ["brave"]}})
    result = findings({"a": {"text": "x", "choices": [gated, choice("b")]}, "b": ending()})
    assert result[0][:2] == ("error", "scenes.a.choices.0.if.flags.0")
    assert "flag 'brave' is tested here but no choice sets it" in result[0][2]


def test_choice_whose_condition_never_holds_is_a_warning() -> None:
    # Trust starts at 50 and nothing raises it, so ">= 90" can never hold.
    hopeless = choice("b", **{"if": {"trust": ">= 90"}})
    result = findings({"a": {"text": "x", "choices": [hopeless, choice("b")]}, "b": ending()})
    assert result == [
        (
            "warning",
            "scenes.a.choices.0.if",
            "choice 'c1' is never offered: its condition cannot hold whenever the player is in this scene",
        )
    ]


def test_condition_reachable_only_through_earlier_gain_is_not_warned() -> None:
    raise_trust = choice("b", effects={"trust": 30}, why="Trust grows.")
    needs_trust = choice("c", **{"if": {"trust": ">= 80"}})
    scenes = {
        "a": {"text": "x", "choices": [raise_trust, choice("b")]},
        "b": {"text": "y", "choices": [needs_trust, choice("c")]},
        "c": ending(),
    }
    assert findings(scenes) == []


def test_dead_end_when_every_choice_is_gated_off() -> None:
    sets_flag = choice("b", sets=["ready"])
    scenes = {
        "a": {"text": "x", "choices": [sets_flag, choice("b")]},
        "b": {"text": "y", "choices": [choice("c", **{"if": {"flags": ["ready"]}})]},
        "c": ending(),
    }
    result = findings(scenes)
    assert result == [
        (
            "error",
            "scenes.b.choices",
            "dead end: in scene 'b' no choice is available with no flags set; "
            "add a choice without a condition",
        )
    ]


def test_loop_without_exit_is_an_error_but_loop_with_exit_is_fine() -> None:
    trap = {
        "a": {"text": "x", "choices": [choice("b"), choice("end")]},
        "b": {"text": "y", "choices": [choice("c")]},
        "c": {"text": "z", "choices": [choice("b")]},
        "end": ending(),
    }
    result = findings(trap)
    assert [r[1] for r in result] == ["scenes.b"]
    assert "no ending can be reached from scene 'b'" in result[0][2]
    assert "loops through 'b', 'c'" in result[0][2]

    escapable = dict(trap, c={"text": "z", "choices": [choice("b"), choice("end")]})
    assert findings(escapable) == []


def test_no_reachable_ending_is_an_error() -> None:
    scenes = {
        "a": {"text": "x", "choices": [choice("b", **{"if": {"safety": "> 90"}}), choice("a")]},
        "b": ending(),
    }
    messages = [r[2] for r in findings(scenes)]
    assert "no ending can be reached from the start" in messages


def test_scene_behind_impossible_condition_is_warned() -> None:
    scenes = {
        "a": {"text": "x", "choices": [choice("b", **{"if": {"standards": "< 10"}}), choice("c")]},
        "b": ending(),
        "c": ending(),
    }
    kinds = {(r[0], r[1]) for r in findings(scenes)}
    assert ("warning", "scenes.b") in kinds


def diamond_chain(layers: int) -> dict[str, Any]:
    scenes: dict[str, Any] = {}
    for n in range(layers):
        here, there = ("a" if n == 0 else f"s{n}"), (f"s{n + 1}" if n + 1 < layers else "end")
        scenes[here] = {
            "text": "x",
            "choices": [
                choice(there, effects={"trust": 1}, why="w"),
                choice(there, effects={"trust": -1}, why="w"),
            ],
        }
    scenes["end"] = ending()
    return scenes


def test_path_count_is_exact_for_huge_numbers_of_paths() -> None:
    scenario = scenario_from({"start": "a", "scenes": diamond_chain(60)})
    analysis = analyse(scenario)
    assert analysis.findings == []
    assert analysis.paths_to_endings(scenario) == {"end": 2**60}
    # Trust is never compared, so the state space stays one state per scene.
    assert len(analysis.states) == 61


def test_paths_are_unbounded_when_a_loop_can_exit() -> None:
    scenes = {"a": {"text": "x", "choices": [choice("a"), choice("b")]}, "b": ending()}
    scenario = scenario_from({"start": "a", "scenes": scenes})
    assert analyse(scenario).paths_to_endings(scenario) is None
