"""`tightrope report --format csv|json` through the real command line, on a store filled by scripted runs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from game.cli import main
from game.commands.report import CSV_COLUMNS
from game.store import open_store
from tests.ui.dashboard_snapshots.room import COHORT, fill
from tests.unit.conftest import report


def test_json_has_per_scenario_aggregates(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = report(capsys, "--store", str(store_path), "--cohort", COHORT, "--format", "json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["cohort"] == COHORT
    (scenario,) = document["scenarios"]
    assert (scenario["id"], scenario["title"]) == ("handover", "The Missed Handover")
    assert scenario["player_counts"] == {"counted": 9, "playing": 3, "finished": 6, "rewinds": 1}
    morning = scenario["splits"][0]
    assert (morning["heading"], morning["decided"]) == ("Nine o'clock", 8)
    assert [(c["choice"], c["count"], c["percent"]) for c in morning["choices"]] == [
        ("ask", 4, 50.0),
        ("blame", 3, 37.5),
        ("shrug", 1, 12.5),
    ]
    assert scenario["zones"] == {"learning": 4, "comfort": 1, "anxiety": 2, "apathy": 1}
    assert [(e["tone"], e["count"]) for e in scenario["endings"]] == [("good", 2), ("mixed", 2), ("poor", 2)]
    assert scenario["average_meters"]["players"] == 8
    top = scenario["talking_points"][0]
    assert (top["scene"], top["meter"], top["lost"], top["decided"]) == ("morning", "safety", 3, 8)
    assert len(scenario["discussion"]) == 2
    assert "[bold]Mallory[/bold] [red]x" in [p["name"] for p in scenario["players"]]


def test_csv_has_one_row_per_scenario_scene_and_choice(
    store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = report(capsys, "--store", str(store_path), "--cohort", COHORT, "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert tuple(rows[0]) == CSV_COLUMNS
    body = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]]
    assert [(r["scene_id"], r["choice_id"], r["count"], r["percent"]) for r in body] == [
        ("morning", "ask", "4", "50.0"),
        ("morning", "blame", "3", "37.5"),
        ("morning", "shrug", "1", "12.5"),
        ("checklist", "rewrite", "2", "33.3"),
        ("checklist", "enforce", "2", "33.3"),
        ("checklist", "later", "2", "33.3"),
    ]
    later = body[-1]
    assert (later["cohort"], later["scenario_id"], later["decided"], later["timed_out"]) == (
        COHORT,
        "handover",
        "6",
        "1",
    )
    assert later["choice_text"] == "Leave it for now; the quarter is busy."


def test_without_a_cohort_every_cohort_counts(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = report(capsys, "--store", str(store_path), "--format", "json")
    assert code == 0
    assert json.loads(out)["scenarios"][0]["splits"][0]["decided"] == 16


def test_csv_columns_are_documented_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    help_text = capsys.readouterr().out
    assert all(column in help_text for column in CSV_COLUMNS)


def test_a_missing_store_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = report(capsys, "--store", str(tmp_path / "nowhere.sqlite3"), "--format", "json")
    assert (code, out) == (1, "")
    assert err.startswith("tightrope report: there is no results store at") and err.count("\n") == 1


def test_the_default_store_is_in_the_data_folder(
    private_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = report(capsys, "--format", "csv")
    assert code == 1 and str(private_data_dir / "results.sqlite3") in err
    fill_default = open_store(private_data_dir / "results.sqlite3")
    fill(fill_default)
    fill_default.close()
    code, out, _ = report(capsys, "--format", "csv")
    assert code == 0 and len(out.splitlines()) == 7


def test_a_corrupt_store_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "results.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    code, out, err = report(capsys, "--store", str(path), "--format", "csv")
    assert (code, out) == (1, "")
    assert "cannot open the results store" in err and err.count("\n") == 1
    assert "Traceback" not in err


def test_an_unknown_scenario_is_a_usage_error(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = report(capsys, "--store", str(store_path), "--scenario", "nope", "--format", "json")
    assert (code, out) == (2, "")
    assert "no scenario 'nope'" in err


def test_a_known_scenario_nobody_played_is_an_empty_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "results.sqlite3"
    open_store(path).close()
    code, out, _ = report(capsys, "--store", str(path), "--scenario", "handover", "--format", "json")
    assert code == 0
    (scenario,) = json.loads(out)["scenarios"]
    assert scenario["players"] == [] and scenario["average_meters"] is None
