"""YAML text to plain data, keeping every node's position, refusing tags, duplicate keys and alias bombs.

libyaml's composer (when installed) builds the node tree; we construct the data ourselves instead of
letting a yaml Constructor do it, so that no tag can ever build an object and so that each value's
line and column can be found again when validation complains about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from game.scenario.errors import KeyPath

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 64
# A 2,000-scene file has ~100k nodes; aliases that expand past this are a "billion laughs" bomb.
MAX_NODES = 2_000_000

_YAML = "tag:yaml.org,2002:"
_PLAIN_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_COLLECTION_TAGS = {_YAML + "map", _YAML + "seq"}


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


class _Builder:
    def __init__(self) -> None:
        self.nodes = 0
        self._scalars = SafeConstructor()

    def build(self, node: Node, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _error("the document expands to too many values (aliases nested too deep?)", node)
        if depth > MAX_DEPTH:
            raise _error(f"nesting is deeper than {MAX_DEPTH} levels", node)
        if isinstance(node, ScalarNode):
            return self._scalar(node)
        if node.tag not in _COLLECTION_TAGS:
            raise _error(f"unsupported YAML tag {node.tag!r}: remove it", node)
        if isinstance(node, SequenceNode):
            return [self.build(item, depth + 1) for item in node.value]
        assert isinstance(node, MappingNode)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _YAML + "merge":
                raise _error("merge keys (<<) are not supported: write the keys out", key_node)
            if not isinstance(key_node, ScalarNode):
                raise _error("a key must be plain text, not a list or mapping", key_node)
            key = self._scalar(key_node)
            if key in mapping:
                raise _error(f"duplicate key {key!r}: each key may appear only once here", key_node)
            mapping[key] = self.build(value_node, depth + 1)
        return mapping

    def _scalar(self, node: ScalarNode) -> Any:
        if node.tag not in _PLAIN_TAGS:
            raise _error(f"unsupported YAML tag {node.tag!r}: remove it", node)
        if node.tag == _YAML + "str" or node.tag == _YAML + "timestamp":
            return node.value
        if node.tag == _YAML + "null":
            return None
        if node.tag == _YAML + "bool":
            return self._scalars.construct_yaml_bool(node)
        if node.tag == _YAML + "int":
            return self._scalars.construct_yaml_int(node)
        return self._scalars.construct_yaml_float(node)


def _error(message: str, node: Node) -> SourceError:
    mark = node.start_mark
    return SourceError(message, mark.line + 1, mark.column + 1)


def decode(raw: bytes) -> str:
    """UTF-8 with an optional byte-order mark; anything else is a positioned error."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError("the file is not valid UTF-8 text: save it as UTF-8", line, column) from None


class Document:
    """One parsed YAML document: its data, and the node tree for finding where a value was written."""

    def __init__(self, text: str) -> None:
        if "\x00" in text:
            line = text.count("\n", 0, text.index("\x00")) + 1
            raise SourceError("the file contains NUL bytes: is it a binary file?", line)
        try:
            root = yaml.compose(text, Loader=_Loader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            problem = exc.problem or "invalid YAML"
            raise SourceError(f"YAML syntax: {problem}", *where) from None
        except yaml.YAMLError as exc:
            raise SourceError(f"YAML: {exc}") from None
        except RecursionError:
            raise SourceError(f"nesting is deeper than {MAX_DEPTH} levels") from None
        if root is None:
            raise SourceError("the file is empty: a scenario starts with `format: tightrope/1`")
        self.root: Node = root
        self.data: Any = _Builder().build(root)

    def locate(self, path: KeyPath) -> Position:
        """Where `path` was written: the key for a mapping entry, the item for a list element.

        A path that does not exist (a missing key) resolves to the deepest part that does.
        """
        node = self.root
        mark = node.start_mark
        for part in path:
            child: Node | None = None
            if isinstance(node, MappingNode):
                for key_node, value_node in node.value:
                    if isinstance(key_node, ScalarNode) and _key_matches(key_node, part):
                        mark, child = key_node.start_mark, value_node
                        break
            elif isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                child = node.value[part]
                mark = child.start_mark
            if child is None:
                break
            node = child
        return Position(mark.line + 1, mark.column + 1)


def _key_matches(key_node: ScalarNode, part: str | int) -> bool:
    return bool(key_node.value == str(part))
