"""The engine as a pure state machine: moves, conditions, flags, timers, replay and rewind."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from game.engine import ChoiceError, Engine
from game.scenario import Scenario, load_file
from scoring import Zone, load_catalogue
from tests.unit.helpers import choice, ending, scenario_from


@pytest.fixture
def tiny(tiny_path: Path) -> Scenario:
    scenario = load_file(tiny_path, load_catalogue()).scenario
    assert scenario is not None
    return scenario


def test_start_uses_the_scenario_meters_and_start_scene(tiny: Scenario) -> None:
    state = Engine(tiny).start()
    assert (state.scene, state.meters, state.flags, state.history) == (
        "first",
        {"safety": 45, "standards": 55, "trust": 50},
        (),
        (),
    )


def test_choice_unavailable_without_flag(tiny: Scenario) -> None:
    engine = Engine(tiny)
    after_blame = engine.choose(engine.start(), "blame").state
    assert [c.key for c in engine.available(after_blame)] == ["move-on"]
    with pytest.raises(ChoiceError, match="not available"):
        engine.choose(after_blame, "review")


def test_choice_available_after_flag_is_set(tiny: Scenario) -> None:
    engine = Engine(tiny)
    after_thanks = engine.choose(engine.start(), "thank").state
    assert after_thanks.flags == ("thanked",)
    assert [c.key for c in engine.available(after_thanks)] == ["review", "move-on"]


def test_unknown_choice_and_moves_after_the_end_are_errors(tiny: Scenario) -> None:
    engine = Engine(tiny)
    with pytest.raises(ChoiceError, match="has no choice 'nope'"):
        engine.choose(engine.start(), "nope")
    state = engine.choose(engine.choose(engine.start(), "thank").state, "review").state
    assert engine.is_over(state)
    with pytest.raises(ChoiceError, match="the run is over"):
        engine.choose(state, "review")


def test_a_full_run_reaches_a_debrief(tiny: Scenario) -> None:
    engine = Engine(tiny)
    state = engine.choose(engine.choose(engine.start(), "thank").state, "review").state
    debrief = engine.debrief(state)
    assert debrief.ending_title == "A team that learns"
    assert debrief.final.as_dict() == {"safety": 55, "standards": 60, "trust": 55}
    assert debrief.zone is Zone.LEARNING
    assert [r.choice_id for r in debrief.timeline] == ["thank", "review"]


def test_debrief_before_an_ending_is_an_error(tiny: Scenario) -> None:
    engine = Engine(tiny)
    with pytest.raises(ChoiceError, match="finished run"):
        engine.debrief(engine.start())


def test_state_replays_exactly_from_its_history(tiny: Scenario) -> None:
    engine = Engine(tiny)
    state = engine.choose(engine.start(), "thank", seconds=4.5).state
    assert engine.replay(state.history)[0] == state


def test_rewind_returns_the_state_before_a_decision(tiny: Scenario) -> None:
    engine = Engine(tiny)
    first = engine.start()
    done = engine.choose(engine.choose(first, "thank").state, "review").state
    assert engine.rewind(done, 0) == first
    branch = engine.choose(engine.rewind(done, 1), "move-on").state
    assert engine.debrief(branch).ending_tone == "poor"
    with pytest.raises(ChoiceError):
        engine.rewind(done, 3)


def test_replay_of_moves_the_scenario_no_longer_allows_is_an_error(tiny: Scenario) -> None:
    engine = Engine(tiny)
    state = engine.choose(engine.start(), "blame").state
    tampered = replace(state.history[0], choice="thank")
    moves = (tampered, replace(state.history[0], scene="first"))
    with pytest.raises(ChoiceError):
        engine.replay(moves)


def test_time_out_takes_the_on_timeout_choice_and_is_recorded() -> None:
    scenario = scenario_from(
        {
            "start": "a",
            "scenes": {
                "a": {
                    "text": "Quick!",
                    "timer": 10,
                    "on_timeout": "freeze",
                    "choices": [
                        choice("b", id="act"),
                        choice("c", id="freeze", effects={"trust": -5}, why="Silence costs trust."),
                    ],
                },
                "b": ending(),
                "c": ending("poor"),
            },
        }
    )
    engine = Engine(scenario)
    step = engine.time_out(engine.start())
    assert step.state.scene == "c"
    assert step.state.history[-1].timed_out
    assert engine.debrief(step.state).timeline[0].timed_out
    with pytest.raises(ChoiceError, match="no timer"):
        engine.time_out(step.state)


def test_clears_removes_a_flag_and_meter_conditions_gate_choices() -> None:
    scenario = scenario_from(
        {
            "start": "a",
            "meters": {"trust": 40},
            "scenes": {
                "a": {"text": "x", "choices": [choice("b", sets=["f"], effects={"trust": 20}, why="w")]},
                "b": {"text": "y", "choices": [choice("c", clears=["f"])]},
                "c": {
                    "text": "z",
                    "choices": [
                        choice("d", id="needs-flag", **{"if": {"flags": ["f"]}}),
                        choice("d", id="needs-trust", **{"if": {"trust": ">= 60"}}),
                        choice("d", id="no-flag", **{"if": {"not_flags": ["f"]}}),
                    ],
                },
                "d": ending(),
            },
        }
    )
    engine = Engine(scenario)
    state = engine.start()
    for choice_id in ("c1", "c1"):
        state = engine.choose(state, choice_id).state
    assert state.flags == ()
    assert [c.key for c in engine.available(state)] == ["needs-trust", "no-flag"]
