"""The opt-in leaderboard: who is on it, in what order, and what counts."""

from __future__ import annotations

from game.store.base import RunFinish, RunRow, RunStart
from scoring.leaderboard import leaderboard


def run(
    run_id: str,
    player: str,
    score: int | None,
    *,
    listed: bool = True,
    scenario_id: str = "drill",
    rewound: bool = False,
    finished_at: str = "t1",
    name: str | None = None,
    zone: str = "learning",
) -> RunRow:
    start = RunStart(
        run_id,
        player,
        name or player.title(),
        "room",
        scenario_id,
        "Drill",
        "t0",
        f"C{run_id}",
        rewound_from="earlier" if rewound else None,
        listed=listed,
    )
    finish = (
        RunFinish(run_id, finished_at, "end", "End", "good", zone, score, 60, 60, 60)
        if score is not None
        else None
    )
    return RunRow(start, finish, 5)


def test_only_players_who_opted_in_are_named_but_everyone_is_counted() -> None:
    board = leaderboard([run("1", "ana", 70), run("2", "ben", 90, listed=False), run("3", "cy", 50)], "drill")
    assert [(line.rank, line.name, line.score) for line in board.lines] == [(1, "Ana", 70), (2, "Cy", 50)]
    assert board.players == 3


def test_a_player_is_ranked_by_their_best_full_run_of_the_scenario() -> None:
    board = leaderboard(
        [
            run("1", "ana", 40, zone="anxiety"),
            run("2", "ana", 75, zone="learning"),
            run("3", "ana", 99, rewound=True),  # hindsight does not rank
            run("4", "ana", 100, scenario_id="other"),
            run("5", "ana", None),  # not finished
            run("6", "ben", 60),
        ],
        "drill",
    )
    ana, ben = board.lines
    assert (ana.score, ana.zone, ana.runs) == (75, "learning", 2)
    assert (ben.rank, ben.score, ben.runs) == (2, 60, 1)
    assert board.players == 2


def test_equal_scores_share_a_rank_and_are_ordered_by_name() -> None:
    board = leaderboard(
        [run("1", "cy", 80), run("2", "ben", 80), run("3", "ana", 90), run("4", "dee", 50)], "drill"
    )
    assert [(line.rank, line.name) for line in board.lines] == [(1, "Ana"), (2, "Ben"), (2, "Cy"), (4, "Dee")]


def test_of_equal_best_scores_the_first_run_to_reach_it_is_shown() -> None:
    board = leaderboard(
        [
            run("1", "ana", 80, finished_at="2026-01-01T10:00", name="Ana B", zone="comfort"),
            run("2", "ana", 80, finished_at="2026-01-01T09:00", name="Ana", zone="learning"),
        ],
        "drill",
    )
    (line,) = board.lines
    assert (line.name, line.zone, line.runs) == ("Ana", "learning", 2)


def test_one_listed_run_lists_the_player() -> None:
    board = leaderboard([run("1", "ana", 90, listed=False), run("2", "ana", 30)], "drill")
    (line,) = board.lines
    assert line.score == 90


def test_the_top_lines_end_with_the_players_own_when_it_is_further_down() -> None:
    board = leaderboard([run(str(n), f"p{n}", 100 - n) for n in range(8)], "drill")
    assert [line.player_id for line in board.top(3, "p6")] == ["p0", "p1", "p2", "p6"]
    assert [line.player_id for line in board.top(3, "p1")] == ["p0", "p1", "p2"]
    assert [line.player_id for line in board.top(3, "nobody")] == ["p0", "p1", "p2"]
    assert board.line_of("p6") is not None and board.line_of("p6").rank == 7  # type: ignore[union-attr]


def test_a_scenario_nobody_finished_has_an_empty_board() -> None:
    board = leaderboard([run("1", "ana", None)], "drill")
    assert board.lines == () and board.players == 0


def test_a_stored_zone_that_names_no_zone_is_shown_as_none() -> None:
    (line,) = leaderboard([run("1", "ana", 70, zone="")], "drill").lines  # schema-1 rows held ''
    assert line.zone is None and line.score == 70
