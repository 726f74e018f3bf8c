"""docs/authoring.md cannot drift: the reference comes from the models, the examples are real output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from game.authoring.graph import mermaid, text
from game.cli import main
from game.scenario import reference
from game.scenario.contract import Scenario
from game.scenario.loader import load_file
from scoring import load_catalogue

ROOT = Path(__file__).parent.parent.parent
DOC = ROOT / "docs" / "authoring.md"
TUTORIAL = ROOT / "tests" / "fixtures" / "authoring" / "missed-handoff.yaml"


def tutorial() -> Scenario:
    loaded = load_file(TUTORIAL, load_catalogue())
    assert loaded.scenario is not None, [str(p) for p in loaded.problems]
    return loaded.scenario


def test_doc_reference_section_is_the_generated_text() -> None:
    section = reference.section_of(DOC.read_text(encoding="utf-8"))
    assert section is not None, "docs/authoring.md lost its reference markers"
    assert section == reference.reference_markdown(), (
        "the format reference in docs/authoring.md is stale: "
        "run `python -m game.scenario.reference --write docs/authoring.md`"
    )


def test_every_model_field_is_in_the_reference_with_a_description() -> None:
    generated = reference.reference_markdown()
    for model, _ in reference.MODELS:
        for name, field in model.model_fields.items():
            assert f"| `{field.alias or name}` |" in generated
            assert reference.description(model, name), f"{model.__name__}.{name} has no description"


def test_reference_notes_name_fields_that_exist() -> None:
    for model, name in reference.FIELD_NOTES:
        assert name in model.model_fields, f"FIELD_NOTES names {model.__name__}.{name}, which is gone"


def test_reference_types_read_like_the_format() -> None:
    generated = reference.reference_markdown()
    assert "| `if` | [Condition](#condition) | no | none | Offered only when this holds. |" in generated
    assert "| `safety` | integer -30..30 | no | none |" in generated
    assert "| `scenes` | mapping of id → [Scene](#scene), at least 1 | yes |" in generated
    assert "| `tone` | `good`, `mixed` or `poor` | yes |" in generated
    assert "| `trust` | comparison | no | none | A comparison with an integer, quoted in YAML" in generated


def test_check_flag_reports_a_stale_doc(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "doc.md"
    doc.write_text(f"intro\n{reference.START_MARKER}\nold\n{reference.END_MARKER}\noutro\n")
    assert reference.main(["--check", str(doc)]) == 1
    assert "stale" in capsys.readouterr().err
    assert reference.main(["--write", str(doc)]) == 0
    assert reference.main(["--check", str(doc)]) == 0
    written = doc.read_text()
    assert written.startswith("intro\n") and written.endswith(f"{reference.END_MARKER}\noutro\n")


def test_tutorial_file_in_the_doc_is_the_checked_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    assert TUTORIAL.read_text(encoding="utf-8") in DOC.read_text(encoding="utf-8")
    assert main(["check", str(TUTORIAL), "--strict"]) == 0


def test_story_maps_in_the_doc_are_real_output() -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert f"```text\n{text(tutorial())}```" in doc
    assert f"```mermaid\n{mermaid(tutorial())}```" in doc


def test_balance_report_in_the_doc_is_real_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "my-scenarios").mkdir()
    shutil.copy(TUTORIAL, tmp_path / "my-scenarios" / "missed-handoff.yaml")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "my-scenarios/missed-handoff.yaml", "--strict", "--report"]) == 0
    assert f"```text\n{capsys.readouterr().out}```" in DOC.read_text(encoding="utf-8")


def test_draft_excerpt_in_the_doc_is_real_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The tutorial's first draft: `let-go` raised safety by 4, and a safety-first player won.
    final = TUTORIAL.read_text(encoding="utf-8")
    draft = final.replace("effects: {safety: +8, standards: -8}", "effects: {safety: +4, standards: -8}")
    assert draft != final
    (tmp_path / "draft.yaml").write_text(draft, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    main(["check", "draft.yaml", "--report"])
    out = capsys.readouterr().out
    excerpt = out[out.index("One-sided players") : out.index("  standards-first")]
    assert f"```text\n{excerpt}```" in DOC.read_text(encoding="utf-8")
