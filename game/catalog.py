"""The picker's catalogue of a scenario folder: an entry per file, cached so starting needs no pydantic.

An entry is what the full check (`game.library.check_file`: the loader, the cross-reference rules and the
analysis) found in one file, reduced to what the picker shows. Entries are cached as JSON in
`data_dir()/cache/`, one file per scenario folder, each keyed by the file's path, size, mtime_ns and the
sha256 of its bytes, all under a fingerprint of the code that checks (`code_fingerprint`). Every start
reads and hashes every file, and checks again only those whose key changed. So an entry from the cache
is "validated" in this exact sense: the same check, by the same code, on the same bytes, found it. The
rule that spans files (each id used once) is applied afresh on every start. A cache that cannot be read
or does not fit is ignored and rewritten; it is never an error.

The full scenario is loaded only when it is played (`Entry.scenario`). The cache keeps each playable
file's scenario as the game's plain classes write it (`Scenario.as_data`), in a file of its own beside
the entries, so reading the shelf parses no scenario and opening one parses only that one: if the file
still has the key the check saw, the scenario is built from that, with neither YAML nor pydantic;
otherwise the file is checked again. A browser session, one process per player, plays from the cache
this way.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.util
import json
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Final

from game import __version__
from game.library import duplicate_id, scenario_files
from game.paths import data_dir
from game.saves import (
    Invalid,
    Read,
    atomic_write,
    fields,
    list_of,
    mapping,
    optional,
    text,
    whole_number,
)
from game.text import printable

if TYPE_CHECKING:
    from game.library import Checked
    from game.scenario.models import Scenario

CACHE_FORMAT: Final = "tightrope-catalog/2"

# What decides an entry besides the file's bytes: the checking code, the principle catalogue (ids the
# rules accept, theme names shown), and the libraries that parse and validate.
_CHECKING_CODE = (
    ("game", "scenario/*.py"),
    ("game", "analysis.py"),
    ("game", "achievements_check.py"),
    ("game", "offers.py"),
    ("game", "library.py"),
    ("game", "catalog.py"),
    ("game", "text.py"),
    ("scoring", "*.py"),
    ("scoring", "principles.yaml"),
)
_CHECKING_LIBRARIES = ("pydantic", "pydantic_core", "yaml")


@dataclass(frozen=True, slots=True)
class Entry:
    """One file on the shelf: what the picker shows of its scenario, or the first error that stops it."""

    path: Path
    id: str | None = None  # the scenario's id, title, … are kept only when it is playable
    scenario_title: str | None = None
    summary: str = ""
    role: str = ""
    minutes: int | None = None
    themes: tuple[str, ...] = ()  # names, as the principle catalogue gives them
    endings: tuple[str, ...] = ()  # ids of the endings a player can reach (all of them if there is a loop)
    problem: str | None = None
    more_problems: int = 0
    cached_in: tuple[Path, str] | None = field(default=None, repr=False, compare=False)
    """The catalogue's cache file and this file's name in it, where its checked scenario may be kept."""
    _opened: list[Read[Scenario]] = field(default_factory=list, init=False, repr=False, compare=False)

    @property
    def playable(self) -> bool:
        return self.id is not None and self.problem is None

    @property
    def title(self) -> str:
        return printable(self.scenario_title) if self.scenario_title is not None else self.path.name

    @property
    def scenario(self) -> Scenario | None:
        """The full scenario, loaded when first asked for; None if the entry is not playable, or the file
        no longer is (then `opened().problem` says why)."""
        return self.opened().value

    def opened(self) -> Read[Scenario]:
        """The scenario as the full check finds the file now, loaded once (pydantic is imported here)."""
        if not self.playable:
            return Read(problem=self.problem)
        if not self._opened:
            cached = _cached_scenario(self.path, *self.cached_in) if self.cached_in else None
            self._opened.append(Read(cached) if cached is not None else _open(self.path))
        return self._opened[0]


def read_shelf(folder: Path, cache_folder: Path | None = None) -> list[Entry]:
    """Every scenario file in `folder` as an entry: from the cache where neither the file nor the checking
    code changed, from a full check otherwise (and then the cache is rewritten)."""
    files = scenario_files([folder])
    cache_file = _cache_file(folder, cache_folder if cache_folder is not None else data_dir() / "cache")
    code = code_fingerprint()
    cached = _read_cache(cache_file, code)
    records: list[_Record] = []
    keep: dict[str, object] = {}
    for path in files:
        name = path.relative_to(folder).as_posix()
        key = _key(path)
        record = _from_cache(cached.get(name), key)
        if record is not None and (record.problem is not None or _scenario_file(cache_file, name).is_file()):
            keep[name] = cached[name]
        else:
            record, scenario = _check(path)
            # Cached only if what was checked is still what is there (readable, and not changed meanwhile).
            if key is not None and _key(path) == key:
                keep[name] = {"key": key, "entry": record.as_data()}
                if scenario is not None:
                    _write_scenario(_scenario_file(cache_file, name), code, key, scenario)
        records.append(record)
    if keep != cached:
        _write_cache(cache_file, folder, code, keep)
    return _entries(files, records, (cache_file, folder))


@cache
def code_fingerprint() -> str:
    """A digest of everything, besides a file's bytes, that decides what the check finds in it."""
    digest = hashlib.sha256(f"{CACHE_FORMAT} {__version__} {sys.version}".encode())
    for package, pattern in _CHECKING_CODE:
        origin = _origin(package)
        root = origin.parent if origin is not None else Path(package)
        for path in sorted(root.glob(pattern)):
            digest.update(f"\0{package}/{path.relative_to(root).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    for library in _CHECKING_LIBRARIES:
        # An upgrade rewrites a library's files: the size and time of its first one stand for its version.
        origin = _origin(library)
        stat = origin.stat() if origin is not None else None
        digest.update(f"\0{library} {origin} {stat and (stat.st_size, stat.st_mtime_ns)}".encode())
    return digest.hexdigest()


def _origin(package: str) -> Path | None:
    """The file a top-level package is loaded from, found without importing the package."""
    spec = importlib.util.find_spec(package)
    return Path(spec.origin) if spec is not None and spec.origin else None


# One file's key and entry, as the cache keeps them.

_Key = dict[str, object]


def _key(path: Path) -> _Key | None:
    """The file's path is the cache's own key; this is the rest: size, mtime_ns and sha256 of its bytes."""
    try:
        stat = path.stat()
        raw = path.read_bytes()
    except OSError:
        return None
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": hashlib.sha256(raw).hexdigest()}


@dataclass(frozen=True, slots=True)
class _Record:
    """What the full check found in one file, before the rule that spans files."""

    id: str | None = None  # set whenever the file loaded, playable or not: the id rule needs it
    id_at: tuple[int, int] = (1, 1)  # line and column of the id, for the id rule's message
    title: str | None = None
    summary: str = ""
    role: str = ""
    minutes: int | None = None
    themes: tuple[str, ...] = ()
    endings: tuple[str, ...] = ()
    problem: str | None = None  # the first error, on one line
    errors: int = 0

    def as_data(self) -> dict[str, object]:
        return {
            "id": self.id,
            "id_at": list(self.id_at),
            "title": self.title,
            "summary": self.summary,
            "role": self.role,
            "minutes": self.minutes,
            "themes": list(self.themes),
            "endings": list(self.endings),
            "problem": self.problem,
            "errors": self.errors,
        }

    @classmethod
    def parse(cls, data: object) -> _Record:
        keys = [spec.name for spec in dataclasses.fields(cls)]
        found = fields(data, "entry", required=keys)
        id_at = list_of(found["id_at"], "id_at", whole_number)
        if len(id_at) != 2:
            raise Invalid("id_at", "should be a line and a column")
        return cls(
            id=optional(found["id"], "id", text),
            id_at=(id_at[0], id_at[1]),
            title=optional(found["title"], "title", text),
            summary=text(found["summary"], "summary"),
            role=text(found["role"], "role"),
            minutes=optional(found["minutes"], "minutes", whole_number),
            themes=list_of(found["themes"], "themes", text),
            endings=list_of(found["endings"], "endings", text),
            problem=optional(found["problem"], "problem", text),
            errors=whole_number(found["errors"], "errors"),
        )


def _check(path: Path) -> tuple[_Record, Scenario | None]:
    """The full check of one file (this is where YAML, pydantic and the analysis are imported), and its
    scenario when the file is playable."""
    from game.library import check_file

    checked = check_file(path)
    return _record_of(checked), checked.loaded.scenario if checked.playable else None


def _record_of(checked: Checked) -> _Record:
    from game.scenario.errors import errors_in
    from scoring import load_catalogue

    loaded, scenario = checked.loaded, checked.loaded.scenario
    errors = errors_in(checked.problems)
    first = None
    if errors:
        first = _one_line(Path(errors[0].file).name, errors[0].line, errors[0].column, errors[0].message)
    if scenario is None:
        return _Record(problem=first, errors=len(errors))
    paths = checked.analysis.paths_to_endings(scenario) if checked.analysis else None
    # Only the endings a player can reach; with a loop every ending is assumed reachable.
    endings = tuple(scenario.endings) if paths is None else tuple(e for e, n in paths.items() if n > 0)
    catalogue = load_catalogue()
    where = loaded.problem(("id",), "")  # where the id is written, for the id rule's message
    return _Record(
        id=scenario.id,
        id_at=(where.line, where.column),
        title=scenario.title,
        summary=scenario.summary,
        role=scenario.role,
        minutes=scenario.minutes,
        themes=tuple(catalogue[t].name if t in catalogue else t for t in scenario.themes),
        endings=endings,
        problem=first,
        errors=len(errors),
    )


def _one_line(file_name: str, line: int, column: int, message: str) -> str:
    """`broken.yaml:3:1: unknown key 'efects'`: the file's name, not where it happens to be on disk."""
    return printable(f"{file_name}:{line}:{column}: {message}")


def _entries(files: list[Path], records: list[_Record], cache: tuple[Path, Path]) -> list[Entry]:
    """Entries for the picker, after the rule that spans files: ids are unique within the folder."""
    cache_file, folder = cache
    first_file: dict[str, str] = {}
    entries = []
    for path, record in zip(files, records, strict=True):
        problem, more = record.problem, max(0, record.errors - 1)
        if record.id is not None and record.id in first_file:
            # The id rule's error comes after the file's own, as `tightrope check` lists them.
            message = duplicate_id(record.id, first_file[record.id])
            problem = problem or _one_line(path.name, *record.id_at, message)
            more = record.errors
        elif record.id is not None:
            first_file[record.id] = str(path)
        if record.id is None or problem is not None:
            entries.append(Entry(path, problem=problem, more_problems=more))
            continue
        entries.append(
            Entry(
                path,
                id=record.id,
                scenario_title=record.title,
                summary=record.summary,
                role=record.role,
                minutes=record.minutes,
                themes=record.themes,
                endings=record.endings,
                cached_in=(cache_file, path.relative_to(folder).as_posix()),
            )
        )
    return entries


def _cached_scenario(path: Path, cache_file: Path, name: str) -> Scenario | None:
    """The scenario the cache keeps for `path`, if the file still has the key the check saw."""
    from game.scenario.models import Scenario

    try:
        cached = json.loads(_scenario_file(cache_file, name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(cached, dict) or "scenario" not in cached:
        return None
    if (cached.get("format"), cached.get("code")) != (CACHE_FORMAT, code_fingerprint()):
        return None
    if cached.get("key") != _key(path):
        return None
    try:
        return Scenario.from_data(cached["scenario"])
    except ValueError:
        return None


def _open(path: Path) -> Read[Scenario]:
    """The scenario to play, fully checked again: the file may have changed since the shelf was read."""
    from game.library import check_file

    checked = check_file(path)
    if checked.loaded.scenario is not None and checked.playable:
        return Read(checked.loaded.scenario)
    return Read(problem=_record_of(checked).problem or "it has changed since the game started")


# The cache file: one per scenario folder.


def _cache_file(folder: Path, cache_folder: Path) -> Path:
    where = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    return cache_folder / f"scenarios-{where}.json"


def _scenario_file(cache_file: Path, name: str) -> Path:
    """Where the cache keeps the checked scenario of the file `name` in the folder: beside the entries."""
    return cache_file.with_suffix("") / f"{hashlib.sha256(name.encode()).hexdigest()[:32]}.json"


def _write_scenario(where: Path, code: str, key: _Key, scenario: Scenario) -> None:
    data = {"format": CACHE_FORMAT, "code": code, "key": key, "scenario": scenario.as_data()}
    with contextlib.suppress(OSError):
        where.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(where, json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def _read_cache(cache_file: Path, code: str) -> dict[str, object]:
    """The cached files (by path within the folder), or nothing if the cache is missing, unreadable,
    of another format, or made by other checking code."""
    try:
        data = json.loads(cache_file.read_text(encoding="utf-8"))
        found = fields(data, "", required=("format", "code", "folder", "files"))
    except (OSError, ValueError):
        return {}
    if found["format"] != CACHE_FORMAT or found["code"] != code:
        return {}
    try:
        return mapping(found["files"], "files")
    except Invalid:
        return {}


def _from_cache(cached: object, key: _Key | None) -> _Record | None:
    """The cached record of a file, if there is one for exactly this key and it reads back whole."""
    if key is None or not isinstance(cached, dict) or cached.get("key") != key:
        return None
    try:
        return _Record.parse(cached.get("entry"))
    except Invalid:
        return None


def _write_cache(cache_file: Path, folder: Path, code: str, files: dict[str, object]) -> None:
    data = {"format": CACHE_FORMAT, "code": code, "folder": str(folder.resolve()), "files": files}
    # A cache that cannot be written only means that the next start checks again.
    with contextlib.suppress(OSError):
        atomic_write(cache_file, json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    # The scenarios of files that are gone (renamed, deleted) go with them.
    kept = {_scenario_file(cache_file, name).name for name in files}
    with contextlib.suppress(OSError):
        for stale in cache_file.with_suffix("").glob("*.json"):
            if stale.name not in kept:
                stale.unlink(missing_ok=True)
