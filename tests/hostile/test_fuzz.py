"""Fuzzing the loader: whatever the bytes, the outcome is a valid scenario or a list of located problems.

Two sources of input: the shipped scenarios, mutated the way hands and tools break files (bytes
flipped, lines lost or doubled or re-indented, keys renamed, values of the wrong type), and YAML-ish
documents made up from scratch. No exception may escape `load_text`, `check_file` or `analyse`, and
every problem has a line and column of at least 1 and fits on one line. Derandomized (a fixed seed per
test), no example database, no deadline: the same few hundred examples on every run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.analysis import analyse
from game.library import check_file
from game.scenario import Problem, load_text
from game.scenario.errors import errors_in
from scoring import load_catalogue
from tests.hostile.limits import SHIPPED

SHIPPED_TEXTS = {path.name: path.read_bytes() for path in sorted(SHIPPED.glob("*.yaml"))}
CATALOGUE = load_catalogue()
FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Words a scenario uses as keys, a few near misses, and some that mean something to YAML.
KEYS = (
    *("format", "id", "title", "summary", "role", "minutes", "themes", "meters", "start", "scenes"),
    *("discussion", "text", "choices", "ending", "tone", "effects", "why", "principle", "next", "if"),
    *("flags", "sets", "clears", "timer", "on_timeout", "safety", "standards", "trust"),
    *("efects", "tittle", "Scenes", "<<", "?", "-", "0", "1", "yes", "no", "null", "~", "true"),
)
VALUES = (
    "[]",
    "{}",
    "~",
    "123",
    "-5.5",
    "1e400",
    ".nan",
    "true",
    "yes",
    '""',
    "[a, b]",
    "{a: 1}",
    "&anchor x",
    "*anchor",
    "!!str 1",
    "!!python/name:os.system",
    "!local x",
    "'>= 60'",
    ">= 60",
    "0x1F",
    "0o17",
    "2001-12-14",
    "190:20:30",
    '"\\e[31mred\\e[0m"',
    '"\\u202eevil"',
    "|\n  block",
    "[" * 80 + "]" * 80,
    "x" * 5000,
    "9" * 5000,
)
KEY_LINE = re.compile(rb"^(\s*(?:-\s+)?)([A-Za-z_][\w-]*)(:)", re.MULTILINE)
VALUE_LINE = re.compile(rb"^(\s*(?:-\s+)?[A-Za-z_][\w-]*:[ \t]+)(\S.*)$", re.MULTILINE)


def assert_only_located_problems(problems: list[Problem], valid: bool) -> None:
    for problem in problems:
        assert problem.line >= 1 and problem.column >= 1, problem
        assert problem.severity in ("error", "warning"), problem
        assert "\n" not in str(problem) and "\x1b" not in str(problem), problem
    if not valid:
        assert errors_in(problems), "not valid, yet no error says why"


def check_text(text: str) -> None:
    loaded = load_text(text, "fuzz.yaml", CATALOGUE)
    assert_only_located_problems(loaded.problems, loaded.scenario is not None)
    if loaded.scenario is not None:
        analysis = analyse(loaded.scenario)
        for finding in analysis.findings:
            assert loaded.problem(finding.path, finding.message).line >= 1


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def check_bytes(raw: bytes, folder: Path) -> None:
    path = folder / "fuzz.yaml"
    path.write_bytes(raw)
    checked = check_file(path)
    assert_only_located_problems(checked.problems, checked.loaded.scenario is not None)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return
    check_text(text)


# Mutations of a shipped file.


@st.composite
def flipped_bytes(draw: st.DrawFn, raw: bytes) -> bytes:
    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


@st.composite
def edited_lines(draw: st.DrawFn, raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    for _ in range(draw(st.integers(1, 4))):
        n = draw(st.integers(0, len(lines) - 1))
        match draw(st.sampled_from(("delete", "duplicate", "indent", "dedent", "swap"))):
            case "delete":
                del lines[n]
            case "duplicate":
                lines.insert(n, lines[n])
            case "indent":
                lines[n] = b"  " + lines[n]
            case "dedent":
                lines[n] = lines[n][2:] if lines[n].startswith(b"  ") else lines[n]
            case "swap":
                m = draw(st.integers(0, len(lines) - 1))
                lines[n], lines[m] = lines[m], lines[n]
        if not lines:
            lines = [b""]
    return b"\n".join(lines)


@st.composite
def renamed_keys(draw: st.DrawFn, raw: bytes) -> bytes:
    found = list(KEY_LINE.finditer(raw))
    for _ in range(draw(st.integers(1, 3))):
        match = draw(st.sampled_from(found))
        key = draw(st.sampled_from(KEYS) | st.text("abcdefghij-_", min_size=1, max_size=12)).encode()
        raw = raw[: match.start(2)] + key + raw[match.end(2) :]
        found = list(KEY_LINE.finditer(raw)) or found
    return raw


@st.composite
def swapped_values(draw: st.DrawFn, raw: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 3))):
        found = list(VALUE_LINE.finditer(raw))
        if not found:
            break
        match = draw(st.sampled_from(found))
        value = draw(st.sampled_from(VALUES)).encode()
        raw = raw[: match.start(2)] + value + raw[match.end(2) :]
    return raw


def mutants() -> st.SearchStrategy[bytes]:
    return st.sampled_from(sorted(SHIPPED_TEXTS)).flatmap(
        lambda name: st.one_of(
            flipped_bytes(SHIPPED_TEXTS[name]),
            edited_lines(SHIPPED_TEXTS[name]),
            renamed_keys(SHIPPED_TEXTS[name]),
            swapped_values(SHIPPED_TEXTS[name]),
        )
    )


@FUZZ
@given(mutants())
def test_a_mutated_shipped_scenario_loads_or_says_where_it_is_wrong(folder: Path, raw: bytes) -> None:
    check_bytes(raw, folder)


# Documents made up from scratch.

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(KEYS),
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=30,
)


@st.composite
def scenario_shaped(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly right at the top, anything below: the validator's deeper paths get exercised."""
    scenes = draw(st.dictionaries(st.sampled_from(("a", "b", "c", "end", "Bad Id")), documents, max_size=4))
    return {
        "format": draw(st.sampled_from(("tightrope/1", "tightrope/2", 1))),
        "id": draw(st.sampled_from(("fuzz", "Fuzz!", ""))),
        "title": "Fuzz",
        "summary": "s",
        "role": "r",
        "start": draw(st.sampled_from(("a", "b", "zz"))),
        "scenes": scenes,
        **draw(st.dictionaries(st.sampled_from(KEYS), documents, max_size=2)),
    }


YAMLISH = st.text(
    alphabet=st.sampled_from([*"abc:-[]{},&*!|>'\"#%@`?~\\ \n\t0123456789.", "\x1b", "é", "\u202e"]),
    max_size=200,
)


@FUZZ
@given(st.one_of(documents, scenario_shaped()))
def test_any_yaml_document_loads_or_says_where_it_is_wrong(document: Any) -> None:
    check_text(yaml.safe_dump(document, allow_unicode=True))


@FUZZ
@given(YAMLISH)
def test_any_yamlish_text_loads_or_says_where_it_is_wrong(text: str) -> None:
    check_text(text)
