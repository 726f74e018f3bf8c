"""Line mode end to end: numbered choices in, explanations and a debrief out; pipes and EOF are safe."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_snapshot.plugin import Snapshot

from game.cli import main


def play(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], path: Path, answers: str, *flags: str
) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(answers))
    code = main(["play", str(path), "--plain", *flags])
    return code, capsys.readouterr().out


def test_full_run_matches_the_golden_text(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tiny_path: Path, snapshot: Snapshot
) -> None:
    code, out = play(monkeypatch, capsys, tiny_path, "1\n1\n")
    assert code == 0
    snapshot.snapshot_dir = Path(__file__).parent / "golden"
    snapshot.assert_match(out, "tiny_thank_review.txt")


def test_wrong_answers_are_asked_again(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tiny_path: Path
) -> None:
    code, out = play(monkeypatch, capsys, tiny_path, "banana\n0\n3\n²\n2\n\n1\n")
    assert code == 0
    assert out.count("Please answer with a number from 1 to 2") == 4
    assert "You chose: Find out whose fault it was." in out
    # After blaming, the review is not offered, so "1" is "Move on".
    assert "You chose: Move on." in out
    assert "=== Debrief: Same again (poor ending) ===" in out


def test_end_of_input_mid_scenario_exits_cleanly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tiny_path: Path
) -> None:
    code, out = play(monkeypatch, capsys, tiny_path, "1\n")
    assert code == 0
    assert out.rstrip().endswith("Input ended before the scenario did; nothing more to play.")
    assert "Debrief" not in out


def test_json_mode_emits_one_event_per_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tiny_path: Path
) -> None:
    _code, out = play(monkeypatch, capsys, tiny_path, "1\nx\n1\n", "--json")
    events = [json.loads(line) for line in out.splitlines()]
    assert [e["event"] for e in events] == [
        "start",
        "scene",
        "explanation",
        "scene",
        "invalid_answer",
        "explanation",
        "scene",
        "debrief",
    ]
    assert events[1]["choices"][0] == {"number": 1, "id": "thank", "text": "Thank them."}
    assert events[2]["changes"][0] == {
        "meter": "safety",
        "before": 45,
        "requested": 10,
        "after": 55,
        "applied": 10,
        "clamped": False,
    }
    assert events[-2]["choices"] == [] and events[-2]["text"] == "The team learns."
    debrief = events[-1]
    assert (debrief["zone"], debrief["score"], debrief["strongest"]) == ("learning", 66, "review")


def test_a_file_of_numbers_replays_through_a_real_pipe(tiny_path: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.txt"
    answers.write_text("2\n1\n")
    with answers.open() as stdin:
        result = subprocess.run(
            [sys.executable, "-m", "game", "play", str(tiny_path), "--plain"],
            stdin=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Zone: apathy zone" in result.stdout


def test_control_characters_in_scenario_text_are_not_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tiny_path: Path, tmp_path: Path
) -> None:
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(
        tiny_path.read_text().replace("Someone reports a problem.", '"Bell\\a \\e[31mred\\e[0m"')
    )
    code, out = play(monkeypatch, capsys, hostile, "1\n1\n")
    assert code == 0
    assert "Bell red" in out and "\x1b" not in out and "\a" not in out


def test_play_by_id_from_a_folder_and_unknown_id(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tiny_path: Path, tmp_path: Path
) -> None:
    (tmp_path / "renamed.yaml").write_text(tiny_path.read_text())
    monkeypatch.setattr(sys, "stdin", io.StringIO("1\n1\n"))
    assert main(["--scenarios", str(tmp_path), "play", "tiny", "--plain"]) == 0
    assert "Debrief" in capsys.readouterr().out
    assert main(["--scenarios", str(tmp_path), "play", "nope", "--plain"]) == 2
    assert "no scenario 'nope'" in capsys.readouterr().err


def test_playing_a_broken_file_prints_its_problems(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: tightrope/1\nid: x\n")
    assert main(["play", str(broken), "--plain"]) == 1
    assert f"{broken}:1:1: error: missing required key 'title'" in capsys.readouterr().err


def test_line_mode_records_the_run_in_the_results_store(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tiny_path: Path, tmp_path: Path
) -> None:
    from game.store import open_store

    store = tmp_path / "results.sqlite3"
    code, _ = play(monkeypatch, capsys, tiny_path, "2\n1\n", "--store", str(store), "--name", "[b]Dee[/b]")
    assert code == 0
    (run,) = open_store(store).runs()
    assert run.start.player_name == "[b]Dee[/b]"
    assert run.finish is not None and (run.finish.ending_tone, run.decisions) == ("poor", 2)


def test_an_unusable_store_is_reported_once_and_play_goes_on(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tiny_path: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"not a database" * 50)
    monkeypatch.setattr(sys, "stdin", io.StringIO("1\n1\n"))
    assert main(["play", str(tiny_path), "--plain", "--store", str(broken)]) == 0
    captured = capsys.readouterr()
    assert "=== Debrief" in captured.out
    assert captured.err.count("Results are not being recorded") == 1
