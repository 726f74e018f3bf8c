"""Generated scenarios for the benchmarks: large, valid, and shaped like real ones (effects, flags, gates)."""

from __future__ import annotations

from typing import Any

import yaml

REGION = 20
PRINCIPLES = ("errors-as-data", "psychological-safety", "feedback", "accountability", "post-mortem")


def layered_scenario(scenes: int, width: int = 3, gate_every: int = 7) -> dict[str, Any]:
    """`scenes` scenes in a chain of layers; every scene offers `width` choices onward.

    Every `gate_every`-th scene adds a choice gated on trust and on a flag set earlier in the same
    stretch of story (a new flag every `REGION` scenes), the way authored scenarios remember a
    recent decision; so the analysis has real conditions to evaluate.
    """
    body: dict[str, Any] = {}
    endings = ["end-good", "end-mixed", "end-poor"]
    for n in range(scenes - len(endings)):
        here = f"s{n}"
        onward = [f"s{n + k}" for k in range(1, width + 1) if n + k < scenes - len(endings)]
        onward = onward or endings
        choices: list[dict[str, Any]] = []
        for k, target in enumerate(onward[:width]):
            choices.append(
                {
                    "id": f"c{k}",
                    "text": f"Option {k} in scene {n}: a sentence long enough to look like a real choice.",
                    "effects": {"safety": (n + k) % 7 - 3, "standards": (n * k) % 5 - 2, "trust": k - 1},
                    "why": "Because this is what a benchmark choice does to the team, in one sentence.",
                    "principle": PRINCIPLES[(n + k) % len(PRINCIPLES)],
                    "sets": [f"f{n // REGION}"] if k == 0 else [],
                    "next": target,
                }
            )
        if n % gate_every == gate_every - 1 and n % REGION:
            choices.append(
                {
                    "id": "gated",
                    "text": "Only for a trusting team that has tried this before.",
                    "if": {"flags": [f"f{n // REGION}"], "trust": ">= 40"},
                    "next": onward[0],
                }
            )
        body[here] = {
            "title": f"Scene {n}",
            "text": f"Scene {n} narrative.\n\nMore text here.\n",
            "choices": choices,
        }
    for name, tone in zip(endings, ("good", "mixed", "poor"), strict=True):
        body[name] = {"text": "The end.", "ending": {"title": name, "tone": tone}}
    return _document("bench-large", body)


def diamond_scenario(layers: int) -> dict[str, Any]:
    """Two choices per layer that meet again: 2^layers distinct paths through `layers + 1` scenes."""
    body: dict[str, Any] = {}
    for n in range(layers):
        target = f"d{n + 1}" if n + 1 < layers else "end"
        body[f"d{n}"] = {
            "text": "Pick.",
            "choices": [
                {"text": "Left.", "effects": {"trust": 1}, "why": "w", "next": target},
                {"text": "Right.", "effects": {"trust": -1}, "why": "w", "next": target},
            ],
        }
    body["end"] = {"text": "Done.", "ending": {"title": "Done", "tone": "good"}}
    return _document("bench-diamond", body, start="d0")


def _document(scenario_id: str, scenes: dict[str, Any], start: str = "s0") -> dict[str, Any]:
    return {
        "format": "tightrope/1",
        "id": scenario_id,
        "title": "Benchmark",
        "summary": "Generated for benchmarks.",
        "role": "You lead a generated team.",
        "start": start,
        "scenes": scenes,
    }


def dump(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False)
