"""The facilitator's contract, format `tightrope/1`: pydantic models behind the schema, docs and loader.

Shape and types live here; rules that relate one part of a file to another (ids that must exist,
principles from the catalogue) live in `rules.py`, and the story graph in `game.analysis`. A file that
passes is turned into the game's own plain classes (`models.py`, the same names and fields): `story`.
Only checking a file imports pydantic; playing one does not.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from game.scenario import models
from game.scenario.models import COMPARISON_PATTERN, SLUG_PATTERN, Tone, ZoneName

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1)]
Delta = Annotated[int, Field(ge=-30, le=30)]
MeterValue = Annotated[int, Field(ge=0, le=100)]
Comparison = Annotated[
    str,
    StringConstraints(pattern=COMPARISON_PATTERN),
    Field(description='A comparison with an integer, quoted in YAML: ">= 60", "< 40", "== 50".'),
]
Count = Annotated[int, Field(ge=1)]


class Strict(BaseModel):
    # Unknown keys are errors so that a typo (`efects`) is caught instead of silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Effects(Strict):
    """Integer changes to the meters, each within -30..+30. Omitted meters do not change."""

    safety: Delta | None = None
    standards: Delta | None = None
    trust: Delta | None = None


class Condition(Strict):
    """When a choice is offered. Every part must hold; meters compare with an integer."""

    safety: Comparison | None = None
    standards: Comparison | None = None
    trust: Comparison | None = None
    flags: list[Slug] = Field(default_factory=list, description="Flags that must all be set.")
    not_flags: list[Slug] = Field(default_factory=list, description="Flags that must all be unset.")


class Choice(Strict):
    id: Slug | None = Field(None, description="Unique in the scene; defaults to c1, c2, ... in order.")
    text: Text = Field(description="What the player sees and picks.")
    effects: Effects | None = None
    why: Text | None = Field(None, description="Why the meters move; required when effects are given.")
    principle: Slug | None = Field(None, description="A principle id from the catalogue.")
    condition: Condition | None = Field(None, alias="if", description="Offered only when this holds.")
    sets: list[Slug] = Field(default_factory=list, description="Flags set by taking this choice.")
    clears: list[Slug] = Field(default_factory=list, description="Flags cleared by taking this choice.")
    next: Slug = Field(description="The scene this choice leads to.")


class Ending(Strict):
    title: Text
    tone: Tone


class Scene(Strict):
    title: str | None = Field(None, description="Optional heading.")
    text: Text = Field(description="The narrative, in Markdown.")
    timer: Annotated[int, Field(gt=0, le=3600)] | None = Field(
        None, description="Seconds before `on_timeout` is taken automatically."
    )
    on_timeout: Slug | None = Field(None, description="A choice id of this scene; required with timer.")
    choices: list[Choice] = Field(default_factory=list)
    ending: Ending | None = Field(None, description="Marks the scene as an ending.")

    @field_validator("choices")
    @classmethod
    def _number_unnamed_choices(cls, choices: list[Choice]) -> list[Choice]:
        return [
            choice if choice.id is not None else choice.model_copy(update={"id": f"c{n}"})
            for n, choice in enumerate(choices, start=1)
        ]


class TookChoice(Strict):
    """A choice of this scenario, named by its scene and its id."""

    scene: Slug = Field(description="The scene's id.")
    choice: Slug = Field(description="The choice's id in that scene.")


class MeterFloors(Strict):
    """The lowest value each named meter may reach during the run; meters left out are free."""

    safety: MeterValue | None = Field(None, description="Safety stays at this value or above.")
    standards: MeterValue | None = Field(None, description="Standards stay at this value or above.")
    trust: MeterValue | None = Field(None, description="Trust stays at this value or above.")


class AchievementCondition(Strict):
    """When an achievement is earned: every key given must hold. The last five count across runs."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    # The keys mirror scoring.achievements.Condition (a test keeps them in step); what they mean is
    # decided there, once, for the global set and for scenarios alike.
    principle: Slug | None = Field(
        None,
        description="The player practised this principle: chose (not the timer) a choice that rests on it "
        "and helps the team, at least half as much as the best choice on offer.",
    )
    took: TookChoice | None = Field(None, description="The player chose this choice.")
    ending: Slug | None = Field(None, description="The run reached this ending scene.")
    tone: Tone | None = Field(None, description="The run reached an ending of this tone.")
    zone: ZoneName | None = Field(None, description="The run finished in this zone.")
    never_below: MeterFloors | None = Field(
        None, description="Each meter named stayed at its floor or above, from the start to the end."
    )
    answered_in_time: Literal["one", "every"] | None = Field(
        None,
        description="`one`: the player answered a timed scene before time ran out; "
        "`every`: the run met a timer and never let one choose.",
    )
    distinct_principles: Count | None = Field(
        None, description="The player practised at least this many different principles in the run."
    )
    rewound_better: bool = Field(
        False,
        description="A rewound run that ended in a better zone than the run it was rewound from "
        "(the ladder: apathy, then comfort or anxiety, then learning).",
    )
    improved: bool = Field(
        False, description="A replay that beat the player's best earlier zone or score in this scenario."
    )
    runs: Count | None = Field(
        None,
        description="At least this many matching runs: runs of this scenario that meet the keys above.",
    )
    streak: Count | None = Field(
        None, description="This run and the runs just before it, this many in all, match."
    )
    all_endings: bool = Field(False, description="Matching runs have reached every ending.")
    endings_found: Count | None = Field(
        None, description="Matching runs have reached at least this many different endings."
    )
    all_principles: bool = Field(
        False, description="Matching runs have practised every principle this scenario's choices use."
    )


class Achievement(Strict):
    """A reward for a behaviour this scenario wants to see, shown beside the global achievements."""

    id: Slug = Field(description="Unique among this scenario's achievements.")
    name: Text = Field(description="A short name, in the training's words.")
    description: Text = Field(description="One line that names the behaviour: what the player did.")
    hidden: bool = Field(False, description="Shown as a locked secret until earned.")
    condition: AchievementCondition = Field(
        description="When it is earned; see [AchievementCondition](#achievementcondition)."
    )


class StartingMeters(Strict):
    safety: MeterValue = 50
    standards: MeterValue = 50
    trust: MeterValue = 50


class Scenario(Strict):
    format: Literal["tightrope/1"] = Field(description="Exactly `tightrope/1`.")
    id: Slug
    title: Text
    summary: Text = Field(description="One to three sentences for the scenario picker.")
    role: Text = Field(description="Who the player is.")
    minutes: Annotated[int, Field(gt=0, le=240)] | None = Field(None, description="Estimated play time.")
    themes: list[Slug] = Field(default_factory=list, description="Principle ids from the catalogue.")
    meters: StartingMeters = Field(default_factory=StartingMeters)
    start: Slug = Field(description="The first scene's id.")
    scenes: dict[Slug, Scene] = Field(min_length=1)
    discussion: list[Text] = Field(
        default_factory=list,
        description="Facilitator notes: questions for the cohort to discuss after play.",
    )
    achievements: list[Achievement] = Field(
        default_factory=list,
        description="This scenario's own achievements, earned beside the global ones; "
        "see [Achievement](#achievement).",
    )

    def story(self) -> models.Scenario:
        """The scenario as the game plays it."""
        return models.Scenario.from_data(self.model_dump())
