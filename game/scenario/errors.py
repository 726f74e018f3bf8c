"""Problems in a scenario file: values with a file:line:col location, collected and reported together."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
KeyPath = tuple[str | int, ...]


def format_key_path(path: KeyPath) -> str:
    """`("scenes", "standup", "choices", 0)` → `scenes.standup.choices[0]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int
    column: int
    severity: Severity
    message: str
    key_path: str = ""

    def __str__(self) -> str:
        where = f" ({self.key_path})" if self.key_path else ""
        return f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}{where}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
            "key_path": self.key_path,
        }


def errors_in(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def sort_problems(problems: Sequence[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.file, p.line, p.column, p.message))


class ScenarioError(Exception):
    """Raised by loaders that must return a usable scenario; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "invalid scenario"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)
