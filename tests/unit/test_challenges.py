"""Room challenges: the grammar of `--challenge`, and the room's progress over the store's runs."""

from __future__ import annotations

import argparse

import pytest

from game.offers import practised_by_run
from game.store.base import DecisionRow, RunFinish, RunRow, RunStart
from scoring.challenges import (
    Challenge,
    ChallengeSyntaxError,
    challenge_progress,
    parse_challenge,
)
from tests.fixtures.achievements.runs import BEST, COMFORT, play_state, scenario


def row(
    run_id: str,
    player: str,
    zone: str | None = "learning",
    tone: str = "good",
    scenario_id: str = "drill",
) -> RunRow:
    """A run as the store reads it back; `zone=None` for a run not finished yet."""
    start = RunStart(run_id, player, player.title(), "room", scenario_id, "T", "t0", "CODE")
    finish = RunFinish(run_id, "t1", "end", "End", tone, zone, 60, 60, 60, 60) if zone else None
    return RunRow(start, finish, 3)


ROOM = [
    row("1", "ana", "learning", "good"),
    row("2", "ana", "comfort", "mixed"),
    row("3", "ben", "learning", "good"),
    row("4", "ben", "learning", "mixed", scenario_id="quick"),
    row("5", "cy", "anxiety", "poor"),
    row("6", "cy", None),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("learning:80%", Challenge("zone", "learning", "percent", 80)),
        ("good:everyone", Challenge("tone", "good", "everyone", 0)),
        ("post-mortem:5", Challenge("principle", "post-mortem", "runs", 5)),
        ("finished:30@near-miss", Challenge("finished", None, "runs", 30, "near-miss")),
        (" apathy : 0% ", Challenge("zone", "apathy", "percent", 0)),
    ],
)
def test_the_grammar(text: str, expected: Challenge) -> None:
    assert parse_challenge(text) == expected


def test_a_challenge_prints_back_as_it_was_written() -> None:
    for text in ("learning:80%", "good:everyone", "post-mortem:5", "finished:30@near-miss"):
        assert str(parse_challenge(text)) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("learning", "is not a challenge"),
        ("learnin:80%", "is not a zone"),
        ("learning:180%", "at most 100%"),
        ("learning:0", "is not a target"),
        ("learning:most", "is not a target"),
        ("learning:80%@", "name the scenario"),
    ],
)
def test_bad_challenges_say_what_to_write(text: str, message: str) -> None:
    with pytest.raises(ChallengeSyntaxError, match=message):
        parse_challenge(text)


def test_the_parser_works_as_an_argparse_type() -> None:
    parser = argparse.ArgumentParser(exit_on_error=False)
    parser.add_argument("--challenge", type=parse_challenge)
    assert parser.parse_args(["--challenge", "good:everyone"]).challenge.target == "everyone"
    with pytest.raises(argparse.ArgumentError):
        parser.parse_args(["--challenge", "nonsense"])


def test_a_challenge_describes_its_goal_without_naming_anyone() -> None:
    assert parse_challenge("learning:80%").describe() == "80% of the finished runs end in the learning zone"
    assert parse_challenge("good:everyone").describe() == "every player has a run that reaches a good ending"
    assert parse_challenge("post-mortem:1@drill").describe() == (
        "at least 1 run of drill practises blameless post-mortem"
    )
    assert parse_challenge("finished:30").describe() == "at least 30 finished runs"


def test_percent_of_finished_runs() -> None:
    progress = challenge_progress(parse_challenge("learning:60%"), ROOM)
    assert (progress.current, progress.target, progress.met) == (60, 60, True)
    assert (progress.counted, progress.considered) == (3, 5)
    assert not challenge_progress(parse_challenge("learning:61%"), ROOM).met


def test_everyone_counts_players_with_a_finished_run() -> None:
    progress = challenge_progress(parse_challenge("good:everyone"), ROOM)
    assert (progress.current, progress.target, progress.met) == (2, 3, False)
    assert challenge_progress(parse_challenge("finished:everyone"), ROOM).met


def test_a_count_of_runs_in_one_scenario() -> None:
    progress = challenge_progress(parse_challenge("learning:3@drill"), ROOM)
    assert (progress.current, progress.target, progress.met) == (2, 3, False)
    assert challenge_progress(parse_challenge("finished:1@quick"), ROOM).met


def test_an_empty_room_has_met_nothing() -> None:
    for text in ("learning:0%", "good:everyone", "finished:1"):
        assert not challenge_progress(parse_challenge(text), []).met


def stored(run_id: str, choices: tuple[str, ...]) -> tuple[RunRow, list[DecisionRow]]:
    state = play_state("drill", *choices)
    decisions = [
        DecisionRow(run_id, n, m.scene, m.choice, m.timed_out, None, 50, 50, 50, "t")
        for n, m in enumerate(state.history)
    ]
    return row(run_id, f"p{run_id}"), decisions


def test_principle_challenges_read_what_each_run_practised() -> None:
    (best, best_decisions), (comfort, comfort_decisions) = stored("a", BEST), stored("b", COMFORT)
    practised = practised_by_run(
        [best, comfort], [*best_decisions, *comfort_decisions], {"drill": scenario("drill")}
    )
    assert "post-mortem" in practised["a"] and "post-mortem" not in practised["b"]
    progress = challenge_progress(parse_challenge("post-mortem:2"), [best, comfort], practised)
    assert (progress.current, progress.target, progress.met) == (1, 2, False)
    with pytest.raises(ValueError, match="needs the principles"):
        challenge_progress(parse_challenge("post-mortem:2"), [best, comfort])
