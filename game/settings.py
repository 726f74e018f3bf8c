"""The player's settings: when explanations appear, whether scenes are timed, and the theme."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from game.paths import data_dir
from game.saves import Read, atomic_write, read_model

Explanations = Literal["after-each", "debrief-only"]
ThemeName = Literal["dark", "light"]


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    explanations: Explanations = "after-each"
    timers: bool = True
    theme: ThemeName = "dark"

    @property
    def explain_each_choice(self) -> bool:
        return self.explanations == "after-each"


class SettingsStore:
    """`settings.json` in the data folder."""

    def __init__(self, folder: Path | None = None) -> None:
        self.path = (folder if folder is not None else data_dir()) / "settings.json"

    def load(self) -> Read[Settings]:
        read = read_model(self.path, Settings, "Your settings")
        return read if read.value is not None else Read(Settings(), read.problem)

    def save(self, settings: Settings) -> None:
        atomic_write(self.path, settings.model_dump_json(indent=2) + "\n")
