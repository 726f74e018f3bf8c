"""What scoring reads of a results-store run, as protocols: `game.store.base.RunRow` fits them, and
scoring never imports the game to say so."""

from __future__ import annotations

from typing import Protocol


class RunStartLike(Protocol):
    @property
    def run_id(self) -> str: ...
    @property
    def player_id(self) -> str: ...
    @property
    def player_name(self) -> str: ...
    @property
    def scenario_id(self) -> str: ...
    @property
    def rewound_from(self) -> str | None: ...
    @property
    def listed(self) -> bool: ...


class RunFinishLike(Protocol):
    @property
    def finished_at(self) -> str: ...
    @property
    def ending_tone(self) -> str: ...
    @property
    def zone(self) -> str: ...
    @property
    def score(self) -> int: ...


class RunRowLike(Protocol):
    """A run as the store reads it back: its start, and its finish when it has one."""

    @property
    def start(self) -> RunStartLike: ...
    @property
    def finish(self) -> RunFinishLike | None: ...
