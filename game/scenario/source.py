"""YAML text to plain data, keeping every value's position, refusing tags, duplicate keys and bombs.

libyaml's parser (when installed) turns the text into events; we build the data from those events
ourselves, in one pass with an explicit stack, rather than letting yaml compose a node tree and a
Constructor build objects from it. So no tag can ever build an object; a key is always the text it was
written as; and the document's size (aliases counted as expanded), its depth and its number of
documents are checked as the events arrive, so a hostile file is refused after reading no more than a
real scenario is made of, in time and memory bounded by MAX_NODES. Each value's line and column are
kept, so that when validation complains about a value it can be pointed at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeAlias

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode
from yaml.reader import ReaderError
from yaml.resolver import Resolver

from game.scenario.errors import KeyPath
from game.text import printable, quoted

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 64
# The 2,000-scene benchmark file has ~150k keys and values; aliases that expand past this are a "billion
# laughs" bomb, and a file with more values than this costs seconds and hundreds of MB to read.
MAX_NODES = 200_000
# No number in a scenario needs more digits than this; int() of a long one is slow (and capped).
MAX_NUMBER_LENGTH = 64

_YAML = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = (_YAML + t for t in ("str", "null", "bool", "int", "float"))
_TIMESTAMP, _MERGE, _MAP, _SEQ = (_YAML + t for t in ("timestamp", "merge", "map", "seq"))
_PLAIN_TAGS = {_STR, _NULL, _BOOL, _INT, _FLOAT, _TIMESTAMP}

Where: TypeAlias = tuple[int, int]  # 1-based line and column
# Where each value inside a collection was written: a mapping's by key (the key's position), a
# sequence's by index (the item's position), each with the positions inside that value, if any.
Shadow: TypeAlias = "dict[str, tuple[Where, Shadow]] | list[tuple[Where, Shadow]] | None"


class SourceError(Exception):
    """The text is not a YAML document we accept; carries a 1-based position."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class Position:
    line: int
    column: int


def _where(event: Event) -> Where:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _error(message: str, event: Event) -> SourceError:
    return SourceError(message, *_where(event))


class _Collection:
    """A mapping or sequence whose end event has not arrived yet."""

    __slots__ = ("anchor", "key", "mapping", "shadow", "size", "value", "where")

    def __init__(self, mapping: bool, anchor: str | None, where: Where) -> None:
        self.mapping, self.anchor, self.where = mapping, anchor, where
        self.value: Any = {} if mapping else []
        self.shadow: Any = {} if mapping else []
        self.key: tuple[str, Where] | None = None  # a mapping's key whose value is still to come
        self.size = 1  # keys and values inside, aliases expanded, this one included


class _Builder:
    """Plain data from a stream of YAML events; see the module docstring for what it refuses.

    Written as one loop over the events, with the rare cases in methods: it runs once per value of
    every scenario loaded, and its cost is what MAX_NODES bounds.
    """

    def __init__(self) -> None:
        self.nodes = 0
        self.anchors: dict[str, tuple[Any, Shadow, int]] = {}
        self.open: list[_Collection] = []
        self.root: tuple[Any, Where, Shadow] | None = None
        self.cleaned: list[Where] = []  # text from which control characters or escapes were removed
        self._resolvers = Resolver.yaml_implicit_resolvers
        self._constructor = SafeConstructor()

    def build(self, events: Iterator[Event]) -> tuple[Any, Where, Shadow] | None:
        top: _Collection | None = None
        documents = 0
        for event in events:
            kind = type(event)
            mark = event.start_mark
            where = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise self._too_many(event)
            if kind is ScalarEvent:
                assert isinstance(event, ScalarEvent)
                if top is not None and top.mapping and top.key is None:
                    top.key = self._key(top, event, where)
                    continue
                value = self._scalar(event, where)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, None, 1)
                self._add(top, value, None, 1, where)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                assert isinstance(event, CollectionStartEvent)
                self._check_start(top, event)
                top = _Collection(kind is MappingStartEvent, event.anchor, where)
                self.open.append(top)
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                self.nodes -= 1  # an end is not a value
                done = self.open.pop()
                top = self.open[-1] if self.open else None
                if done.anchor is not None:
                    self.anchors[done.anchor] = (done.value, done.shadow, done.size)
                self._add(top, done.value, done.shadow, done.size, done.where)
            elif kind is AliasEvent:
                assert isinstance(event, AliasEvent)
                value, shadow, size = self._alias(top, event)
                self._add(top, value, shadow, size, where)
            elif kind is DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _error("a file holds one scenario: remove the second document (---)", event)
            elif kind is StreamEndEvent:
                break
        return self.root

    def _too_many(self, event: Event) -> SourceError:
        return _error(f"too many values: more than {MAX_NODES:,} (aliases nested too deep?)", event)

    def _add(self, top: _Collection | None, value: Any, shadow: Shadow, size: int, where: Where) -> None:
        """Put a finished value into the collection that is open, or make it the document."""
        if top is None:
            self.root = (value, where, shadow)
        elif top.mapping:
            assert top.key is not None
            key, key_where = top.key
            top.value[key] = value
            top.shadow[key] = (key_where, shadow)
            top.key = None
            top.size += size + 1
        else:
            top.value.append(value)
            top.shadow.append((where, shadow))
            top.size += size

    def _tag(self, event: ScalarEvent) -> str:
        tag = event.tag
        if tag is None or tag == "!":
            value = event.value
            tag = _STR
            if event.implicit[0]:
                for resolved, pattern in self._resolvers.get(value[:1], ()):
                    if pattern.match(value):
                        tag = resolved
                        break
        if tag not in _PLAIN_TAGS:
            if tag == _MERGE:
                raise _error("merge keys (<<) are not supported: write the keys out", event)
            raise _error(f"unsupported YAML tag {quoted(tag)}: remove it", event)
        return tag

    def _key(self, top: _Collection, event: ScalarEvent, where: Where) -> tuple[str, Where]:
        self._tag(event)
        text = event.value
        if text in top.value:
            raise _error(f"duplicate key {quoted(text)}: each key may appear only once here", event)
        return text, where

    def _scalar(self, event: ScalarEvent, where: Where) -> Any:
        tag = self._tag(event)
        text = event.value
        if tag in (_STR, _TIMESTAMP):
            # Text is made safe to show here, once, so that no screen, log or report can be handed
            # an escape sequence from a scenario; the loader warns the author where this happened.
            if not text.isprintable() and (cleaned := printable(text)) != text:
                self.cleaned.append(where)
                return cleaned
            return text
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return self._constructor.bool_values[text.lower()]
        if len(text) > MAX_NUMBER_LENGTH:
            message = f"a number longer than {MAX_NUMBER_LENGTH} characters: quote it if it is text"
            raise _error(message, event)
        if tag == _INT:
            digits = text[1:] if text[0] in "+-" else text
            if digits.isascii() and digits.isdigit() and (digits[0] != "0" or len(digits) == 1):
                return int(text)  # the common case, without YAML 1.1's octal, hex and base 60
            return self._constructor.construct_yaml_int(ScalarNode(tag, text))
        return self._constructor.construct_yaml_float(ScalarNode(tag, text))

    def _check_start(self, top: _Collection | None, event: CollectionStartEvent) -> None:
        tag = _MAP if isinstance(event, MappingStartEvent) else _SEQ
        if event.tag is not None and event.tag != "!" and event.tag != tag:
            raise _error(f"unsupported YAML tag {quoted(event.tag)}: remove it", event)
        if top is not None and top.mapping and top.key is None:
            raise _error("a key must be plain text, not a list or mapping", event)
        if len(self.open) >= MAX_DEPTH:
            raise _error(f"nesting is deeper than {MAX_DEPTH} levels", event)

    def _alias(self, top: _Collection | None, event: AliasEvent) -> tuple[Any, Shadow, int]:
        if top is not None and top.mapping and top.key is None:
            raise _error("a key must be written out, not an alias (*name)", event)
        anchor = event.anchor
        if anchor not in self.anchors:
            if any(c.anchor == anchor for c in self.open):
                raise _error(f"the alias *{anchor} is inside the value it names", event)
            raise _error(f"the alias *{anchor} names no anchor (&{anchor}) above it", event)
        value, shadow, size = self.anchors[anchor]
        self.nodes += size - 1  # the alias itself was counted as one
        if self.nodes > MAX_NODES:
            raise self._too_many(event)
        return value, shadow, size


