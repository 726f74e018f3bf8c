"""The room report's arithmetic on hand-built rows: splits, percentages, averages, zones, talking points."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from game.roomreport import Player, RoomReport, ScenarioReport, room_report
from game.scenario import Scenario, load_file
from game.store import DecisionRow, RunFinish, RunRow, RunStart
from scoring import Meters, Zone, load_catalogue

# The tiny fixture starts at safety 45, standards 55, trust 50.
# thank: safety +10, standards -5; blame: safety -10, trust -5; review: standards +10, trust +5;
# move-on: standards -10. Endings: good-end (good), poor-end (poor).


@pytest.fixture
def tiny(tiny_path: Path) -> Scenario:
    scenario = load_file(tiny_path, load_catalogue()).scenario
    assert scenario is not None
    return scenario


def start(run_id: str, name: str, *, rewound_from: str | None = None, scenario: str = "tiny") -> RunStart:
    return RunStart(
        run_id,
        f"p-{name}",
        name,
        "room",
        scenario,
        "Tiny",
        f"2026-01-01T09:0{run_id[-1]}:00",
        run_id,
        rewound_from,
    )


def decision(
    run_id: str, seq: int, scene: str, choice: str, meters: tuple[int, int, int], *, timed_out: bool = False
) -> DecisionRow:
    return DecisionRow(run_id, seq, scene, choice, timed_out, 3.0, *meters, "2026-01-01T09:30:00")


def finish(run_id: str, ending: str, meters: tuple[int, int, int]) -> RunFinish:
    title, tone = {"good-end": ("A team that learns", "good"), "poor-end": ("Same again", "poor")}[ending]
    return RunFinish(run_id, "2026-01-01T09:40:00", ending, title, tone, "", 0, *meters)


def run(run_start: RunStart, decisions: list[DecisionRow], ending: RunFinish | None = None) -> RunRow:
    return RunRow(run_start, ending, len(decisions))


THANK, BLAME = (55, 50, 50), (35, 55, 45)

DECISIONS = [
    decision("r1", 0, "first", "thank", THANK),
    decision("r1", 1, "second", "review", (55, 60, 55)),
    decision("r2", 0, "first", "thank", THANK),
    decision("r2", 1, "second", "move-on", (55, 40, 50), timed_out=True),
    decision("r3", 0, "first", "blame", BLAME),
    decision("r3", 1, "second", "move-on", (35, 45, 45)),
    decision("r4", 0, "first", "blame", BLAME),
    # A rewind of r1 replays its first decision and then moves on: not the room's choice.
    decision("r6", 0, "first", "thank", THANK),
    decision("r6", 1, "second", "move-on", (55, 40, 50)),
]


def by_run(run_id: str) -> list[DecisionRow]:
    return [d for d in DECISIONS if d.run_id == run_id]


RUNS = [
    run(start("r1", "Ann"), by_run("r1"), finish("r1", "good-end", (55, 60, 55))),
    run(start("r2", "Bo"), by_run("r2"), finish("r2", "poor-end", (55, 40, 50))),
    run(start("r3", "Cy"), by_run("r3"), finish("r3", "poor-end", (35, 45, 45))),
    run(start("r4", "Di"), by_run("r4")),
    run(start("r5", "Ed"), []),
    run(start("r6", "Ann", rewound_from="r1"), by_run("r6"), finish("r6", "poor-end", (55, 40, 50))),
]


@pytest.fixture
def report(tiny: Scenario) -> ScenarioReport:
    # Decisions arrive in any order; the report sorts each run's by seq.
    room = room_report(RUNS, list(reversed(DECISIONS)), [tiny])
    (only,) = room.scenarios
    return only


def player(report: ScenarioReport, run_id: str) -> Player:
    return next(p for p in report.players if p.run_id == run_id)


def test_splits_count_each_choice_in_scenario_order_with_percentages(report: ScenarioReport) -> None:
    first, second = report.splits
    assert (first.scene_id, first.heading, first.decided) == ("first", "The first call", 4)
    assert [(c.choice_id, c.count, c.percent) for c in first.choices] == [
        ("thank", 2, 50.0),
        ("blame", 2, 50.0),
    ]
    assert first.choices[0].text == "Thank them."
    assert (second.heading, second.decided) == ("Second", 3)
    assert [(c.choice_id, c.count, round(c.percent, 2)) for c in second.choices] == [
        ("review", 1, 33.33),
        ("move-on", 2, 66.67),
    ]
    assert [c.timed_out for c in second.choices] == [0, 1]


def test_a_rewound_run_is_listed_but_not_counted(report: ScenarioReport) -> None:
    rewind = player(report, "r6")
    assert rewind.rewind and not rewind.counted and not rewind.on_map
    assert (report.rewinds, report.counted, report.finished, report.playing) == (1, 5, 3, 2)


def test_players_show_where_they_are(report: ScenarioReport) -> None:
    assert [p.name for p in report.players] == ["Ann", "Bo", "Cy", "Di", "Ed", "Ann"]
    ann, di, ed = player(report, "r1"), player(report, "r4"), player(report, "r5")
    assert (ann.where, ann.finished, ann.ending_tone, ann.decisions) == (
        "A team that learns",
        True,
        "good",
        2,
    )
    # Di chose at the first call, so she is now in the second scene.
    assert (di.scene_id, di.where, di.finished, di.meters) == ("second", "Second", False, Meters(35, 55, 45))
    assert (ed.scene_id, ed.where, ed.decisions, ed.on_map) == ("first", "The first call", 0, False)
    assert ed.meters == Meters(45, 55, 50)


def test_average_meters_over_players_who_have_decided(report: ScenarioReport) -> None:
    assert report.average is not None
    assert report.average.players == 4
    assert (report.average.safety, report.average.standards, report.average.trust) == (45.0, 50.0, 48.75)


def test_zone_counts_from_current_or_final_meters(report: ScenarioReport) -> None:
    assert dict(report.zones) == {Zone.LEARNING: 1, Zone.COMFORT: 1, Zone.ANXIETY: 1, Zone.APATHY: 1}
    assert player(report, "r4").zone is Zone.ANXIETY


def test_endings_count_finished_first_plays_with_their_tone(report: ScenarioReport) -> None:
    assert [(e.scene_id, e.title, e.tone, e.count, round(e.percent, 1)) for e in report.endings] == [
        ("good-end", "A team that learns", "good", 1, 33.3),
        ("poor-end", "Same again", "poor", 2, 66.7),
    ]


def test_talking_points_rank_where_the_room_most_often_lost_safety_or_standards(
    report: ScenarioReport,
) -> None:
    summary = [(t.scene_id, t.meter, t.lost, t.decided, t.average_loss) for t in report.talking_points]
    assert summary == [
        # Two of three lost standards by moving on: the largest share among the most frequent losses.
        ("second", "standards", 2, 3, 10.0),
        # Two of four each: the bigger average loss first.
        ("first", "safety", 2, 4, 10.0),
        ("first", "standards", 2, 4, 5.0),
    ]
    top = report.talking_points[0]
    assert round(top.percent, 1) == 66.7
    assert [(c.choice_id, c.text, c.count) for c in top.choices] == [("move-on", "Move on.", 2)]


def test_talking_points_are_capped(tiny: Scenario) -> None:
    room = room_report(RUNS, DECISIONS, [tiny], talking_points=1)
    assert len(room.scenarios[0].talking_points) == 1


def test_discussion_questions_come_from_the_scenario(tiny: Scenario) -> None:
    with_questions = replace(tiny, discussion=["Why thank first?", "What did moving on cost?"])
    (report,) = room_report(RUNS, DECISIONS, [with_questions]).scenarios
    assert report.discussion == ("Why thank first?", "What did moving on cost?")


def test_an_empty_room_has_zero_percentages_and_no_average(tiny: Scenario) -> None:
    room = room_report([], [], [tiny], include=["tiny"])
    (report,) = room.scenarios
    assert report.players == () and report.average is None and report.talking_points == ()
    assert all(c.percent == 0.0 and c.count == 0 for s in report.splits for c in s.choices)
    assert [e.count for e in report.endings] == [0, 0] and sum(report.zones.values()) == 0


def test_scenarios_appear_in_order_of_first_play(tiny: Scenario) -> None:
    other = start("r7", "Fay", scenario="elsewhere")
    room = room_report([run(other, []), *RUNS], DECISIONS, [tiny], include=["tiny", "never-played"])
    assert [s.scenario_id for s in room.scenarios] == ["elsewhere", "tiny"]
    assert room.scenario("never-played") is None


def test_a_scenario_no_longer_in_the_folder_is_reported_with_ids(tiny: Scenario) -> None:
    runs = [run(start("r1", "Ann", scenario="gone"), by_run("r1"), finish("r1", "good-end", (55, 60, 55)))]
    room = room_report(runs, by_run("r1"), [tiny])
    (report,) = room.scenarios
    assert not report.known and report.title == "Tiny"
    assert [(s.scene_id, s.heading, [(c.choice_id, c.text) for c in s.choices]) for s in report.splits] == [
        ("first", "first", [("thank", "thank")]),
        ("second", "second", [("review", "review")]),
    ]
    assert [(e.scene_id, e.count) for e in report.endings] == [("good-end", 1)]
    # Without the scenario's starting meters the first decision's change is unknown.
    assert report.talking_points == ()


def test_a_choice_removed_from_the_scenario_is_still_counted(tiny: Scenario) -> None:
    rows = [decision("r1", 0, "first", "shout", BLAME)]
    (report,) = room_report([run(start("r1", "Ann"), rows)], rows, [tiny]).scenarios
    assert [(c.choice_id, c.count) for c in report.splits[0].choices] == [
        ("thank", 0),
        ("blame", 0),
        ("shout", 1),
    ]
    assert player(report, "r1").where == "after The first call"


def test_json_document_rounds_percentages(report: ScenarioReport) -> None:
    document = RoomReport((report,)).as_dict()["scenarios"][0]
    assert document["splits"][1]["choices"][1] == {
        "choice": "move-on",
        "text": "Move on.",
        "count": 2,
        "percent": 66.7,
        "timed_out": 1,
    }
    assert document["average_meters"] == {"safety": 45.0, "standards": 50.0, "trust": 48.8, "players": 4}
    assert document["zones"] == {"learning": 1, "comfort": 1, "anxiety": 1, "apathy": 1}
    assert document["player_counts"] == {"counted": 5, "playing": 2, "finished": 3, "rewinds": 1}


@pytest.mark.parametrize("module", ["game.roomreport", "game.dashboard.reader", "game.commands.report"])
def test_the_report_imports_without_textual(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
