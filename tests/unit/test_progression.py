"""Progression arithmetic: XP for new ground and real improvement, diminishing for repeats; levels."""

from __future__ import annotations

from itertools import pairwise

from scoring import History, Meters, RunView
from scoring.debrief import Tone
from scoring.history import DecisionView, ScenarioFacts, Shelf
from scoring.progression import LEVELS, Progress, RunXp, experience, level_for, progress, run_xp


def run(
    scenario: str = "s",
    ending: str = "end",
    *,
    tone: Tone = "mixed",
    safety: int = 50,
    standards: int = 50,
    trust: int = 50,
    practised: tuple[str, ...] = (),
) -> RunView:
    """A finished run whose decisions practise `practised`, ending on the given meters."""
    after = Meters(safety, standards, trust)
    decisions = tuple(DecisionView("scene", f"c{n}", p, after, sound=True) for n, p in enumerate(practised))
    if not decisions:
        decisions = (DecisionView("scene", "c", None, after),)
    return RunView(scenario, ending, tone, decisions=decisions)


def test_first_run_earns_finish_new_ending_and_new_principles() -> None:
    xp = run_xp(run(practised=("feedback", "repair", "feedback")))
    assert xp == RunXp(finish=10, new_ending=30, new_principles=30, improvement=0)
    assert xp.total == 70
    assert xp.parts() == [("finished the run", 10), ("a new ending", 30), ("new principles practised", 30)]


def test_repeating_the_same_ending_earns_less_each_time() -> None:
    same = run()
    assert [r.finish for r in experience([same] * 6)] == [10, 5, 2, 1, 0, 0]
    assert [r.new_ending for r in experience([same] * 3)] == [30, 0, 0]
    assert sum(r.total for r in experience([same] * 100)) == 48


def test_a_principle_earns_only_the_first_time() -> None:
    runs = [run(practised=("feedback",)), run("t", practised=("feedback", "repair"))]
    assert [r.new_principles for r in experience(runs)] == [15, 15]


def test_a_better_zone_on_a_replay_earns_per_step_up_the_ladder() -> None:
    # apathy (20/20) → learning (60/60): two steps; score 15 → 57, capped at 20 points.
    apathy, learning = run(safety=20, standards=20), run("s", "other", safety=60, standards=60)
    assert experience([apathy, learning])[1].improvement == 2 * 25 + 20


def test_improvement_is_measured_against_the_best_so_far() -> None:
    best = run(safety=60, standards=60, trust=60)  # learning, score 60
    worse = run(safety=60, standards=60, trust=40)  # learning, score 55
    slightly_better = run(safety=60, standards=60, trust=68)  # learning, score 62
    assert [r.improvement for r in experience([best, worse, slightly_better])] == [0, 0, 2]


def test_comfort_and_anxiety_are_the_same_step_on_the_ladder() -> None:
    comfort = run(safety=60, standards=40, trust=52)  # score 48
    anxiety = run("s", "other", safety=40, standards=60, trust=64)  # score 51, no step up
    assert experience([comfort, anxiety])[1].improvement == 3


def test_improvement_only_counts_within_a_scenario() -> None:
    assert experience([run("a", safety=20), run("b", safety=60, standards=60)])[1].improvement == 0


def test_levels_are_named_in_the_training_s_words_and_climb() -> None:
    assert len(LEVELS) == 10
    assert [lv.number for lv in LEVELS] == list(range(1, 11))
    assert all(a.xp < b.xp for a, b in pairwise(LEVELS))
    assert {"Listener", "Fair witness", "Loop closer"} <= {lv.name for lv in LEVELS}
    assert level_for(0).name == "Newcomer"
    assert level_for(59).name == "Newcomer" and level_for(60).name == "Listener"
    assert level_for(10**6).name == "Tightrope walker"


def test_progress_names_the_level_and_what_the_next_one_needs() -> None:
    history = History((run(practised=("feedback",)),))  # 10 + 30 + 15
    shelf = Shelf(
        (ScenarioFacts("s", "S", ("end", "good"), (("feedback", 3), ("repair", 1))),),
    )
    got = progress(history, shelf)
    assert (got.xp, got.level, got.level_name) == (55, 1, "Newcomer")
    assert (got.next_level_xp, got.next_level_name, got.to_next_level) == (60, "Listener", 5)
    assert got.into_level == (55, 60) and got.meaning == "You have stepped onto the rope."
    assert got.needs.startswith("5 XP to Listener: find an ending you have not seen (+30 each, 1 left)")
    assert "practise a principle for the first time (+15 each, 1 left)" in got.needs


def test_progress_at_the_top_level_still_says_how_to_grow() -> None:
    runs = [run(f"s{n}", practised=(f"p{n}",)) for n in range(40)]
    got = progress(History(tuple(runs)))
    assert got.level_name == "Tightrope walker" and got.next_level_xp is None and got.to_next_level is None
    assert got.into_level is None
    assert got.needs.startswith("You are at the top level.")


def test_no_history_is_the_first_level() -> None:
    got = progress(History())
    assert (got.xp, got.level_name, got.runs) == (0, "Newcomer", ())


def test_progress_into_a_level_counts_from_where_the_level_began() -> None:
    second = Progress(xp=100, level=2, level_name="Listener", next_level_xp=150,
                      next_level_name="Question asker", needs="")  # fmt: skip
    assert second.into_level == (100 - LEVELS[1].xp, 150 - LEVELS[1].xp) == (40, 90)
