"""The player's profile: their name and what they have achieved in each scenario. JSON, written atomically.

A results store may take this over later, so the interface is kept to `ProfileStore.load/save` and the
two changes a game makes: naming the player and recording a finished run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from game.paths import data_dir
from game.saves import Read, atomic_write, read_model
from game.text import printable
from scoring import Zone

PROFILE_FORMAT: Final = "tightrope-profile/1"
MAX_NAME_LENGTH = 40

# Learning is the aim, apathy the worst place to end; comfort and anxiety each miss one half,
# so between them the run's score decides which was better.
_ZONE_RANK = {Zone.LEARNING: 0, Zone.COMFORT: 1, Zone.ANXIETY: 1, Zone.APATHY: 2}


def clean_name(name: str) -> str:
    """A name as typed, made safe to store and show: printable, one line, trimmed, not too long."""
    return " ".join(printable(name).split())[:MAX_NAME_LENGTH]


class ScenarioProgress(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    finished: int = 0
    endings: tuple[str, ...] = Field(default=(), description="Ending scene ids found, sorted.")
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


class Profile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["tightrope-profile/1"] = PROFILE_FORMAT
    name: str | None = Field(None, description="None until asked; empty when the player chose not to say.")
    scenarios: dict[str, ScenarioProgress] = Field(default_factory=dict)

    @property
    def display_name(self) -> str:
        return self.name or "player"

    def progress(self, scenario_id: str) -> ScenarioProgress:
        return self.scenarios.get(scenario_id, ScenarioProgress())

    def named(self, name: str) -> Profile:
        return self.model_copy(update={"name": clean_name(name)})

    def finished(self, scenario_id: str, ending: str, zone: Zone, score: int) -> Profile:
        progress = self.progress(scenario_id).record(ending, zone, score)
        return self.model_copy(update={"scenarios": {**self.scenarios, scenario_id: progress}})


class ProfileStore:
    """`profile.json` in the data folder."""

    def __init__(self, folder: Path | None = None) -> None:
        self.path = (folder if folder is not None else data_dir()) / "profile.json"

    def load(self) -> Read[Profile]:
        """The stored profile (a fresh one if there is none); `problem` says if the old one was unreadable."""
        read = read_model(self.path, Profile, "Your profile")
        return read if read.value is not None else Read(Profile(), read.problem)

    def save(self, profile: Profile) -> None:
        atomic_write(self.path, profile.model_dump_json(indent=2) + "\n")
