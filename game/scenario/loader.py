"""Reading scenario files: YAML → data → models → cross-reference rules; every problem has file:line:col."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Union

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from game.scenario import contract
from game.scenario.errors import KeyPath, Problem, Severity, format_key_path
from game.scenario.models import FORMAT, Scenario
from game.scenario.rules import check_references
from game.scenario.source import Document, SourceError, decode
from game.text import printable, quoted, shortened

MAX_FILE_BYTES = 8 * 1024 * 1024
# A file with thousands of mistakes is reported as its first hundred and a count of the rest: more
# would bury the first ones, and describing each (with a suggestion) costs time a hostile file could
# otherwise make as long as it liked.
MAX_PROBLEMS = 100
# A message quotes what it is about (a value, an id, a key); a quote is cut, and so is a whole message,
# so that one problem stays one readable line however long the text it quotes.
MAX_MESSAGE = 300


@dataclass
class Loaded:
    """What loading one file produced: the scenario when it is valid, and every problem found."""

    file: str
    scenario: Scenario | None = None
    document: Document | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.scenario is not None

    def problem(self, path: KeyPath, message: str, severity: Severity = "error") -> Problem:
        position = self.document.locate(path) if self.document else None
        line, column = (position.line, position.column) if position else (1, 1)
        return located(self.file, line, column, severity, message, format_key_path(path))


def located(
    file: str, line: int, column: int, severity: Severity, message: str, key_path: str = ""
) -> Problem:
    """A problem made safe to print, on one line: its message and key path may quote the file's text,
    which may hold control characters or escape sequences (in a key, say) that a terminal would obey."""
    return Problem(
        _one_line(file), line, column, severity, _one_line(message, MAX_MESSAGE), _one_line(key_path, 200)
    )


def _one_line(text: str, limit: int | None = None) -> str:
    line = printable(text).replace("\n", " ").replace("\t", " ")
    return shortened(line, limit) if limit is not None else line


def load_file(path: Path, principles: Collection[str]) -> Loaded:
    name = str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return Loaded(name, problems=[located(name, 1, 1, "error", f"cannot read: {exc.strerror}")])
    if len(raw) > MAX_FILE_BYTES:
        message = f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB: split it"
        return Loaded(name, problems=[located(name, 1, 1, "error", message)])
    try:
        text = decode(raw)
    except SourceError as exc:
        return Loaded(name, problems=[located(name, exc.line, exc.column, "error", exc.message)])
    return load_text(text, name, principles)


def load_text(text: str, file: str, principles: Collection[str]) -> Loaded:
    loaded = Loaded(file)
    try:
        loaded.document = Document(text)
    except SourceError as exc:
        loaded.problems.append(located(file, exc.line, exc.column, "error", exc.message))
        return loaded
    if cleaned := loaded.document.cleaned:
        first, more = cleaned[0], len(cleaned) - 1
        also = f" (and in {more} more place{'s' * (more != 1)})" if more else ""
        message = f"control characters or terminal escape sequences were removed from this text{also}"
        loaded.problems.append(located(file, first.line, first.column, "warning", message))
    data = loaded.document.data
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        loaded.problems.append(
            loaded.problem((), f"a scenario is a mapping of keys (format, id, scenes, ...), not {kind}")
        )
        return loaded
    try:
        scenario = contract.Scenario.model_validate(data).story()
    except ValidationError as exc:
        errors = exc.errors()
        loaded.problems.extend(
            loaded.problem(tuple(e["loc"]), describe(e, data)) for e in errors[:MAX_PROBLEMS]
        )
        if len(errors) > MAX_PROBLEMS:
            loaded.problems.append(_more(loaded, tuple(errors[MAX_PROBLEMS]["loc"]), len(errors)))
        return loaded
    findings = list(islice(check_references(scenario, principles), MAX_PROBLEMS + 1))
    loaded.problems.extend(loaded.problem(path, message) for path, message in findings[:MAX_PROBLEMS])
    if len(findings) > MAX_PROBLEMS:
        loaded.problems.append(_more(loaded, findings[MAX_PROBLEMS][0], None))
    if not findings:
        loaded.scenario = scenario
    return loaded


def _more(loaded: Loaded, path: KeyPath, total: int | None) -> Problem:
    """The problem that stands for those not listed, pointed at the first of them."""
    count = f"{total - MAX_PROBLEMS} more problems" if total is not None else "more problems"
    return loaded.problem(path, f"{count} after the first {MAX_PROBLEMS}: fix these and check again")


def describe(error: ErrorDetails, data: Any) -> str:
    """One pydantic error in the words a facilitator needs: what is wrong and what to do."""
    loc = tuple(error["loc"])
    kind = error["type"]
    key = str(loc[-1]) if loc else ""
    if loc == ("format",) and kind in {"literal_error", "missing"}:
        got = data.get("format")
        return (
            f"unsupported format {quoted(got)}: write `format: {FORMAT}`"
            if got
            else (f"missing `format: {FORMAT}` at the top of the file")
        )
    if kind == "extra_forbidden":
        return f"unknown key {quoted(key)}{_suggest_key(loc)}"
    if kind == "missing":
        return f"missing required key {quoted(key)}"
    if kind == "string_pattern_mismatch":
        if "(>=|<=|==|>|<)" in str(error.get("ctx", {}).get("pattern", "")):
            return f'{quoted(error["input"])} is not a comparison: write it quoted, like ">= 60"'
        return (
            f"{quoted(error['input'])} is not a valid id: use lowercase letters, digits and hyphens, "
            "like 'near-miss'"
        )
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return f"{key} is {error['input']}: {error['msg'].lower()}"
    if kind == "literal_error":
        return f"{quoted(error['input'])} is not allowed here: {error['msg'].lower()}"
    if kind == "too_short" and key == "scenes":
        return "a scenario needs at least one scene"
    return f"{shortened(key)}: {error['msg']}" if key else error["msg"]


def _suggest_key(loc: KeyPath) -> str:
    model = _model_at(loc[:-1])
    if model is None:
        return ""
    allowed = [f.alias or name for name, f in model.model_fields.items()]
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f"; allowed here: {', '.join(allowed)}"


def _model_at(loc: Iterable[str | int]) -> type[BaseModel] | None:
    """The model that validates the mapping at `loc`, found by walking the field annotations."""
    current: Any = contract.Scenario
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {f.alias or name: f for name, f in current.model_fields.items()}
            if part not in fields:
                return None
            current = fields[str(part)].annotation
        elif typing.get_origin(current) is dict:
            current = typing.get_args(current)[1]
        elif typing.get_origin(current) is list:
            current = typing.get_args(current)[0]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = members[0]
        else:
            return annotation
