"""`check` on a scenario's own achievements: names that must exist and conditions no playthrough meets,
each reported at the file and line of the key to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.achievements_check import check_achievements, explore
from game.library import scenario_files
from game.paths import shipped
from game.scenario import Problem, Scenario, load_file
from game.scenario.loader import Loaded
from scoring import load_catalogue
from scoring.achievements import Condition
from tests.fixtures.achievements.runs import HERE, scenario
from tests.unit.helpers import load

UNEARNABLE = HERE / "unearnable.yaml"


def problems_of(loaded: Loaded) -> list[Problem]:
    """What `check_file` reports for the achievements once it runs this rule."""
    assert loaded.scenario is not None, [str(p) for p in loaded.problems]
    return [loaded.problem(f.path, f.message, f.severity) for f in check_achievements(loaded.scenario)]


def line_of(text: str, path: Path = UNEARNABLE) -> int:
    """The 1-based line of the first line in `path` containing `text`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if text in line)


@pytest.fixture(scope="module")
def reported() -> dict[str, Problem]:
    loaded = load_file(UNEARNABLE, load_catalogue())
    found = problems_of(loaded)
    assert all(p.file == str(UNEARNABLE) and p.severity == "error" for p in found)
    return {p.key_path: p for p in found}


def test_a_choice_never_offered_cannot_be_taken(reported: dict[str, Problem]) -> None:
    problem = reported["achievements[1].condition.took"]
    assert problem.line == line_of("{took: {scene: start, choice: secret}}")
    assert "'never-offered' can never be earned: choice 'secret' of scene 'start' is never offered" in (
        problem.message
    )


def test_an_unknown_scene_is_named(reported: dict[str, Problem]) -> None:
    problem = reported["achievements[2].condition.took.scene"]
    assert problem.line == line_of("scene: nowhere")
    assert problem.message == "scene 'nowhere' does not exist"


@pytest.mark.parametrize(
    ("key_path", "line_text", "message"),
    [
        pytest.param(
            "achievements[3].condition.zone",
            "condition: {zone: learning}",
            "no playthrough finishes in the learning zone",
            id="a_zone_no_ending_reaches",
        ),
        # A poor ending is reachable and so is the anxiety zone, but never in the same playthrough.
        pytest.param(
            "achievements[4].condition",
            "condition: {tone: poor, zone: anxiety}",
            "no single playthrough meets `tone` and `zone` together",
            id="parts_that_cannot_hold_together",
        ),
        pytest.param(
            "achievements[5].condition.principle",
            "erors-as-data",
            "unknown principle 'erors-as-data' (did you mean 'errors-as-data'?)",
            id="an_unknown_principle_with_a_suggestion",
        ),
        pytest.param(
            "achievements[6].condition.principle",
            "principle: feedback}",
            "no choice in this scenario practises 'feedback'",
            id="a_principle_the_scenario_never_practises",
        ),
    ],
)
def test_a_condition_no_playthrough_meets_is_an_error_at_its_line(
    reported: dict[str, Problem], key_path: str, line_text: str, message: str
) -> None:
    problem = reported[key_path]
    assert problem.line == line_of(line_text)
    assert message in problem.message


def test_more_principles_than_any_playthrough_practises(reported: dict[str, Problem]) -> None:
    assert "(at most 2)" in reported["achievements[7].condition.distinct_principles"].message


def test_every_ending_under_a_condition_that_excludes_one(reported: dict[str, Problem]) -> None:
    problem = reported["achievements[8].condition.all_endings"]
    assert "ending 'end-poor' is never reached by a run that meets the rest" in problem.message


def test_duplicate_ids_and_empty_conditions(reported: dict[str, Problem]) -> None:
    assert reported["achievements[9].id"].message == "achievement id 'fine' is used twice"
    assert "at least one key" in reported["achievements[10].condition"].message


def test_earnable_achievements_pass(reported: dict[str, Problem]) -> None:
    assert not any(key.startswith("achievements[0]") for key in reported)
    assert problems_of(load_file(HERE / "drill.yaml", load_catalogue())) == []


def test_problems_print_as_file_line_column(reported: dict[str, Problem]) -> None:
    text = str(reported["achievements[3].condition.zone"])
    assert text.startswith(f"{UNEARNABLE}:{line_of('condition: {zone: learning}')}:")
    assert ": error: achievement 'no-learning' can never be earned" in text


def test_shipped_scenarios_pass() -> None:
    for path in scenario_files([shipped("scenarios")]):
        assert problems_of(load_file(path, load_catalogue())) == [], path


def scenario_with(achievements: str, scenes: str) -> Scenario:
    loaded = load(
        f"format: tightrope/1\nid: t\ntitle: T\nsummary: S.\nrole: R.\nstart: a\nscenes:\n{scenes}"
        f"achievements:\n{achievements}"
    )
    assert loaded.scenario is not None, [str(p) for p in loaded.problems]
    return loaded.scenario


LOOP = """\
  a:
    text: A.
    choices:
      - {id: wait, text: Wait., effects: {trust: +5}, why: Time passes., next: a}
      - {id: go, text: Go., if: {trust: ">= 60"}, next: end}
  end: {text: End., ending: {title: End, tone: good}}
"""


def test_loops_are_explored_to_their_fixed_point() -> None:
    scenario = scenario_with(
        "  - {id: patient, name: Patient, description: Wait., condition: {never_below: {trust: 60}}}\n"
        "  - {id: ok, name: Ok, description: Go., condition: {took: {scene: a, choice: go}}}\n",
        LOOP,
    )
    findings = check_achievements(scenario)
    # Trust starts at 50, so it was below 60 at the start of every run.
    assert [f.path for f in findings] == [("achievements", 0, "condition", "never_below")]


def test_the_explorer_keeps_only_what_the_condition_reads() -> None:
    outcomes = explore(scenario("drill"), Condition(tone="good"))
    assert outcomes is not None
    # Meters nobody compares and the condition does not read are not followed, so paths merge.
    assert {o.meters for o in outcomes} == {(-1, -1, -1)}
    assert {o.ending for o in outcomes} == {"good-end", "mixed-end", "poor-end"}
