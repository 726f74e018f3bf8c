"""The format reference in docs/authoring.md, rendered from the pydantic models so docs and code cannot drift.

`python -m game.scenario.reference` prints the reference; `--write docs/authoring.md` replaces the
section between the markers in that file; `--check docs/authoring.md` fails when the section is stale
(a test does the same). Descriptions come from the models' `Field(description=...)`; the few fields
that have none yet get a note below, until the model grows one.
"""

from __future__ import annotations

import argparse
import sys
import types
import typing
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, Union

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from game.scenario.contract import (
    Achievement,
    AchievementCondition,
    Choice,
    Condition,
    Effects,
    Ending,
    MeterFloors,
    Scenario,
    Scene,
    StartingMeters,
    TookChoice,
)
from game.scenario.models import COMPARISON_PATTERN, FORMAT, OPERATORS, SLUG_PATTERN
from scoring.debrief import TONE_BONUS
from scoring.meters import METER_MAX, METER_MIN, METER_NAMES
from scoring.principles import Catalogue, load_catalogue
from scoring.zones import ZONE_THRESHOLD, Zone

START_MARKER = (
    "<!-- reference:start: generated from the models by "
    "`python -m game.scenario.reference --write docs/authoring.md`; edit the models, not this -->"
)
END_MARKER = "<!-- reference:end -->"

# Each model in the order a file nests them, with the key it sits under.
MODELS: tuple[tuple[type[BaseModel], str], ...] = (
    (Scenario, "the top level of a file"),
    (StartingMeters, "`meters` at the top level"),
    (Scene, "each entry under `scenes`, keyed by the scene's id"),
    (Choice, "each item of a scene's `choices`"),
    (Effects, "a choice's `effects`"),
    (Condition, "a choice's `if`"),
    (Ending, "a scene's `ending`"),
    (Achievement, "each item of the top-level `achievements`"),
    (AchievementCondition, "an achievement's `condition`"),
    (TookChoice, "a condition's `took`"),
    (MeterFloors, "a condition's `never_below`"),
)

# Words for models and fields whose definition carries no description (yet). A test fails when a
# note names a field that no longer exists, so these cannot silently go stale.
INTRO_NOTES: dict[type[BaseModel], str] = {
    Scenario: "One scenario per file.",
    StartingMeters: "Where the three meters start, before the first choice.",
    Scene: "One moment of the story: narrative, then choices, or an ending.",
    Choice: "One option the player may pick in a scene.",
    Ending: "What makes a scene an ending, and how the run is judged there.",
}
FIELD_NOTES: dict[tuple[type[BaseModel], str], str] = {
    (Scenario, "id"): "Unique among all scenarios; `tightrope play ID` finds the file by it.",
    (Scenario, "title"): "The name in the scenario picker.",
    (Scenario, "meters"): "Starting values of the meters; see [StartingMeters](#startingmeters).",
    (Scenario, "scenes"): "Every scene, keyed by its id. Order does not matter to the game.",
    (StartingMeters, "safety"): "Psychological safety: people can speak up, ask, admit mistakes.",
    (StartingMeters, "standards"): "High standards: the bar for the work and for each other.",
    (StartingMeters, "trust"): "The team's trust in the player as their leader.",
    (Scene, "choices"): "What the player may do; a scene with no `ending` needs at least one.",
    (Choice, "effects"): "How the meters move when this choice is taken.",
    (Effects, "safety"): "Change to safety.",
    (Effects, "standards"): "Change to standards.",
    (Effects, "trust"): "Change to trust.",
    (Ending, "title"): "The ending's name in the debrief.",
    (Ending, "tone"): "How the ending judges the run; it adds a bonus to the score.",
}


def reference_markdown(catalogue: Catalogue | None = None) -> str:
    catalogue = catalogue if catalogue is not None else load_catalogue()
    return "\n".join([*_models(), *_numbers(), *_principles(catalogue)]).rstrip("\n") + "\n"


def _models() -> Iterator[str]:
    yield f"Every file starts with `format: {FORMAT}`. Keys not listed here are errors, so a typo is caught."
    yield ""
    for model, where in MODELS:
        yield f"### {model.__name__}"
        yield ""
        yield f"{_intro(model)} *Where:* {where}.".lstrip()
        yield ""
        yield "| Key | Type | Required | Default | Description |"
        yield "| --- | --- | --- | --- | --- |"
        for name, field in model.model_fields.items():
            key = field.alias or name
            required = "yes" if field.is_required() else "no"
            cells = [f"`{key}`", type_text(field), required, default_text(field), description(model, name)]
            yield "| " + " | ".join(_cell(c) for c in cells) + " |"
        yield ""


def _intro(model: type[BaseModel]) -> str:
    # A model without a docstring of its own has __doc__ None: docstrings are not inherited.
    return (model.__doc__ or "").strip() or INTRO_NOTES.get(model, "")


def description(model: type[BaseModel], name: str) -> str:
    field = model.model_fields[name]
    if field.description:
        return field.description
    for info in _annotated_metadata(field.annotation):
        if isinstance(info, FieldInfo) and info.description:
            return info.description
    return FIELD_NOTES.get((model, name), "")


def _annotated_metadata(annotation: Any) -> Iterator[Any]:
    """Metadata of an `Annotated[...]` inside `annotation`, looking through `X | None`."""
    for member in _union_members(annotation):
        if typing.get_origin(member) is typing.Annotated:
            yield from typing.get_args(member)[1:]


def _union_members(annotation: Any) -> list[Any]:
    if typing.get_origin(annotation) in (Union, types.UnionType):
        return [a for a in typing.get_args(annotation) if a is not type(None)]
    return [annotation]


