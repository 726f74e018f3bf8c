"""Rules that relate one part of a scenario to another: ids that must exist, timers, catalogue principles."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator

from game.scenario.errors import KeyPath
from game.scenario.models import Scenario, Scene

Finding = tuple[KeyPath, str]


# difflib compares against every option; past this many a suggestion would cost more than it helps.
MAX_SUGGESTION_OPTIONS = 500


def did_you_mean(word: str, options: Collection[str]) -> str:
    if len(options) > MAX_SUGGESTION_OPTIONS:
        return ""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_references(scenario: Scenario, principles: Collection[str]) -> Iterator[Finding]:
    scene_ids = scenario.scenes.keys()
    if scenario.start not in scene_ids:
        yield (
            ("start",),
            (f"start scene {scenario.start!r} does not exist{did_you_mean(scenario.start, scene_ids)}"),
        )
    for n, theme in enumerate(scenario.themes):
        if theme not in principles:
            yield ("themes", n), _unknown_principle(theme, principles)
    for scene_id, scene in scenario.scenes.items():
        yield from _check_scene(("scenes", scene_id), scene, scene_ids, principles)


def _unknown_principle(principle: str, principles: Collection[str]) -> str:
    return (
        f"unknown principle {principle!r}{did_you_mean(principle, principles)}; "
        "`tightrope principles` lists the catalogue"
    )


def _check_scene(
    at: KeyPath, scene: Scene, scene_ids: Collection[str], principles: Collection[str]
) -> Iterator[Finding]:
    if scene.is_ending:
        if scene.choices:
            yield (*at, "choices"), "an ending scene has no choices: remove `choices` or `ending`"
        if scene.timer is not None:
            yield (*at, "timer"), "an ending scene cannot have a timer"
    elif not scene.choices:
        yield at, "this scene has no choices and no `ending`: add choices, or mark it as an ending"

    seen: set[str] = set()
    for n, choice in enumerate(scene.choices):
        where = (*at, "choices", n)
        assert choice.id is not None  # numbered on load
        if choice.id in seen:
            yield (*where, "id"), f"choice id {choice.id!r} is used twice in this scene"
        seen.add(choice.id)
        if choice.next not in scene_ids:
            yield (
                (*where, "next"),
                (f"scene {choice.next!r} does not exist{did_you_mean(choice.next, scene_ids)}"),
            )
        if choice.effects is not None and choice.why is None:
            yield where, "a choice with `effects` needs a `why` that explains them to the player"
        if choice.principle is not None and choice.principle not in principles:
            yield (*where, "principle"), _unknown_principle(choice.principle, principles)

    if scene.timer is not None and scene.on_timeout is None:
        yield (
            (*at, "timer"),
            "a timed scene needs `on_timeout`: the choice taken when time runs out",
        )
    if scene.on_timeout is not None:
        timeout_choice = scene.choice(scene.on_timeout)
        if scene.timer is None:
            yield (*at, "on_timeout"), "`on_timeout` needs a `timer` in the same scene"
        if timeout_choice is None:
            yield (
                (*at, "on_timeout"),
                (
                    f"`on_timeout` names {scene.on_timeout!r}, which is not a choice id of this scene"
                    f"{did_you_mean(scene.on_timeout, seen)}"
                ),
            )
        elif timeout_choice.condition is not None:
            yield (
                (*at, "on_timeout"),
                ("the `on_timeout` choice cannot have an `if`: time must always be able to run out"),
            )
