"""The player's profile: their name and what they have achieved in each scenario. JSON, written atomically.

A results store may take this over later, so the interface is kept to `ProfileStore.load/save` and the
two changes a game makes: naming the player and recording a finished run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final, Literal

from game.paths import data_dir
from game.saves import (
    Read,
    at,
    atomic_write,
    fields,
    list_of,
    mapping,
    one_of,
    optional,
    read_json,
    text,
    to_json,
    whole_number,
)
from game.text import printable
from scoring.zones import Zone

PROFILE_FORMAT: Final = "tightrope-profile/1"
MAX_NAME_LENGTH = 40

# Learning is the aim, apathy the worst place to end; comfort and anxiety each miss one half,
# so between them the run's score decides which was better.
_ZONE_RANK = {Zone.LEARNING: 0, Zone.COMFORT: 1, Zone.ANXIETY: 1, Zone.APATHY: 2}


def clean_name(name: str) -> str:
    """A name as typed, made safe to store and show: printable, one line, trimmed, not too long."""
    return " ".join(printable(name).split())[:MAX_NAME_LENGTH]


@dataclass(frozen=True, slots=True)
class ScenarioProgress:
    finished: int = 0
    endings: tuple[str, ...] = ()  # ending scene ids found, sorted
    best_zone: Zone | None = None
    best_score: int | None = None

    def record(self, ending: str, zone: Zone, score: int) -> ScenarioProgress:
        better = (
            self.best_zone is None
            or self.best_score is None
            or (_ZONE_RANK[zone], -score) < (_ZONE_RANK[self.best_zone], -self.best_score)
        )
        return ScenarioProgress(
            finished=self.finished + 1,
            endings=tuple(sorted({*self.endings, ending})),
            best_zone=zone if better else self.best_zone,
            best_score=score if better else self.best_score,
        )

    @classmethod
    def parse(cls, data: object, where: str) -> ScenarioProgress:
        found = fields(data, where, optional=("finished", "endings", "best_zone", "best_score"))
        return cls(
            finished=whole_number(found.get("finished", 0), at(where, "finished")),
            endings=list_of(found.get("endings", []), at(where, "endings"), text),
            best_zone=optional(
                found.get("best_zone"), at(where, "best_zone"), lambda v, w: one_of(v, w, tuple(Zone))
            ),
            best_score=optional(found.get("best_score"), at(where, "best_score"), whole_number),
        )

    def as_data(self) -> dict[str, object]:
        zone = None if self.best_zone is None else self.best_zone.value
        return {
            "finished": self.finished,
            "endings": list(self.endings),
            "best_zone": zone,
            "best_score": self.best_score,
        }


@dataclass(frozen=True, slots=True)
class Profile:
    # None until asked; empty when the player chose not to say.
    name: str | None = None
    scenarios: dict[str, ScenarioProgress] = field(default_factory=dict)
    format: Literal["tightrope-profile/1"] = PROFILE_FORMAT

    @property
    def display_name(self) -> str:
        return self.name or "player"

    def progress(self, scenario_id: str) -> ScenarioProgress:
        return self.scenarios.get(scenario_id, ScenarioProgress())

    def named(self, name: str) -> Profile:
        return replace(self, name=clean_name(name))

    def finished(self, scenario_id: str, ending: str, zone: Zone, score: int) -> Profile:
        progress = self.progress(scenario_id).record(ending, zone, score)
        return replace(self, scenarios={**self.scenarios, scenario_id: progress})

    @classmethod
    def parse(cls, data: object) -> Profile:
        found = fields(data, "", optional=("format", "name", "scenarios"))
        one_of(found.get("format", PROFILE_FORMAT), "format", (PROFILE_FORMAT,))
        scenarios = mapping(found.get("scenarios", {}), "scenarios")
        return cls(
            name=optional(found.get("name"), "name", text),
            scenarios={
                sid: ScenarioProgress.parse(progress, at("scenarios", sid))
                for sid, progress in scenarios.items()
            },
        )

    def as_data(self) -> dict[str, object]:
        scenarios = {sid: progress.as_data() for sid, progress in self.scenarios.items()}
        return {"format": self.format, "name": self.name, "scenarios": scenarios}


class ProfileStore:
    """`profile.json` in the data folder."""

    def __init__(self, folder: Path | None = None) -> None:
        self.path = (folder if folder is not None else data_dir()) / "profile.json"

    def load(self) -> Read[Profile]:
        """The stored profile (a fresh one if there is none); `problem` says if the old one was unreadable."""
        read = read_json(self.path, Profile.parse, "Your profile")
        return read if read.value is not None else Read(Profile(), read.problem)

    def save(self, profile: Profile) -> None:
        atomic_write(self.path, to_json(profile.as_data()))
