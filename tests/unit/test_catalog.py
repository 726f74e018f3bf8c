"""The picker's catalogue: a cache hit needs no check (and no pydantic); any change to the bytes or to the
checking code is checked again; a damaged cache is only ever a miss."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import game.catalog
import game.library
from game.catalog import Entry, read_shelf
from game.library import Checked, check_files, default_folder, scenario_files

UI_SCENARIOS = Path(__file__).parent.parent / "ui" / "scenarios"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The UI tests' scenarios (two playable, one broken) in a folder of this test's own."""
    shelf = tmp_path / "scenarios"
    shutil.copytree(UI_SCENARIOS, shelf)
    return shelf


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the full check reads, in order."""
    names: list[str] = []
    real = game.library.check_file

    def counting(path: Path) -> Checked:
        names.append(path.name)
        return real(path)

    monkeypatch.setattr(game.library, "check_file", counting)
    return names


def by_name(entries: list[Entry]) -> dict[str, Entry]:
    return {entry.path.name: entry for entry in entries}


def cache_file(cache: Path) -> Path:
    [only] = cache.glob("*.json")
    return only


def scenario_file(cache: Path, scenario_id: str) -> Path:
    """The file where the cache keeps the checked scenario with this id."""
    [kept] = [
        path
        for path in cache.glob("*/*.json")
        if json.loads(path.read_text(encoding="utf-8"))["scenario"]["id"] == scenario_id
    ]
    return kept


def test_second_read_is_a_cache_hit_with_the_same_entries(
    folder: Path, cache: Path, checked: list[str]
) -> None:
    first = read_shelf(folder, cache)
    assert sorted(checked) == ["broken.yaml", "deadline.yaml", "retro.yaml"]
    checked.clear()
    assert read_shelf(folder, cache) == first
    assert checked == []


def after_a_cached_read(folder: Path, cache: Path, then: str) -> str:
    """What a fresh process prints when it reads the shelf from a warm cache as `entries`, runs `then`
    and prints the result with the heavy libraries it has imported."""
    game.catalog.code_fingerprint.cache_clear()  # the code as it is now, as the child process sees it
    read_shelf(folder, cache)
    code = (
        "import sys; from pathlib import Path; from game.catalog import read_shelf; "
        f"entries = read_shelf(Path({str(folder)!r}), Path({str(cache)!r})); "
        f"result = {then}; "
        "heavy = {m.split('.')[0] for m in sys.modules} & {'pydantic', 'yaml', 'textual'}; "
        "print(result, sorted(heavy), 'game.analysis' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_a_cache_hit_imports_neither_pydantic_nor_yaml(folder: Path, cache: Path) -> None:
    assert after_a_cached_read(folder, cache, "len(entries)") == "3 [] False"


def test_an_edited_file_is_checked_again_and_only_that_file(
    folder: Path, cache: Path, checked: list[str]
) -> None:
    read_shelf(folder, cache)
    checked.clear()
    retro = folder / "retro.yaml"
    retro.write_text(
        retro.read_text(encoding="utf-8").replace("title: ", "title: Edited ", 1), encoding="utf-8"
    )
    entries = by_name(read_shelf(folder, cache))
    assert checked == ["retro.yaml"]
    assert entries["retro.yaml"].title.startswith("Edited ")


def test_a_change_of_content_with_the_same_size_and_mtime_is_seen(
    folder: Path, cache: Path, checked: list[str]
) -> None:
    read_shelf(folder, cache)
    checked.clear()
    retro = folder / "retro.yaml"
    before = retro.stat()
    text = retro.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    swapped = "title: " + title[len("title: ") :].swapcase()
    retro.write_text(text.replace(title, swapped, 1), encoding="utf-8")
    os.utime(retro, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (retro.stat().st_size, retro.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    entries = by_name(read_shelf(folder, cache))
    assert checked == ["retro.yaml"]
    assert entries["retro.yaml"].title == swapped[len("title: ") :]


def test_other_checking_code_checks_everything_again(
    folder: Path, cache: Path, checked: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    read_shelf(folder, cache)
    checked.clear()
    monkeypatch.setattr(game.catalog, "code_fingerprint", lambda: "another version of the checking code")
    read_shelf(folder, cache)
    assert sorted(checked) == ["broken.yaml", "deadline.yaml", "retro.yaml"]


def test_the_fingerprint_covers_the_checking_code_and_the_principles() -> None:
    game.catalog.code_fingerprint.cache_clear()
    assert len(game.catalog.code_fingerprint()) == 64
    roots = {package for package, _ in game.catalog._CHECKING_CODE}
    patterns = {pattern for _, pattern in game.catalog._CHECKING_CODE}
    assert roots == {"game", "scoring"}
    assert {"scenario/*.py", "analysis.py", "library.py", "catalog.py", "principles.yaml"} <= patterns


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "{not json",
        lambda text: "[]",
        lambda text: text.replace('"title":', '"title": 5, "x":', 1),
        lambda text: text.replace('"errors":', '"errors": "many", "y":', 1),
        lambda text: text.replace('"id_at":[', '"id_at":[1,', 1),
        lambda text: text.replace('"files":{', '"files":[],"z":{', 1),
        lambda text: text.replace('"entry":{', '"entry":[],"w":{', 1),
    ],
    ids=["not-json", "not-an-object", "wrong-type", "wrong-count", "wrong-position", "no-files", "no-entry"],
)
def test_a_damaged_cache_is_a_miss_and_is_rewritten(
    folder: Path, cache: Path, checked: list[str], damage: Callable[[str], str]
) -> None:
    good = read_shelf(folder, cache)
    written = cache_file(cache).read_text(encoding="utf-8")
    cache_file(cache).write_text(damage(written), encoding="utf-8")
    checked.clear()
    assert read_shelf(folder, cache) == good
    assert checked  # what could not be read back was checked again
    assert json.loads(cache_file(cache).read_text(encoding="utf-8")) == json.loads(written)


def test_a_cache_that_cannot_be_written_is_not_an_error(folder: Path, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "cache-is-a-file"
    not_a_folder.write_text("", encoding="utf-8")
    assert len(read_shelf(folder, not_a_folder)) == 3


def test_an_invalid_scenario_is_cached_as_not_playable_with_its_error(
    folder: Path, cache: Path, checked: list[str]
) -> None:
    for attempt in ("miss", "hit"):
        broken = by_name(read_shelf(folder, cache))["broken.yaml"]
        assert not broken.playable and broken.id is None and broken.scenario is None
        assert broken.title == "broken.yaml"
        assert broken.problem == "broken.yaml:12:9: unknown key 'efects' (did you mean 'effects'?)", attempt
    assert checked.count("broken.yaml") == 1


def test_a_repeated_id_is_found_on_a_cache_hit_as_the_full_check_finds_it(
    folder: Path, cache: Path, checked: list[str]
) -> None:
    shutil.copy(folder / "retro.yaml", folder / "zz-retro.yaml")  # listed after retro.yaml
    for _ in ("miss", "hit"):
        entries = by_name(read_shelf(folder, cache))
    assert checked.count("zz-retro.yaml") == 1
    [copy] = [c for c in check_files(scenario_files([folder])) if c.loaded.file.endswith("zz-retro.yaml")]
    problem = copy.problems[-1]
    assert "is already used by" in problem.message
    assert entries["retro.yaml"].playable
    assert not entries["zz-retro.yaml"].playable
    assert (
        entries["zz-retro.yaml"].problem
        == f"zz-retro.yaml:{problem.line}:{problem.column}: {problem.message}"
    )


def test_the_shipped_shelf_from_the_cache_is_what_the_full_check_finds(cache: Path) -> None:
    folder = default_folder()
    read_shelf(folder, cache)
    entries = read_shelf(folder, cache)
    for entry, full in zip(entries, check_files(scenario_files([folder])), strict=True):
        scenario = full.loaded.scenario
        assert scenario is not None and full.playable and entry.playable
        assert full.analysis is not None
        paths = full.analysis.paths_to_endings(scenario)
        reachable = list(scenario.endings) if paths is None else [e for e, n in paths.items() if n > 0]
        assert (entry.id, entry.scenario_title, entry.minutes) == (
            scenario.id,
            scenario.title,
            scenario.minutes,
        )
        assert (entry.summary, entry.role) == (scenario.summary, scenario.role)
        assert list(entry.endings) == reachable
        assert len(entry.themes) == len(scenario.themes)


def test_the_scenario_is_loaded_when_asked_for_and_checked_again(folder: Path, cache: Path) -> None:
    read_shelf(folder, cache)
    deadline = by_name(read_shelf(folder, cache))["deadline.yaml"]
    scenario = deadline.scenario
    assert scenario is not None and scenario.id == deadline.id
    assert deadline.scenario is scenario  # loaded once

    retro = by_name(read_shelf(folder, cache))["retro.yaml"]
    (folder / "retro.yaml").write_text("format: tightrope/1\nid: [not, an, id]\n", encoding="utf-8")
    opened = retro.opened()
    assert opened.value is None
    assert opened.problem is not None and opened.problem.startswith("retro.yaml:")


def test_a_scenario_is_played_from_the_cache_without_pydantic_or_the_check(folder: Path, cache: Path) -> None:
    played = "[e.scenario.id for e in entries if e.playable]"
    assert after_a_cached_read(folder, cache, played) == "['deadline', 'retro'] [] False"


def test_the_scenario_from_the_cache_equals_the_one_the_check_loads(cache: Path, checked: list[str]) -> None:
    folder = default_folder()
    read_shelf(folder, cache)
    checked.clear()
    for entry, full in zip(read_shelf(folder, cache), check_files(scenario_files([folder])), strict=True):
        assert entry.scenario == full.loaded.scenario
    assert len(checked) == len(scenario_files([folder]))  # only check_files above checked anything


def test_a_damaged_cached_scenario_is_checked_again(folder: Path, cache: Path, checked: list[str]) -> None:
    read_shelf(folder, cache)
    kept = scenario_file(cache, "deadline")
    stored = json.loads(kept.read_text(encoding="utf-8"))
    stored["scenario"]["scenes"] = ["not", "a", "mapping"]
    kept.write_text(json.dumps(stored), encoding="utf-8")
    deadline = by_name(read_shelf(folder, cache))["deadline.yaml"]
    checked.clear()
    scenario = deadline.scenario
    assert scenario is not None and scenario.id == "deadline"
    assert checked == ["deadline.yaml"]


def test_the_shelf_holds_no_scenario_and_each_scenario_opens_from_its_own_file(
    cache: Path, checked: list[str]
) -> None:
    """A session reads the whole shelf, but plays one scenario: the shelf's file must not make it parse
    them all."""
    folder = default_folder()
    read_shelf(folder, cache)
    entries = read_shelf(folder, cache)
    index = json.loads(cache_file(cache).read_text(encoding="utf-8"))
    assert all(set(stored) == {"key", "entry"} for stored in index["files"].values())
    cache_file(cache).unlink()  # opening needs only the scenario's own file
    checked.clear()
    for entry, full in zip(entries, check_files(scenario_files([folder])), strict=True):
        assert entry.scenario == full.loaded.scenario
    assert len(checked) == len(entries)  # check_files above, and nothing else


def test_a_missing_scenario_file_is_a_miss_and_is_written_again(
    folder: Path, cache: Path, checked: list[str]
) -> None:
    read_shelf(folder, cache)
    scenario_file(cache, "retro").unlink()
    checked.clear()
    entries = by_name(read_shelf(folder, cache))
    assert checked == ["retro.yaml"]
    assert scenario_file(cache, "retro").is_file()  # written again
    checked.clear()
    assert entries["retro.yaml"].scenario is not None and checked == []


def test_the_scenario_of_a_file_that_is_gone_leaves_the_cache(folder: Path, cache: Path) -> None:
    read_shelf(folder, cache)
    gone = scenario_file(cache, "retro")
    assert gone.is_file()
    (folder / "retro.yaml").unlink()
    read_shelf(folder, cache)
    assert not gone.exists()
    assert scenario_file(cache, "deadline").is_file()  # still there for the file that is
