"""`tightrope new ID`: a valid, commented starter scenario wired to the schema; never overwrites a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.authoring.scaffold import schema_reference, shipped_schema, starter
from game.balance import balance
from game.cli import main
from game.scenario.loader import load_file, load_text
from scoring import load_catalogue

MODELINE = "# yaml-language-server: $schema="


def test_new_writes_a_scenario_that_passes_check_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "drafts"
    assert main(["new", "late-release", "--dir", str(folder)]) == 0
    path = folder / "late-release.yaml"
    assert f"wrote {path}" in capsys.readouterr().out
    assert main(["check", str(path), "--strict"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "checked 1 file: 0 errors, 0 warnings"


def test_new_scenario_has_two_decisions_and_a_good_a_mixed_and_a_poor_ending(tmp_path: Path) -> None:
    assert main(["new", "late-release", "--dir", str(tmp_path)]) == 0
    loaded = load_file(tmp_path / "late-release.yaml", load_catalogue())
    assert loaded.scenario is not None
    scenario = loaded.scenario
    assert scenario.id == "late-release" and scenario.title == "Late release"
    decisions = [s for s in scenario.scenes.values() if not s.is_ending]
    assert len(decisions) == 2
    report = balance(scenario)
    assert sorted(e.tone for e in report.endings if e.reachable) == ["good", "mixed", "poor"]
    assert all(c.offered for c in report.choices)
    # The best answer is not the first listed, and no one-sided player wins.
    assert all(p.tone != "good" for p in report.policies)


def test_new_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("my precious draft\n")
    assert main(["new", "mine", "--dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"tightrope new: {path} already exists" in err
    assert path.read_text() == "my precious draft\n"


@pytest.mark.parametrize(
    "bad", ["Late-Release", "late_release", "late-", "late--release", "late release", ""]
)
def test_new_refuses_an_id_that_is_not_a_slug(
    bad: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", bad, "--dir", str(tmp_path)]) == 2
    assert "is not a valid id" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_outside_the_repository_the_modeline_names_the_installed_schema(tmp_path: Path) -> None:
    assert main(["new", "elsewhere", "--dir", str(tmp_path)]) == 0
    first = (tmp_path / "elsewhere.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == MODELINE + shipped_schema().resolve().as_posix()
    assert shipped_schema().is_file()


def test_inside_the_scenarios_folder_the_modeline_is_relative(tmp_path: Path) -> None:
    scenarios, schema = tmp_path / "repo" / "scenarios", tmp_path / "repo" / "assets" / "schema.json"
    assert schema_reference(scenarios, scenarios, schema) == "../assets/schema.json"
    assert schema_reference(scenarios / "drafts" / "mine", scenarios, schema) == "../../../assets/schema.json"
    assert schema_reference(tmp_path / "other", scenarios, schema) == schema.resolve().as_posix()


def test_the_shipped_scenarios_folder_points_at_the_shipped_schema() -> None:
    from game.paths import shipped

    reference = schema_reference(shipped("scenarios"))
    assert (shipped("scenarios") / reference).resolve() == shipped_schema().resolve()


def test_starter_text_mentions_its_own_path_and_is_valid_for_any_slug() -> None:
    text = starter("a1-b2", "x.json", "here/a1-b2.yaml")
    assert text.startswith(MODELINE + "x.json\n")
    assert "tightrope check here/a1-b2.yaml --strict" in text
    loaded = load_text(text, "a1-b2.yaml", load_catalogue())
    assert loaded.scenario is not None and loaded.scenario.id == "a1-b2"
