"""Achievements: every global one earned by the behaviour it names and not without it, on runs played
through the real engine; scenario achievements; hidden ones; the data files and the models agree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from game.engine import Engine, RunState
from game.offers import history_from_store, run_view, scenario_achievements
from game.scenario.contract import AchievementCondition
from game.store.base import DecisionRow, RunFinish, RunRow, RunStart
from scoring import History, Meters, RunView, Zone, load_achievements, load_catalogue
from scoring.achievements import (
    GLOBAL_ONLY,
    KEYS,
    Achievement,
    Condition,
    earned,
    held,
    newly_earned,
    parse_achievements,
    parse_condition,
    read_condition,
    showcase,
)
from scoring.history import sound
from tests.fixtures.achievements.runs import (
    ANXIOUS,
    BEST,
    COMFORT,
    TIMEOUT,
    WORST,
    play,
    play_state,
    rewound,
    scenario,
    shelf,
)
from tests.unit.helpers import scenario_from

Story = Callable[[], list[RunView]]
"""A player's finished runs, oldest first; the last one is judged."""


def extra(n: int) -> RunView:
    """A run of a one-scene scenario that is not on the shelf (a facilitator's own file)."""
    made = scenario_from(
        {
            "id": f"extra-{n}",
            "start": "go",
            "scenes": {
                "go": {"text": "Go.", "choices": [{"text": "Go", "next": "end"}]},
                "end": {"text": "End.", "ending": {"title": "End", "tone": "good"}},
            },
        }
    )
    engine = Engine(made)
    state = engine.choose(engine.start(), "c1").state
    return run_view(made, state)


# (achievement, a story whose last run earns it, a story whose last run does not)
CASES: dict[str, tuple[Story, Story]] = {
    "first-steps": (lambda: [play("drill", *BEST)], lambda: [play("drill", *BEST)] * 2),
    "practice-habit": (lambda: [play("quick", "ask")] * 10, lambda: [play("quick", "ask")] * 9),
    "wide-practice": (
        lambda: [play("drill", *BEST), play("quick", "ask"), play("fan", "e1"), extra(1), extra(2)],
        lambda: [play("drill", *BEST), play("quick", "ask"), play("fan", "e1"), extra(1), extra(1)],
    ),
    "full-course": (
        lambda: [play("drill", *WORST), play("quick", "rush"), play("fan", "e8")],
        lambda: [play("drill", *WORST), play("quick", "rush"), extra(1)],
    ),
    "learning-zone": (lambda: [play("drill", *BEST)], lambda: [play("drill", *COMFORT)]),
    "good-ending": (lambda: [play("drill", *ANXIOUS)], lambda: [play("drill", *COMFORT)]),
    "balanced-finish": (lambda: [play("drill", *BEST)], lambda: [play("drill", *ANXIOUS)]),
    "safe-ground": (lambda: [play("drill", *BEST)], lambda: [play("drill", *ANXIOUS)]),
    "bar-held": (lambda: [play("drill", *BEST)], lambda: [play("drill", *COMFORT)]),
    "never-dropped": (
        lambda: [play("drill", *BEST)],
        # Ends in the learning zone, but standards dipped to 35 on the way.
        lambda: [play("drill", "thank", "skip", "specific", "hold", "follow-up")],
    ),
    "steady-hand": (
        lambda: [play("drill", *COMFORT), *[play("quick", "ask")] * 3],
        lambda: [play("quick", "ask"), play("drill", *COMFORT), play("quick", "ask"), play("quick", "ask")],
    ),
    "learning-everywhere": (
        lambda: [play("drill", *BEST), play("quick", "ask"), play("fan", "e1")],
        lambda: [play("drill", *BEST), play("quick", "ask"), play("fan", "e2")],
    ),
    "second-look": (
        lambda: [play("drill", *COMFORT), rewound("drill", COMFORT, 1, "post-mortem", *BEST[2:])],
        lambda: [play("drill", *BEST), rewound("drill", BEST, 4, "follow-up")],
    ),
    "comeback": (
        lambda: [play("drill", *COMFORT), play("drill", *ANXIOUS)],
        lambda: [play("drill", *BEST), play("drill", *ANXIOUS)],
    ),
    "turned-around": (
        lambda: [play("drill", *COMFORT), play("drill", *ANXIOUS)],
        lambda: [play("drill", *WORST), play("drill", *COMFORT)],
    ),
    "every-road": (
        lambda: [play("drill", *BEST), play("drill", *WORST), play("drill", *COMFORT)],
        lambda: [play("drill", *BEST), play("drill", *WORST), play("drill", *ANXIOUS)],
    ),
    "cartographer": (
        lambda: [*(play("fan", f"e{n}") for n in range(1, 9)), play("quick", "ask"), play("quick", "rush")],
        lambda: [*(play("fan", f"e{n}") for n in range(1, 9)), play("quick", "ask"), play("quick", "ask")],
    ),
    "many-tools": (
        lambda: [play("drill", *BEST)],
        # `cut` rests on ethics under pressure too, but neglects it: four principles practised.
        lambda: [play("drill", "thank", "post-mortem", "specific", "cut", "follow-up")],
    ),
    "full-toolkit": (
        lambda: [
            play("drill", *BEST),
            play("drill", "thank", "post-mortem", "repair-plan", "hold", "follow-up"),
            play("quick", "ask"),
            play("fan", "e1"),
        ],
        lambda: [play("drill", *BEST), play("quick", "ask"), play("fan", "e1")],
    ),
    "curious-not-furious": (
        lambda: [play("quick", "ask")],
        # `blame` rests on errors as data but looks for a culprit: not practising it.
        lambda: [play("drill", *ANXIOUS)],
    ),
    "blameless-review": (lambda: [play("drill", *BEST)], lambda: [play("drill", *COMFORT)]),
    "straight-and-kind": (
        lambda: [play("drill", *BEST)],
        lambda: [play("drill", "thank", "post-mortem", "vague", "hold", "follow-up")],
    ),
    "path-back": (
        lambda: [play("drill", "thank", "post-mortem", "repair-plan", "hold", "follow-up")],
        lambda: [play("drill", *BEST)],
    ),
    "held-the-line": (
        lambda: [play("drill", *BEST)],
        lambda: [play("drill", "thank", "post-mortem", "specific", "cut", "follow-up")],
    ),
    "loop-closer": (
        lambda: [play("drill", *BEST), play("drill", *ANXIOUS), play("drill", *BEST)],
        lambda: [play("drill", *BEST), play("drill", *BEST), play("drill", *COMFORT)],
    ),
    "cool-head": (
        lambda: [play("drill", *BEST)],
        lambda: [play("drill", TIMEOUT, *BEST[1:])],
    ),
}


