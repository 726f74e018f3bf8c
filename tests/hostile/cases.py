"""Hostile scenario files: each one a way a file can be wrong, what the facilitator must be told about it
and, where it is fixed, the line that must be pointed at. Built from the tiny fixture so that the one
mistake is the only one."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.hostile.limits import TINY

TEXT = TINY.read_text(encoding="utf-8")
TINY_LINES = TEXT.count("\n")


@dataclass(frozen=True)
class Hostile:
    name: str
    content: Callable[[], bytes]
    message: str  # what the one-line error must say
    line: int | None = None  # the line it must point at, where that is fixed

    @property
    def file_name(self) -> str:
        return f"{self.name}.yaml"

    def write(self, folder: Path) -> Path:
        path = folder / self.file_name
        if not path.exists():
            path.write_bytes(self.content())
        return path


def _text(text: str) -> Callable[[], bytes]:
    return lambda: text.encode("utf-8")


def _tiny_with(old: str, new: str) -> Callable[[], bytes]:
    assert old in TEXT, old
    return _text(TEXT.replace(old, new, 1))


def _billion_laughs() -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        this, previous = chr(97 + n), chr(96 + n)
        lines.append(f"{this}: &{this} [" + ",".join([f"*{previous}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


def _wide_alias() -> bytes:
    # Not nested at all: one list of 20,000 items named 20,000 times, 400 million values expanded.
    items = ",".join(["1"] * 20_000)
    return f"x: &x [{items}]\ny: [{','.join(['*x'] * 20_000)}]\n".encode()


def _binary() -> bytes:
    return random.Random(9).randbytes(64 * 1024)


def _binary_without_nul() -> bytes:
    return bytes(b for b in random.Random(10).randbytes(64 * 1024) if b)


def _deep_block() -> bytes:
    return "".join("  " * depth + f"k{depth}:\n" for depth in range(200)).encode() + b"  " * 200 + b"x\n"


def _many_unknown_keys() -> bytes:
    return (TEXT + "".join(f"unknown-{n}: v\n" for n in range(60_000))).encode()


def _many_values() -> bytes:
    # Just under the size limit: 4 million one-digit values in one flow list.
    return b"a: [" + b",".join([b"1"] * (4 * 1024 * 1024 - 8)) + b"]\n"


def _python_apply() -> bytes:
    return TEXT.replace(
        "title: Tiny", "title: !!python/object/apply:os.system ['touch /tmp/tightrope-pwned']", 1
    ).encode()


HOSTILE: tuple[Hostile, ...] = (
    Hostile("alias-bomb", _billion_laughs, "too many values"),
    Hostile("wide-alias", _wide_alias, "too many values", line=2),
    Hostile("recursive-alias", _text("a: &a [1, *a]\n"), "the alias *a is inside the value it names", 1),
    Hostile("undefined-alias", _text("a: *nowhere\n"), "names no anchor", 1),
    Hostile("deep-flow", _text("a: " + "[" * 100_000 + "]" * 100_000 + "\n"), "nesting is deeper than", 1),
    Hostile("deep-flow-mapping", _text("a: " + "{a: " * 5_000 + "1" + "}" * 5_000 + "\n"), "nesting", 1),
    Hostile("deep-block", _deep_block, "nesting is deeper than 64 levels", 65),
    Hostile("too-large", lambda: b"a: " + b"x" * (9 * 1024 * 1024) + b"\n", "larger than 8 MiB", 1),
    Hostile("many-values", _many_values, "too many values", 1),
    Hostile("many-unknown-keys", _many_unknown_keys, "unknown key 'unknown-0'", TINY_LINES + 1),
    Hostile("long-line", _text("a: " + "b " * 2_000_000 + "\n"), "missing `format: tightrope/1`", 1),
    Hostile("binary", _binary, "not valid UTF-8", 1),
    Hostile("binary-without-nul", _binary_without_nul, "not valid UTF-8", 1),
    Hostile("raw-escape", _tiny_with("title: Tiny", "title: Ti\x1b[2Jny"), "control character (U+001B)", 3),
    Hostile("nul-byte", _tiny_with("title: Tiny", "title: Ti\0ny"), "NUL bytes", 3),
    Hostile("invalid-utf8", lambda: b"format: tightrope/1\nid: \xff\xfe\n", "not valid UTF-8", 2),
    Hostile("utf16", lambda: TEXT.encode("utf-16"), "not valid UTF-8", 1),
    Hostile("tabs", _tiny_with("  first:", "\tfirst:"), "indent with spaces, not tabs", 9),
    Hostile("empty", _text(""), "the file is empty", 1),
    Hostile("only-comments", _text("# nothing here\n\n   \n"), "the file is empty", 1),
    Hostile("top-level-list", _text("- format: tightrope/1\n- id: tiny\n"), "not a list", 1),
    Hostile("top-level-scalar", _text("tightrope\n"), "not a single value", 1),
    Hostile("two-documents", _text(TEXT + "---\n" + TEXT), "a file holds one scenario", TINY_LINES + 1),
    Hostile("duplicate-top-key", _text(TEXT + "id: again\n"), "duplicate key 'id'", TINY_LINES + 1),
    Hostile(
        "duplicate-nested-key",
        _tiny_with("        why: Thanks invite more reports.\n", "        why: a\n        why: b\n"),
        "duplicate key 'why'",
        17,
    ),
    Hostile(
        "duplicate-scene",
        _text(TEXT + "  first:\n    text: Again.\n    ending: {title: Again, tone: poor}\n"),
        "duplicate key 'first'",
        TINY_LINES + 1,
    ),
    Hostile(
        "duplicate-key-as-boolean",
        _text(TEXT.replace("meters: {safety: 45, standards: 55}", "meters: {yes: 1, 'yes': 2}")),
        "duplicate key 'yes'",
        6,
    ),
    Hostile("python-apply-tag", _python_apply, "unsupported YAML tag", 3),
    Hostile(
        "python-name-tag",
        _tiny_with("title: Tiny", "title: !!python/name:os.system"),
        "unsupported YAML tag",
        3,
    ),
    Hostile(
        "python-object-mapping",
        _tiny_with("meters: {safety: 45", "meters: !!python/object:os.Foo {safety: 45"),
        "unsupported YAML tag",
        6,
    ),
    Hostile("unknown-local-tag", _tiny_with("title: Tiny", "title: !shout Tiny"), "unsupported YAML tag", 3),
    Hostile("tag-on-document", _text("!scenario\n" + TEXT), "unsupported YAML tag '!scenario'", 1),
    Hostile("set-tag", _tiny_with("title: Tiny", "title: !!set {a, b}"), "unsupported YAML tag", 3),
    Hostile("binary-tag", _tiny_with("title: Tiny", "title: !!binary aGVsbG8="), "unsupported YAML tag", 3),
    Hostile("merge-key", _text("a: &a {x: 1}\nb:\n  <<: *a\n"), "merge keys (<<) are not supported", 3),
    Hostile("mapping-as-key", _text("? {a: 1}\n: 2\n"), "a key must be plain text", 1),
    Hostile(
        "huge-number",
        _tiny_with("{safety: 45,", "{safety: " + "9" * 5_000 + ","),
        "a number longer than 64 characters",
        6,
    ),
    Hostile(
        "megabyte-value",
        _tiny_with("tone: good", "tone: " + "g" * 1_000_000),
        "'gggggggggg",  # quoted, and cut short: the message stays one readable line
        44,
    ),
    Hostile(
        "unpaired-surrogate", _tiny_with("title: Tiny", 'title: "\\ud800"'), "invalid Unicode character", 3
    ),
)


def chain_scenario(decisions: int) -> str:
    """A valid scenario of `decisions` scenes in a row, each with choices `a` (1) and `b` (2), then an end."""
    scenes = []
    for n in range(decisions):
        onward = f"s{n + 1}" if n + 1 < decisions else "end"
        scenes.append(
            f"  s{n}:\n"
            f"    text: Decision {n + 1}.\n"
            "    choices:\n"
            f"      - {{id: a, text: Ask., effects: {{trust: +2}}, why: It builds trust., next: {onward}}}\n"
            f"      - {{id: b, text: Tell., effects: {{trust: -2}}, why: It costs trust., next: {onward}}}\n"
        )
    return (
        "format: tightrope/1\nid: chain\ntitle: Chain\nsummary: Many decisions.\nrole: You decide.\n"
        "start: s0\nscenes:\n" + "".join(scenes) + "  end:\n    text: Done.\n"
        "    ending: {title: Done, tone: good}\n"
    )
