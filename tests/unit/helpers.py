"""Building small scenarios in tests without repeating the required boilerplate."""

from __future__ import annotations

from typing import Any

import yaml

from game.scenario import Loaded, Scenario, load_text
from scoring import load_catalogue

HEADER = """\
format: tightrope/1
id: test
title: Test
summary: A test.
role: You lead a test.
"""


def load(text: str, file: str = "test.yaml") -> Loaded:
    return load_text(text, file, load_catalogue())


def scenario_from(data: dict[str, Any]) -> Scenario:
    """A valid scenario from a dict of scenes (plus optional top-level overrides)."""
    document = {
        "format": "tightrope/1",
        "id": "test",
        "title": "Test",
        "summary": "A test.",
        "role": "You lead a test.",
        **data,
    }
    loaded = load(yaml.safe_dump(document, sort_keys=False))
    assert loaded.scenario is not None, [str(p) for p in loaded.problems]
    return loaded.scenario


def ending(tone: str = "good") -> dict[str, Any]:
    return {"text": "The end.", "ending": {"title": f"A {tone} end", "tone": tone}}


def choice(next_scene: str, **extra: Any) -> dict[str, Any]:
    return {"text": f"Go to {next_scene}", "next": next_scene, **extra}