def newly(runs: list[RunView]) -> set[str]:
    return {a.key for a in newly_earned(runs[-1], History.of(runs[:-1]), shelf())}


def test_every_global_achievement_has_a_case() -> None:
    assert set(CASES) == {a.id for a in load_achievements()}


@pytest.mark.parametrize("key", sorted(CASES))
def test_achievement_earned_by_the_behaviour_it_names(key: str) -> None:
    assert key in newly(CASES[key][0]())


@pytest.mark.parametrize("key", sorted(CASES))
def test_achievement_not_earned_without_the_behaviour(key: str) -> None:
    assert key not in newly(CASES[key][1]())


def test_the_global_set_names_behaviours_and_keeps_some_secrets() -> None:
    catalogue = load_achievements()
    assert len(catalogue) >= 20
    assert len({a.name for a in catalogue}) == len(catalogue)
    assert all(a.description.endswith(".") and "\n" not in a.description for a in catalogue)
    assert 2 <= sum(a.hidden for a in catalogue) < len(catalogue) // 2
    principles = load_catalogue()
    assert all(a.condition.principle in (None, *principles) for a in catalogue)


def test_earned_is_what_this_run_qualifies_for_and_held_is_everything_so_far() -> None:
    first, second = play("drill", *BEST), play("drill", *WORST)
    assert "learning-zone" in earned(first, History(), shelf())
    assert "learning-zone" not in earned(second, History((first,)), shelf())
    assert "learning-zone" in held(History((first, second)), shelf())
    assert held(History(), shelf()) == set()


def test_scenario_achievements_are_earned_with_a_scoped_key() -> None:
    best, timed_out = play("drill", *BEST), play("drill", TIMEOUT, *BEST[1:])
    assert {"drill/spoke-first", "drill/safe-landing"} <= earned(best, History(), shelf())
    assert "drill/spoke-first" not in earned(timed_out, History(), shelf())
    # A scenario's achievements never fire for another scenario's runs.
    assert not {k for k in earned(play("quick", "ask"), History(), shelf()) if "/" in k}


def test_scenario_achievements_count_only_their_own_scenario_runs() -> None:
    runs_in_drill = Achievement(
        "regular", "Regular", "Play the drill three times.", Condition(runs=3), scenario_id="drill"
    )
    story = [play("drill", *BEST), play("quick", "ask"), play("quick", "ask"), play("drill", *BEST)]
    assert not earned(story[-1], History.of(story[:-1]), shelf(), achievements=[runs_in_drill])
    story.append(play("drill", *WORST))
    assert earned(story[-1], History.of(story[:-1]), shelf(), achievements=[runs_in_drill]) == {
        "drill/regular"
    }


def test_hidden_achievements_keep_their_secret_until_earned() -> None:
    shown = {s.achievement.key: s for s in showcase(set(), shelf(), scenario_id="drill")}
    assert shown["never-dropped"].name == "Hidden achievement"
    assert shown["drill/safe-landing"].description == "Keep playing to discover it."
    assert shown["learning-zone"].name == "Both held high"
    earned_now = {s.achievement.key: s for s in showcase({"never-dropped"}, shelf())}
    assert earned_now["never-dropped"].name == "Never dropped the rope"
    assert "quick/anything" not in earned_now


def test_showcase_for_one_scenario_leaves_out_the_others() -> None:
    keys = {s.achievement.key for s in showcase(set(), shelf(), scenario_id="quick")}
    assert "drill/spoke-first" not in keys and "first-steps" in keys


