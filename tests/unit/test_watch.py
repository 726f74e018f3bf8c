"""Live preview's pieces without Textual: noticing real changes and carrying a run into the new version."""

from __future__ import annotations

import os
from pathlib import Path

from game.engine import Engine
from game.scenario import Scenario, load_file
from game.watch import FileWatch, carry_over
from scoring import load_catalogue


def load(path: Path) -> Scenario:
    scenario = load_file(path, load_catalogue()).scenario
    assert scenario is not None
    return scenario


def test_only_a_change_of_content_counts(tmp_path: Path, tiny_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(tiny_path.read_text())
    watch = FileWatch(path)
    assert not watch.changed()
    os.utime(path, ns=(1, 1))  # touched, same bytes
    assert not watch.changed()
    path.write_text(tiny_path.read_text().replace("Tiny", "Tinier"))
    assert watch.changed()
    assert not watch.changed()


def test_a_missing_file_is_not_a_change_until_it_returns(tmp_path: Path, tiny_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(tiny_path.read_text())
    watch = FileWatch(path)
    path.unlink()
    assert not watch.changed()
    path.write_text(tiny_path.read_text() + "\n# edited\n")
    assert watch.changed()


def test_a_run_replays_into_a_version_that_still_allows_it(tiny_path: Path, tmp_path: Path) -> None:
    old = Engine(load(tiny_path))
    state = old.choose(old.start(), "thank").state
    path = tmp_path / "s.yaml"
    path.write_text(tiny_path.read_text().replace("What now?", "What next?"))
    new = Engine(load(path))
    carried, note = carry_over(state, new)
    assert carried.scene == "second" and carried.history == state.history
    assert new.scene(carried).text == "What next?"
    assert "where you were" in note


def test_changed_choices_keep_the_scene_and_meters(tiny_path: Path, tmp_path: Path) -> None:
    old = Engine(load(tiny_path))
    state = old.choose(old.start(), "thank").state
    path = tmp_path / "s.yaml"
    path.write_text(tiny_path.read_text().replace("id: thank", "id: thanks"))
    carried, note = carry_over(state, Engine(load(path)))
    assert (carried.scene, carried.meters, carried.flags, carried.history) == (
        "second",
        state.meters,
        state.flags,
        (),
    )
    assert "history restarts" in note


def test_a_removed_scene_restarts_the_run(tiny_path: Path, tmp_path: Path) -> None:
    old = Engine(load(tiny_path))
    state = old.choose(old.start(), "thank").state
    text = tiny_path.read_text().replace("next: second", "next: good-end")
    text = text[: text.index("  second:")] + text[text.index("  good-end:") :]
    path = tmp_path / "s.yaml"
    path.write_text(text)
    new = Engine(load(path))
    carried, note = carry_over(state, new)
    assert carried == new.start()
    assert "is gone" in note