def decode(raw: bytes) -> str:
    """UTF-8 with an optional byte-order mark; anything else is a positioned error."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError("the file is not valid UTF-8 text: save it as UTF-8", line, column) from None


def _unacceptable(error: ReaderError, text: str) -> SourceError:
    """A character YAML does not allow in a file (a raw escape, say), at its line and column. libyaml
    gives the position in bytes of UTF-8, the pure-Python reader in characters."""
    character = error.character if isinstance(error.character, int) else ord(error.character or "?")
    if _Loader.__name__.startswith("C"):
        before = text.encode("utf-8")[: error.position].decode("utf-8", "ignore")
    else:  # pragma: no cover - depends on how PyYAML was built
        before = text[: error.position]
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    message = f"the file contains a control character (U+{character:04X}) that YAML does not allow: remove it"
    return SourceError(message, line, column)


def _syntax(problem: str, text: str, line: int) -> str:
    """libyaml's complaint, with what to do about the two that puzzle authors most."""
    if "maximum nesting depth" in problem:
        return f"nesting is deeper than {MAX_DEPTH} levels"
    lines = text.split("\n", line)
    written = lines[line - 1] if line <= len(lines) else ""
    if "\t" in written[: len(written) - len(written.lstrip())]:
        return f"YAML syntax: {problem}: indent with spaces, not tabs"
    return f"YAML syntax: {problem}"


class Document:
    """One parsed YAML document: its data, and where each value in it was written."""

    def __init__(self, text: str) -> None:
        if "\x00" in text:
            line = text.count("\n", 0, text.index("\x00")) + 1
            raise SourceError("the file contains NUL bytes: is it a binary file?", line)
        builder = _Builder()
        try:
            root = builder.build(yaml.parse(text, Loader=_Loader))
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            raise SourceError(_syntax(exc.problem or "invalid YAML", text, where[0]), *where) from None
        except ReaderError as exc:
            raise _unacceptable(exc, text) from None
        except yaml.YAMLError as exc:
            raise SourceError(f"YAML: {exc}") from None
        if root is None:
            raise SourceError("the file is empty: a scenario starts with `format: tightrope/1`")
        self.data: Any
        self.data, self._where, self._shadow = root
        self.cleaned = [Position(*where) for where in builder.cleaned]

    def locate(self, path: KeyPath) -> Position:
        """Where `path` was written: the key for a mapping entry, the item for a list element.

        A path that does not exist (a missing key) resolves to the deepest part that does.
        """
        where, shadow = self._where, self._shadow
        for part in path:
            if isinstance(shadow, dict) and str(part) in shadow:
                where, shadow = shadow[str(part)]
            elif isinstance(shadow, list) and isinstance(part, int) and 0 <= part < len(shadow):
                where, shadow = shadow[part]
            else:
                break
        return Position(*where)