def test_a_choice_practises_its_principle_only_when_it_is_sound() -> None:
    assert sound([15, -25, -5]) == [True, False, False]
    assert sound([21, 13, -2]) == [True, True, False]
    assert sound([16, 6, -3]) == [True, False, False]
    assert sound([0, -5]) == [False, False]


def test_the_timer_choosing_practises_nothing() -> None:
    run = play("drill", TIMEOUT, *BEST[1:])
    assert run.decisions[0].timed and run.decisions[0].timed_out
    assert "psychological-safety" not in run.practised
    assert run.decisions[0].offered == {"psychological-safety"}


def test_conditions_from_the_models_mirror_the_scoring_keys() -> None:
    # The scenario format offers every key except those that span scenarios; meaning lives in scoring.
    assert set(AchievementCondition.model_fields) == set(KEYS) - GLOBAL_ONLY


def test_scenario_file_conditions_become_scoring_conditions() -> None:
    (spoke, landing) = scenario_achievements(scenario("drill"))
    assert spoke.condition == Condition(took=("report", "thank"))
    assert landing.condition == Condition(ending="good-end", never_below=(("safety", 50),))
    assert landing.hidden and landing.key == "drill/safe-landing"


@pytest.mark.parametrize(
    ("data", "scoped", "message"),
    [
        ({}, False, "at least one key"),
        ({"rewound_better": False}, False, "at least one key"),
        ({"tone": "great"}, False, "not one of good, mixed, poor"),
        ({"runs": 0}, False, "1 or more"),
        ({"never_below": {"morale": 40}}, False, "unknown meter"),
        ({"took": {"scene": "a", "choice": "b"}}, False, "only its own achievements"),
        ({"every_scenario": True}, True, "only the global achievements"),
        ({"tones": "good"}, False, "unknown condition key"),
    ],
)
def test_bad_conditions_are_refused_with_a_reason(
    data: dict[str, object], scoped: bool, message: str
) -> None:
    condition, problems = read_condition(data, scoped=scoped)
    assert condition is None and any(message in text for _, text in problems)
    with pytest.raises(ValueError, match=message):
        parse_condition(data, scoped=scoped)


def test_bad_global_achievements_are_refused() -> None:
    entry = {"id": "x", "name": "X", "description": "Do x.", "condition": {"principle": "nope"}}
    with pytest.raises(ValueError, match="unknown principle 'nope'"):
        parse_achievements([entry], principles=load_catalogue())
    with pytest.raises(ValueError, match="used twice"):
        parse_achievements([{**entry, "condition": {"tone": "good"}}] * 2)


def meters(values: Meters) -> tuple[int, int, int]:
    return values.safety, values.standards, values.trust


def stored(run_id: str, state: RunState, rewound_from: str | None = None) -> tuple[RunRow, list[DecisionRow]]:
    """The rows the recorder writes for a finished run."""
    view = run_view(scenario("drill"), state)
    start = RunStart(run_id, "p1", "Ana", "room", "drill", "The Drill", f"{run_id}-0", "CODE", rewound_from)
    decisions = [
        DecisionRow(
            run_id, n, move.scene, move.choice, move.timed_out, None, *meters(d.after), recorded_at="t"
        )
        for n, (move, d) in enumerate(zip(state.history, view.decisions, strict=True))
    ]
    ending = scenario("drill").scenes[state.scene].ending
    assert ending is not None
    finish = RunFinish(
        run_id,
        f"{run_id}-9",
        state.scene,
        ending.title,
        ending.tone,
        view.zone.value,
        view.score,
        *meters(view.final),
    )
    return RunRow(start, finish, len(decisions)), decisions


def test_history_from_the_store_matches_the_engine() -> None:
    first, second = play_state("drill", TIMEOUT, *BEST[1:]), play_state("drill", *COMFORT)
    (row1, decisions1), (row2, decisions2) = stored("r1", first), stored("r2", second, rewound_from="r1")
    history = history_from_store([row2, row1], [*decisions2, *decisions1], {"drill": scenario("drill")})
    assert [r.run_id for r in history.runs] == ["r1", "r2"]
    assert history.runs[0] == replace(run_view(scenario("drill"), first), run_id="r1")
    assert history.runs[1].rewound_from_zone is Zone.LEARNING
    assert history.runs[1].practised == play("drill", *COMFORT).practised


def test_history_from_the_store_keeps_runs_of_scenarios_that_are_gone() -> None:
    start = RunStart("r1", "p1", "Ana", "room", "retired", "Retired", "t0", "CODE")
    finish = RunFinish("r1", "t9", "end", "End", "mixed", "comfort", 40, 60, 40, 50)
    row = DecisionRow("r1", 0, "s", "c", False, None, 60, 40, 50, "t")
    (run,) = history_from_store([RunRow(start, finish, 1)], [row], {}).runs
    assert (run.zone, run.practised, run.decisions[0].offered) == (Zone.COMFORT, frozenset(), frozenset())