def type_text(field: FieldInfo) -> str:
    members = _union_members(field.annotation)
    return " or ".join(_type(member, list(field.metadata)) for member in members)


def _type(annotation: Any, metadata: Sequence[Any] = ()) -> str:
    metadata = list(metadata)
    if typing.get_origin(annotation) is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return _type(inner, [*metadata, *extra])
    # Constraints may sit directly in the metadata or inside a nested Field(...).
    flat: list[Any] = []
    for item in metadata:
        flat.extend(item.metadata if isinstance(item, FieldInfo) else [item])
    origin = typing.get_origin(annotation)
    if origin is Literal:
        values = [f"`{v}`" for v in typing.get_args(annotation)]
        return values[0] if len(values) == 1 else ", ".join(values[:-1]) + f" or {values[-1]}"
    if origin is list:
        (item,) = typing.get_args(annotation)
        return f"list of {_type(item)}" + _size(flat)
    if origin is dict:
        key, value = typing.get_args(annotation)
        return f"mapping of {_type(key)} → {_type(value)}" + _size(flat)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    if annotation is int:
        return "integer" + _bounds(flat)
    if annotation is str:
        return _string(flat)
    return getattr(annotation, "__name__", str(annotation))


def _string(metadata: Sequence[Any]) -> str:
    pattern = next((getattr(m, "pattern", None) for m in metadata if getattr(m, "pattern", None)), None)
    if pattern == SLUG_PATTERN:
        return "id"
    if pattern == COMPARISON_PATTERN:
        return "comparison"
    if any(getattr(m, "min_length", None) for m in metadata):
        return "text"
    return "text (may be empty)"


def _bounds(metadata: Sequence[Any]) -> str:
    low = high = None
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Gt):
            low = item.gt + 1  # type: ignore[operator]
        elif isinstance(item, annotated_types.Le):
            high = item.le
        elif isinstance(item, annotated_types.Lt):
            high = item.lt - 1  # type: ignore[operator]
    if low is None and high is None:
        return ""
    return f" {'' if low is None else low}..{'' if high is None else high}"


def _size(metadata: Sequence[Any]) -> str:
    least = next((m.min_length for m in metadata if isinstance(m, annotated_types.MinLen)), 0)
    return f", at least {least}" if least else ""


def default_text(field: FieldInfo) -> str:
    if field.default_factory is not None:
        made = field.default_factory()  # type: ignore[call-arg]
        if isinstance(made, BaseModel):
            return ", ".join(f"{k} {v}" for k, v in made.model_dump().items())
        return "empty" if not made else f"`{made}`"
    if field.default is PydanticUndefined:
        return ""
    if field.default is None:
        return "none"
    return f"`{field.default}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _numbers() -> Iterator[str]:
    delta = Effects.model_fields["safety"]
    yield "### Numbers the game uses"
    yield ""
    yield "| What | Value |"
    yield "| --- | --- |"
    yield f"| Meters | {', '.join(METER_NAMES)}: integers {METER_MIN}..{METER_MAX} |"
    yield f"| One effect | {type_text(delta)}, then the meter is clamped to {METER_MIN}..{METER_MAX} |"
    yield f"| Comparison operators in `if` | {', '.join(f'`{op}`' for op in OPERATORS)} |"
    yield f"| Zone line | {ZONE_THRESHOLD}: a meter at or above it counts as high |"
    bonus = ", ".join(f"{tone} {value:+d}" for tone, value in TONE_BONUS.items())
    yield f"| Score bonus by ending tone | {bonus} |"
    yield ""
    yield "| Zone | Meaning |"
    yield "| --- | --- |"
    for zone in Zone:
        yield f"| {zone.label} | {_cell(zone.description)} |"
    yield ""


def _principles(catalogue: Catalogue) -> Iterator[str]:
    yield "### Principles"
    yield ""
    yield "The ids a choice's `principle` and a scenario's `themes` may use (`tightrope principles`)."
    yield ""
    yield "| Id | Name |"
    yield "| --- | --- |"
    for principle in catalogue.values():
        yield f"| `{principle.id}` | {_cell(principle.name)} |"
    yield ""


def section_of(document: str) -> str | None:
    """The generated text between the markers in `document`, or None when the markers are missing."""
    start, end = document.find(START_MARKER), document.find(END_MARKER)
    if start < 0 or end < start:
        return None
    return document[start + len(START_MARKER) : end].strip("\n") + "\n"


def with_section(document: str, generated: str) -> str:
    start, end = document.find(START_MARKER), document.find(END_MARKER)
    if start < 0 or end < start:
        raise ValueError(f"the markers {START_MARKER!r} and {END_MARKER!r} are missing")
    return document[: start + len(START_MARKER)] + "\n\n" + generated + "\n" + document[end:]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m game.scenario.reference", description=__doc__)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", type=Path, metavar="DOC", help="replace the generated section of DOC")
    group.add_argument("--check", type=Path, metavar="DOC", help="exit 1 when DOC's section is stale")
    args = parser.parse_args(argv)
    generated = reference_markdown()
    if args.write is None and args.check is None:
        sys.stdout.write(generated)
        return 0
    doc: Path = args.write or args.check
    text = doc.read_text(encoding="utf-8")
    if args.check is not None:
        current = section_of(text)
        if current != generated:
            print(f"{doc}: the format reference is stale: run {parser.prog} --write {doc}", file=sys.stderr)
            return 1
        return 0
    doc.write_text(with_section(text, generated), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
