"""What the server tells each app process it starts: one JSON value in one environment variable.

The command textual-serve runs is fixed by us; nothing a player types reaches it. Everything a
session needs to know about the room travels here instead, validated on both sides.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from scoring.challenges import Challenge, parse_challenge

SESSION_ENV = "TIGHTROPE_SESSION"


class SessionSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    cohort: str = ""
    join_code: str | None = None
    store: str | None = None
    scenarios: Path | None = None
    pinned_scenario: str | None = None
    no_timers: bool = False
    challenges: tuple[str, ...] = ()
    """The room's goals as `tightrope serve --challenge` wrote them (`scoring.challenges`' grammar)."""

    @field_validator("challenges")
    @classmethod
    def _challenges_parse(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for text in value:
            parse_challenge(text)  # a ValueError that pydantic reports
        return value

    def goals(self) -> tuple[Challenge, ...]:
        return tuple(parse_challenge(text) for text in self.challenges)

    def to_env(self) -> dict[str, str]:
        return {SESSION_ENV: self.model_dump_json()}

    @classmethod
    def from_env(cls) -> SessionSettings | None:
        raw = os.environ.get(SESSION_ENV)
        return cls.model_validate_json(raw) if raw else None
