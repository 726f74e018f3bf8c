"""`tightrope check`: output lines, summary, exit codes, --strict and --format json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from game.cli import main


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


WARNING_ONLY = """\
format: tightrope/1
id: warned
title: W
summary: S.
role: R.
start: a
scenes:
  a:
    text: x
    choices:
      - text: Only when trust is sky high.
        if: {trust: ">= 99"}
        next: b
      - text: Go on.
        next: b
  b:
    text: y
    ending: {title: End, tone: good}
"""


def test_clean_folder_exits_zero_with_summary(
    capsys: pytest.CaptureFixture[str], tiny_path: Path, tmp_path: Path
) -> None:
    shutil.copy(tiny_path, tmp_path / "tiny.yaml")
    assert main(["check", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "checked 1 file: 0 errors, 0 warnings"


def test_errors_exit_one_and_print_file_line_col(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", "format: tightrope/1\nid: Bad\n")
    assert main(["check", str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith(f"{bad}:2:1: error: 'Bad' is not a valid id") for line in lines)
    assert lines[-1].startswith("checked 1 file: ")


def test_warnings_pass_unless_strict(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "w.yaml", WARNING_ONLY)
    assert main(["check", str(path)]) == 0
    assert "warning: choice 'c1' is never offered" in capsys.readouterr().out
    assert main(["check", "--strict", str(path)]) == 1


def test_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["check", str(tmp_path / "nope.yaml")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_no_arguments_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check"])
    assert exit_info.value.code == 2


def test_duplicate_ids_across_a_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_path: Path
) -> None:
    shutil.copy(tiny_path, tmp_path / "one.yaml")
    shutil.copy(tiny_path, tmp_path / "two.yaml")
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert (
        f"{tmp_path / 'two.yaml'}:2:1: error: scenario id 'tiny' is already used by {tmp_path / 'one.yaml'}"
        in out
    )


def test_json_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path, "w.yaml", WARNING_ONLY)
    assert main(["check", "--format", "json", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["errors"], report["warnings"], report["files"]) == (0, 1, [str(path)])
    (problem,) = report["problems"]
    assert (problem["line"], problem["column"], problem["severity"]) == (12, 9, "warning")
