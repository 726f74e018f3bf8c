"""Principle mastery: offered when a sound choice resting on it was available, taken when the player chose
it; the strongest principles, the ones to work on, and the scenario that trains each."""

from __future__ import annotations

from game.engine import Move
from game.offers import offers, taught
from scoring import History, load_catalogue
from scoring.mastery import PrincipleMastery, mastery, summarise
from tests.fixtures.achievements.runs import BEST, TIMEOUT, WORST, play, play_state, scenario, shelf


def rows_by_id(history: History) -> dict[str, PrincipleMastery]:
    return {row.principle: row for row in mastery(history, shelf())}


def test_offers_list_what_each_decision_could_practise() -> None:
    state = play_state("drill", *BEST)
    found = offers(scenario("drill"), state.history)
    assert [sorted(o.offered) for o in found] == [
        ["psychological-safety"],
        ["post-mortem"],
        ["feedback", "repair"],
        ["ethics-under-pressure"],
        ["learning-loop"],
    ]
    assert [o.sound for o in found] == [True] * 5


def test_offers_stop_where_a_changed_scenario_no_longer_allows_the_moves() -> None:
    moves = [Move(scene="report", choice="thank"), Move(scene="review", choice="gone")]
    assert len(offers(scenario("drill"), moves)) == 1


def test_offered_and_taken_are_counted_per_decision() -> None:
    rows = rows_by_id(History((play("drill", *BEST), play("drill", *BEST), play("drill", *WORST))))
    assert (rows["feedback"].offered, rows["feedback"].taken) == (3, 2)
    assert rows["feedback"].rate == 2 / 3
    assert (rows["repair"].offered, rows["repair"].taken, rows["repair"].rate) == (3, 0, 0.0)
    assert (rows["accountability"].offered, rows["accountability"].rate) == (0, None)


def test_an_unsound_choice_resting_on_a_principle_is_not_taking_it() -> None:
    # `blame` rests on errors as data, and `scold` on accountability; neither practises them.
    rows = rows_by_id(History((play("drill", *WORST),)))
    assert rows["errors-as-data"].taken == 0 and rows["accountability"].taken == 0


def test_letting_the_timer_choose_is_offered_but_not_taken() -> None:
    rows = rows_by_id(History((play("drill", TIMEOUT, *BEST[1:]),)))
    assert (rows["psychological-safety"].offered, rows["psychological-safety"].taken) == (1, 0)


def test_one_row_per_principle_in_catalogue_order() -> None:
    assert [row.principle for row in mastery(History(), shelf())] == list(load_catalogue())


def test_each_principle_names_the_scenario_that_trains_it_most() -> None:
    rows = rows_by_id(History())
    assert rows["feedback"].trained_by == "drill"
    assert rows["errors-as-data"].trained_by == "quick"
    assert rows["clear-expectations"].trained_by == "fan"
    assert rows["accountability"].trained_by is None


def test_taught_counts_only_choices_that_practise() -> None:
    assert taught(scenario("drill")) == {
        "psychological-safety": 1,
        "post-mortem": 1,
        "feedback": 1,
        "repair": 1,
        "ethics-under-pressure": 1,
        "learning-loop": 1,
    }


def test_summary_names_strongest_weakest_and_not_yet_met() -> None:
    history = History((play("drill", *BEST), play("drill", *BEST), play("drill", *WORST)))
    summary = summarise(mastery(history, shelf()), count=3, shelf=shelf())
    assert [r.principle for r in summary.strongest] == ["psychological-safety", "post-mortem", "feedback"]
    assert [r.principle for r in summary.to_work_on] == ["repair"]
    assert [(r.principle, r.trained_by) for r in summary.not_met] == [
        ("errors-as-data", "quick"),
        ("clear-expectations", "fan"),
    ]


def test_one_chance_is_not_yet_a_strength() -> None:
    summary = summarise(mastery(History((play("drill", *BEST),)), shelf()))
    assert summary.strongest == ()
    assert [r.principle for r in summary.to_work_on] == ["repair"]
