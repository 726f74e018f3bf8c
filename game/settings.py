"""The player's settings: when explanations appear, whether scenes are timed, and the theme."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from game.paths import data_dir
from game.saves import Read, atomic_write, fields, flag, one_of, read_json, to_json

Explanations = Literal["after-each", "debrief-only"]
ThemeName = Literal["dark", "light"]
EXPLANATIONS: tuple[Explanations, ...] = ("after-each", "debrief-only")
THEME_NAMES: tuple[ThemeName, ...] = ("dark", "light")


@dataclass(frozen=True, slots=True)
class Settings:
    explanations: Explanations = "after-each"
    timers: bool = True
    theme: ThemeName = "dark"

    @property
    def explain_each_choice(self) -> bool:
        return self.explanations == "after-each"

    @classmethod
    def parse(cls, data: object) -> Settings:
        found = fields(data, "", optional=("explanations", "timers", "theme"))
        return cls(
            explanations=one_of(found.get("explanations", "after-each"), "explanations", EXPLANATIONS),
            timers=flag(found.get("timers", True), "timers"),
            theme=one_of(found.get("theme", "dark"), "theme", THEME_NAMES),
        )

    def changed(self, **changes: object) -> Settings:
        """These settings with some changed, each checked."""
        return Settings.parse({**asdict(self), **changes})

    def explaining_each_choice(self, each: bool) -> Settings:
        return self.changed(explanations="after-each" if each else "debrief-only")

    def in_light_theme(self, light: bool) -> Settings:
        return self.changed(theme="light" if light else "dark")


class SettingsStore:
    """`settings.json` in the data folder."""

    def __init__(self, folder: Path | None = None) -> None:
        self.path = (folder if folder is not None else data_dir()) / "settings.json"

    def load(self) -> Read[Settings]:
        read = read_json(self.path, Settings.parse, "Your settings")
        return read if read.value is not None else Read(Settings(), read.problem)

    def save(self, settings: Settings) -> None:
        atomic_write(self.path, to_json(asdict(settings)))
