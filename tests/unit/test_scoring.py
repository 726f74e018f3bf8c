"""Scoring arithmetic: clamped meters, explanations that say what happened, zones, score and debrief."""

from __future__ import annotations

import pytest

from scoring import DecisionRecord, Meters, Zone, build_debrief, explain, load_catalogue, score_for, zone_of
from scoring.principles import parse_catalogue

REQUIRED_PRINCIPLES = {
    "errors-as-data",
    "psychological-safety",
    "clear-expectations",
    "accountability",
    "accountable-experimentation",
    "post-mortem",
    "feedback",
    "repair",
    "ethics-under-pressure",
    "modelling",
    "drift-prevention",
    "learning-loop",
}


def test_changes_clamp_at_both_ends_and_say_so() -> None:
    after, changes = Meters(safety=95, standards=3, trust=50).apply({"safety": 10, "standards": -8})
    assert after == Meters(safety=100, standards=0, trust=50)
    assert [(c.meter, c.requested, c.applied, c.clamped) for c in changes] == [
        ("safety", 10, 5, True),
        ("standards", -8, -3, True),
    ]


def test_meters_outside_the_range_are_refused() -> None:
    with pytest.raises(ValueError, match=r"safety must be within 0\.\.100"):
        Meters(safety=101)


@pytest.mark.parametrize(
    ("safety", "standards", "zone"),
    [
        (50, 50, Zone.LEARNING),
        (80, 49, Zone.COMFORT),
        (49, 80, Zone.ANXIETY),
        (49, 49, Zone.APATHY),
    ],
)
def test_zone_boundaries(safety: int, standards: int, zone: Zone) -> None:
    assert zone_of(Meters(safety=safety, standards=standards)) is zone


def test_explanation_names_before_after_principle_and_zone_move() -> None:
    principle = load_catalogue()["psychological-safety"]
    explanation = explain(Meters(safety=45, standards=60), {"safety": 8}, "Thanks help.", principle)
    (change,) = explanation.changes
    assert (change.before, change.after) == (45, 53)
    assert explanation.principle is principle
    assert explanation.notes == ("You moved from the anxiety zone into the learning zone.",)


def test_explanation_notes_a_clamp() -> None:
    explanation = explain(Meters(trust=97), {"trust": 8}, "w", None)
    assert explanation.notes == ("Trust hit the top (100): +8 asked, +3 applied.",)


def test_score_formula_weights_the_weaker_side_twice() -> None:
    # (2 × 40 + 80 + 60) / 4 = 55, plus 10 for a good ending
    assert score_for(Meters(safety=80, standards=40, trust=60), "good") == 65
    assert score_for(Meters(safety=40, standards=80, trust=60), "poor") == 45
    assert score_for(Meters(safety=100, standards=100, trust=100), "good") == 100
    # Balance beats extremes with the same total.
    assert score_for(Meters(60, 60, 50), "mixed") > score_for(Meters(100, 20, 50), "mixed")


def record(choice_id: str, before: Meters, deltas: dict[str, int]) -> DecisionRecord:
    principle = load_catalogue()["feedback"]
    return DecisionRecord(
        "s", "Scene", choice_id, f"Choice {choice_id}", explain(before, deltas, "w", principle)
    )


def test_debrief_finds_strongest_and_weakest_and_tallies_principles() -> None:
    start = Meters(50, 50, 50)
    first = record("a", start, {"safety": 5})
    second = record("b", first.explanation.after, {"trust": -10})
    third = record("c", second.explanation.after, {"standards": 12, "trust": 2})
    debrief = build_debrief(start, [first, second, third], "End", "mixed")
    assert debrief.strongest is third and debrief.weakest is second
    assert debrief.final == Meters(55, 62, 42)
    assert debrief.zone is Zone.LEARNING
    assert [(t.principle.id, t.times) for t in debrief.principles] == [("feedback", 3)]
    assert debrief.path == (start, Meters(55, 50, 50), Meters(55, 50, 40), Meters(55, 62, 42))


def test_catalogue_has_every_required_principle_with_all_parts() -> None:
    catalogue = load_catalogue()
    assert set(catalogue) >= REQUIRED_PRINCIPLES
    for principle in catalogue.values():
        assert principle.name and principle.rationale and len(principle.note) > len(principle.rationale)


def test_catalogue_rejects_duplicate_ids() -> None:
    text = "principles:\n" + "  - {id: a, name: A, rationale: r, note: n}\n" * 2
    with pytest.raises(ValueError, match="unique"):
        parse_catalogue(text)
