"""xAPI statements built from the scripted room: what each says, and that building them again is the same."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from game.store import DecisionRow, RunFinish, RunRow, RunStart, open_store
from game.xapi import (
    ANSWERED,
    COMPLETED,
    DEFAULT_BASE,
    INTERACTION,
    SIMULATION,
    duration,
    statements,
    timestamp,
)
from tests.ui.dashboard_snapshots.room import COHORT, fill, scenario
from tests.unit.conftest import report

EXT = f"{DEFAULT_BASE}/xapi/extensions/"


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[RunRow], list[DecisionRow]]:
    store = open_store(tmp_path_factory.mktemp("xapi") / "results.sqlite3")
    fill(store)
    runs = store.runs()
    decisions = store.decisions([run.start.run_id for run in runs])
    store.close()
    return runs, decisions


@pytest.fixture(scope="module")
def built(room: tuple[list[RunRow], list[DecisionRow]]) -> list[dict[str, Any]]:
    return statements(*room, [scenario()])


def of_run(built: list[dict[str, Any]], run_id: str) -> list[dict[str, Any]]:
    return [s for s in built if s["context"]["extensions"][EXT + "run"] == run_id]


def test_one_answered_per_decision_and_one_completed_per_finished_run(
    room: tuple[list[RunRow], list[DecisionRow]], built: list[dict[str, Any]]
) -> None:
    runs, decisions = room
    verbs = [s["verb"]["id"] for s in built]
    assert verbs.count(ANSWERED) == len(decisions) == 16  # the rewind replays its first decision
    assert verbs.count(COMPLETED) == sum(run.finished for run in runs) == 7
    # Run by run: its decisions in order, then its completion.
    assert [s["verb"]["id"] for s in of_run(built, "run-00")] == [ANSWERED, ANSWERED, COMPLETED]
    assert [s["result"]["response"] for s in of_run(built, "run-00")[:2]] == ["ask", "rewrite"]


def test_a_decision_is_answering_the_scene_with_the_choice_as_the_response(
    built: list[dict[str, Any]],
) -> None:
    first = of_run(built, "run-00")[0]
    assert first["verb"] == {"id": ANSWERED, "display": {"en-US": "answered"}}
    scene = first["object"]
    assert scene["id"] == f"{DEFAULT_BASE}/scenarios/handover/scenes/morning"
    assert scene["definition"]["name"] == {"en": "Nine o'clock"}
    assert (scene["definition"]["type"], scene["definition"]["interactionType"]) == (INTERACTION, "choice")
    assert [c["id"] for c in scene["definition"]["choices"]] == ["ask", "blame", "shrug"]
    assert first["result"]["response"] == "ask"
    assert first["result"]["duration"] == "PT4S"
    (parent,) = first["context"]["contextActivities"]["parent"]
    assert parent["id"] == f"{DEFAULT_BASE}/scenarios/handover"
    assert parent["definition"]["type"] == SIMULATION


def test_meter_changes_count_from_the_starting_meters_then_from_the_decision_before(
    built: list[dict[str, Any]],
) -> None:
    first, second, _ = of_run(built, "run-00")
    extensions = first["result"]["extensions"]
    assert extensions[EXT + "meters"] == {"safety": 58, "standards": 54, "trust": 50}
    assert extensions[EXT + "meter-changes"] == {"safety": 8, "standards": 4, "trust": 0}
    assert extensions[EXT + "principle"] == "psychological-safety"
    assert extensions[EXT + "timed-out"] is False
    assert second["result"]["extensions"][EXT + "meter-changes"] == {"safety": 0, "standards": 10, "trust": 6}


def test_a_timed_out_decision_says_so(built: list[dict[str, Any]]) -> None:
    timed_out = of_run(built, "run-03")[1]
    assert timed_out["result"]["response"] == "later"
    assert timed_out["result"]["extensions"][EXT + "timed-out"] is True
    assert timed_out["result"]["duration"] == "PT30S"


def test_a_finished_run_is_completed_with_its_score_success_and_duration(
    room: tuple[list[RunRow], list[DecisionRow]], built: list[dict[str, Any]]
) -> None:
    runs, _ = room
    finishes = {run.start.run_id: run.finish for run in runs if run.finish}
    good = of_run(built, "run-00")[-1]
    finish = finishes["run-00"]
    assert finish is not None
    assert good["object"]["id"] == f"{DEFAULT_BASE}/scenarios/handover"
    assert good["object"]["definition"]["name"] == {"en": "The Missed Handover"}
    assert good["result"]["score"] == {
        "scaled": finish.score / 100,
        "raw": finish.score,
        "min": 0,
        "max": 100,
    }
    assert (good["result"]["success"], good["result"]["completion"]) == (True, True)
    assert good["result"]["duration"] == "PT1M"  # started 09:00:00, finished 09:01:00
    assert good["result"]["extensions"][EXT + "zone"] == finish.zone
    assert good["timestamp"] == "2026-03-02T09:01:00.000+00:00"
    mixed = of_run(built, "run-01")[-1]
    assert mixed["result"]["extensions"][EXT + "ending-tone"] == "mixed"
    assert mixed["result"]["success"] is False


def test_an_unfinished_run_has_no_completed_statement(built: list[dict[str, Any]]) -> None:
    assert [s["verb"]["id"] for s in of_run(built, "run-05")] == [ANSWERED]  # Fatima: one move
    assert of_run(built, "run-08") == []  # Ivy: opened the scenario, decided nothing


def test_the_actor_is_an_account_of_the_cohort_without_names_or_email(built: list[dict[str, Any]]) -> None:
    for statement in built:
        assert statement["actor"] == {
            "objectType": "Agent",
            "account": {
                "homePage": f"{DEFAULT_BASE}/cohort/{COHORT}",
                "name": statement["actor"]["account"]["name"],
            },
        }
    assert {s["actor"]["account"]["name"] for s in of_run(built, "run-00")} == {"player-Ann"}
    assert "mbox" not in json.dumps(built)


def test_ids_are_derived_from_the_data_so_building_again_gives_the_same_statements(
    room: tuple[list[RunRow], list[DecisionRow]], built: list[dict[str, Any]]
) -> None:
    again = statements(*room, [scenario()])
    assert again == built
    ids = [s["id"] for s in built]
    assert len(set(ids)) == len(ids)
    registrations = {s["context"]["registration"] for s in of_run(built, "run-00")}
    assert len(registrations) == 1


def test_every_timestamp_has_a_time_zone(built: list[dict[str, Any]]) -> None:
    for statement in built:
        assert datetime.fromisoformat(statement["timestamp"]).utcoffset() is not None


def test_a_time_stored_without_a_zone_is_utc() -> None:
    assert timestamp("2026-03-02T09:00:00") == "2026-03-02T09:00:00.000+00:00"
    assert timestamp("2026-03-02T10:00:00.5+01:00") == "2026-03-02T10:00:00.500+01:00"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "PT0S"),
        (0.004, "PT0S"),
        (-3, "PT0S"),
        (4, "PT4S"),
        (4.25, "PT4.25S"),
        (83.5, "PT1M23.5S"),
        (120, "PT2M"),
        (3600, "PT1H"),
        (3725.25, "PT1H2M5.25S"),
    ],
)
def test_durations_are_iso_8601_to_the_hundredth(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_a_rewound_run_is_marked_as_an_experiment(built: list[dict[str, Any]]) -> None:
    rewind = of_run(built, "run-09")
    assert rewind and all(s["context"]["extensions"][EXT + "rewound-from"] == "run-00" for s in rewind)
    assert all(EXT + "rewound-from" not in s["context"]["extensions"] for s in of_run(built, "run-00"))


def test_a_scenario_file_since_removed_falls_back_to_what_the_store_has() -> None:
    start = RunStart("r1", "p1", "Ann", "", "gone", "Gone Title", "2026-03-02T09:00:00+00:00", "CODE")
    finish = RunFinish("r1", "2026-03-02T09:02:00+00:00", "end", "The end", "poor", "apathy", 20, 30, 30, 30)
    decision = DecisionRow("r1", 0, "first", "c1", False, None, 30, 30, 30, "2026-03-02T09:01:00+00:00")
    answered, completed = statements([RunRow(start, finish, 1)], [decision], [])
    assert answered["object"]["definition"] == {
        "name": {"en": "first"},
        "type": INTERACTION,
        "interactionType": "choice",
    }
    assert set(answered["result"]["extensions"]) == {EXT + "meters", EXT + "timed-out"}
    assert "duration" not in answered["result"]
    assert completed["object"]["definition"] == {"name": {"en": "Gone Title"}, "type": SIMULATION}
    assert completed["result"]["success"] is False
    assert answered["actor"]["account"]["homePage"] == f"{DEFAULT_BASE}/players"  # no cohort


def test_the_base_iri_is_configurable(room: tuple[list[RunRow], list[DecisionRow]]) -> None:
    built = statements(*room, [scenario()], base="https://learning.example.org/tightrope/")
    first = built[0]
    assert first["actor"]["account"]["homePage"] == f"https://learning.example.org/tightrope/cohort/{COHORT}"
    assert first["object"]["id"].startswith("https://learning.example.org/tightrope/scenarios/handover/")
    assert "https://learning.example.org/tightrope/xapi/extensions/meters" in first["result"]["extensions"]
    # The ids name the events, not where the IRIs live.
    assert [s["id"] for s in built] == [s["id"] for s in statements(*room, [scenario()])]


# --- the command -----------------------------------------------------------------------------------


def test_format_xapi_writes_a_json_array_of_the_cohorts_statements(
    store_path: Path, capsys: pytest.CaptureFixture[str], built: list[dict[str, Any]]
) -> None:
    code, out, err = report(capsys, "--store", str(store_path), "--cohort", COHORT, "--format", "xapi")
    assert (code, err) == (0, "")
    assert json.loads(out) == built
    code, out, _ = report(capsys, "--store", str(store_path), "--format", "xapi")
    assert code == 0 and len(json.loads(out)) == 2 * len(built)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lrs", "http://127.0.0.1:9/xAPI/", "--format", "csv"], "--lrs sends xAPI statements"),
        (
            ["--lrs", "http://user:secret@127.0.0.1:9/xAPI/"],
            "TIGHTROPE_LRS_AUTH=user:password, not in the URL",
        ),
        (["--lrs", "ftp://127.0.0.1/xAPI/"], "needs the LRS's http:// or https:// address"),
        (["--format", "xapi", "--xapi-base", "tightrope"], "--xapi-base needs an http:// or https:// IRI"),
    ],
)
def test_wrong_xapi_options_are_usage_errors(
    store_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, out, err = report(capsys, "--store", str(store_path), *args)
    assert (code, out) == (2, "")
    assert message in err
    assert "secret" not in err


def test_lrs_credentials_need_a_user_and_a_password(
    store_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIGHTROPE_LRS_AUTH", "just-a-token")
    code, _, err = report(capsys, "--store", str(store_path), "--lrs", "http://127.0.0.1:9/xAPI/")
    assert code == 2 and "TIGHTROPE_LRS_AUTH needs user:password" in err
