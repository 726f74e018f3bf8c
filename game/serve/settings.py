"""What the server tells each app process it starts: one JSON value in one environment variable.

The command textual-serve runs is fixed by us; nothing a player types reaches it. Everything a
session needs to know about the room travels here instead, checked on both sides. A plain dataclass
read with the saves' JSON checks, so that a session process never imports pydantic.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from game.saves import fields, flag, list_of, optional, text, whole_number
from scoring.challenges import Challenge, parse_challenge

SESSION_ENV = "TIGHTROPE_SESSION"


@dataclass(frozen=True)
class SessionSettings:
    cohort: str = ""
    join_code: str | None = None
    store: str | None = None
    scenarios: Path | None = None
    pinned_scenario: str | None = None
    no_timers: bool = False
    challenges: tuple[str, ...] = ()
    """The room's goals as `tightrope serve --challenge` wrote them (`scoring.challenges`' grammar)."""
    refused_before: int = 0
    """Wrong join codes from this session's address that the server counted before it started."""
    room_guessing: int = 0
    """Wrong join codes the whole room made in the last minute beyond its allowance, when this session
    started (`game.serve.attempts`): the session starts locked for as long as that calls for."""
    leaderboard: bool = False
    """The facilitator turned the room's opt-in leaderboard on (`tightrope serve --leaderboard`)."""

    def __post_init__(self) -> None:
        for goal in self.challenges:
            parse_challenge(goal)  # a ValueError that names what is wrong

    def goals(self) -> tuple[Challenge, ...]:
        return tuple(parse_challenge(goal) for goal in self.challenges)

    def to_env(self) -> dict[str, str]:
        return {SESSION_ENV: json.dumps(asdict(self), default=str)}  # a Path as its text

    @classmethod
    def from_env(cls) -> SessionSettings | None:
        """The settings the server passed, None when run by hand; ValueError if they are malformed."""
        raw = os.environ.get(SESSION_ENV)
        return cls.parse(json.loads(raw)) if raw else None

    @classmethod
    def parse(cls, data: object) -> SessionSettings:
        found = fields(data, "session", optional=[spec.name for spec in dataclasses.fields(cls)])
        scenarios = optional(found.get("scenarios"), "scenarios", text)
        return cls(
            cohort=text(found.get("cohort", ""), "cohort"),
            join_code=optional(found.get("join_code"), "join_code", text),
            store=optional(found.get("store"), "store", text),
            scenarios=Path(scenarios) if scenarios is not None else None,
            pinned_scenario=optional(found.get("pinned_scenario"), "pinned_scenario", text),
            no_timers=flag(found.get("no_timers", False), "no_timers"),
            challenges=list_of(found.get("challenges", []), "challenges", text),
            refused_before=whole_number(found.get("refused_before", 0), "refused_before"),
            room_guessing=whole_number(found.get("room_guessing", 0), "room_guessing"),
            leaderboard=flag(found.get("leaderboard", False), "leaderboard"),
        )
