"""xAPI 1.0.3 statements from the results store: one per decision, one per finished run, for an LRS.

Pure: takes rows read from the store and the scenario models, returns statements as JSON-ready dicts.
`tightrope report --format xapi` writes them and `--lrs` sends them (the sending is in the command).

What a statement says, so that every learning record store reads the same story:

- The actor is the player's pseudonymous account: `name` is the player id, `homePage` the cohort's
  home page (`<base>/cohort/<cohort>`, or `<base>/players` without a cohort). No name, no e-mail.
- A decision is `answered`: the object is the scene, an activity of type cmi.interaction (choice)
  whose choices are the scene's; the response is the choice id; the meters after the decision, how
  much each moved and the choice's principle are result extensions; the scenario is the parent.
- A finished run is `completed`: the object is the scenario; the score is 0..100 (scaled 0..1);
  success means a good ending; the duration runs from the start to the finish.
- Statement ids are UUID5s of the run id and the decision's place (or "completed"), and timestamps are
  the recorded ones: building the statements again gives the same statements, so sending them twice
  stores them once.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from game.scenario.models import Scenario
from game.store.base import DecisionRow, RunRow

XAPI_VERSION = "1.0.3"
DEFAULT_BASE = "https://tightrope.invalid"
LANGUAGE = "en"
PLATFORM = "Tightrope"

ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
SIMULATION = "http://adlnet.gov/expapi/activities/simulation"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"

# Fixed for ever: statement ids and registrations are derived from it, so changing it would make every
# statement already sent look new.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://tightrope.invalid/xapi")

METERS = ("safety", "standards", "trust")

Statement = dict[str, Any]


class Vocabulary:
    """The IRIs Tightrope owns, under one base (`https://tightrope.invalid` unless configured)."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = base.rstrip("/")

    def home_page(self, cohort: str) -> str:
        return f"{self.base}/cohort/{quote(cohort, safe='')}" if cohort else f"{self.base}/players"

    def scenario(self, scenario_id: str) -> str:
        return f"{self.base}/scenarios/{quote(scenario_id, safe='')}"

    def scene(self, scenario_id: str, scene_id: str) -> str:
        return f"{self.scenario(scenario_id)}/scenes/{quote(scene_id, safe='')}"

    def extension(self, name: str) -> str:
        return f"{self.base}/xapi/extensions/{name}"


def statement_id(run_id: str, part: str) -> str:
    """The id of one statement about a run: the same run and part always give the same id."""
    return str(uuid.uuid5(NAMESPACE, f"{run_id}/{part}"))


def registration(run_id: str) -> str:
    """xAPI's attempt id: every statement about one run shares it."""
    return str(uuid.uuid5(NAMESPACE, f"{run_id}/registration"))


def timestamp(value: str) -> str:
    """A stored time as ISO 8601 with its offset; a time stored without one was UTC."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="milliseconds")


def duration(seconds: float) -> str:
    """ISO 8601 duration to the hundredth of a second, as xAPI asks: 83.5 → PT1M23.5S."""
    hundredths = max(0, round(seconds * 100))
    hours, rest = divmod(hundredths, 360_000)
    minutes, rest = divmod(rest, 6_000)
    whole, fraction = divmod(rest, 100)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if whole or fraction or text == "PT":
        text += f"{whole}.{fraction:02d}".rstrip("0").rstrip(".") + "S"
    return text


def statements(
    runs: Iterable[RunRow],
    decisions: Iterable[DecisionRow],
    scenarios: Iterable[Scenario],
    *,
    base: str = DEFAULT_BASE,
) -> list[Statement]:
    """Every statement about `runs`, run by run: its decisions in order, then its completion if finished.

    A scenario missing from `scenarios` (its file since removed) leaves out what only the file knows:
    titles and choice texts fall back to ids, and meter changes at the first decision and principles
    are left out.
    """
    vocabulary = Vocabulary(base)
    by_id: dict[str, Scenario] = {}
    for model in scenarios:
        by_id.setdefault(model.id, model)  # the first file with an id wins, as in `check`
    by_run: dict[str, list[DecisionRow]] = defaultdict(list)
    for decision in decisions:
        by_run[decision.run_id].append(decision)
    found: list[Statement] = []
    for run in runs:
        scenario = by_id.get(run.start.scenario_id)
        history = sorted(by_run.get(run.start.run_id, ()), key=lambda d: d.seq)
        before = _starting_meters(scenario)
        previous_seq = -1
        for decision in history:
            known_before = before if decision.seq == previous_seq + 1 else None
            found.append(answered(run, decision, scenario, known_before, vocabulary))
            before = {name: getattr(decision, name) for name in METERS}
            previous_seq = decision.seq
        if run.finish is not None:
            found.append(completed(run, scenario, vocabulary))
    return found


def answered(
    run: RunRow,
    decision: DecisionRow,
    scenario: Scenario | None,
    meters_before: Mapping[str, int] | None,
    vocabulary: Vocabulary,
) -> Statement:
    """The statement for one decision: the player answered the scene with a choice."""
    start = run.start
    after = {name: getattr(decision, name) for name in METERS}
    extensions: dict[str, Any] = {
        vocabulary.extension("meters"): after,
        vocabulary.extension("timed-out"): decision.timed_out,
    }
    if meters_before is not None:
        extensions[vocabulary.extension("meter-changes")] = {
            name: after[name] - meters_before[name] for name in METERS
        }
    scene = scenario.scenes.get(decision.scene_id) if scenario else None
    choice = scene.choice(decision.choice_id) if scene else None
    if choice is not None and choice.principle:
        extensions[vocabulary.extension("principle")] = choice.principle
    result: dict[str, Any] = {"response": decision.choice_id, "extensions": extensions}
    if decision.seconds is not None:
        result["duration"] = duration(decision.seconds)
    definition: dict[str, Any] = {
        "name": {LANGUAGE: scene.heading(decision.scene_id) if scene else decision.scene_id},
        "type": INTERACTION,
        "interactionType": "choice",
    }
    if scene is not None and scene.choices:
        definition["choices"] = [
            {"id": option.key, "description": {LANGUAGE: option.text}} for option in scene.choices
        ]
    context = _context(run, vocabulary)
    context["contextActivities"] = {"parent": [_scenario_activity(run, scenario, vocabulary)]}
    return {
        "id": statement_id(start.run_id, f"decision/{decision.seq}"),
        "actor": _actor(run, vocabulary),
        "verb": {"id": ANSWERED, "display": {"en-US": "answered"}},
        "object": {
            "objectType": "Activity",
            "id": vocabulary.scene(start.scenario_id, decision.scene_id),
            "definition": definition,
        },
        "result": result,
        "context": context,
        "timestamp": timestamp(decision.recorded_at),
    }


def completed(run: RunRow, scenario: Scenario | None, vocabulary: Vocabulary) -> Statement:
    """The statement for a finished run: the player completed the scenario, with its score."""
    start, finish = run.start, run.finish
    assert finish is not None, "only a finished run is completed"
    elapsed = datetime.fromisoformat(timestamp(finish.finished_at)) - datetime.fromisoformat(
        timestamp(start.started_at)
    )
    return {
        "id": statement_id(start.run_id, "completed"),
        "actor": _actor(run, vocabulary),
        "verb": {"id": COMPLETED, "display": {"en-US": "completed"}},
        "object": _scenario_activity(run, scenario, vocabulary),
        "result": {
            "score": {"scaled": finish.score / 100, "raw": finish.score, "min": 0, "max": 100},
            "success": finish.ending_tone == "good",
            "completion": True,
            "duration": duration(elapsed.total_seconds()),
            "extensions": {
                vocabulary.extension("meters"): {name: getattr(finish, name) for name in METERS},
                vocabulary.extension("zone"): finish.zone,
                vocabulary.extension("ending"): finish.ending_scene,
                vocabulary.extension("ending-title"): finish.ending_title,
                vocabulary.extension("ending-tone"): finish.ending_tone,
            },
        },
        "context": _context(run, vocabulary),
        "timestamp": timestamp(finish.finished_at),
    }


def _actor(run: RunRow, vocabulary: Vocabulary) -> dict[str, Any]:
    return {
        "objectType": "Agent",
        "account": {"homePage": vocabulary.home_page(run.start.cohort), "name": run.start.player_id},
    }


def _scenario_activity(run: RunRow, scenario: Scenario | None, vocabulary: Vocabulary) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "name": {LANGUAGE: scenario.title if scenario else run.start.scenario_title},
        "type": SIMULATION,
    }
    if scenario is not None:
        definition["description"] = {LANGUAGE: scenario.summary}
    return {
        "objectType": "Activity",
        "id": vocabulary.scenario(run.start.scenario_id),
        "definition": definition,
    }


def _context(run: RunRow, vocabulary: Vocabulary) -> dict[str, Any]:
    start = run.start
    extensions: dict[str, Any] = {
        vocabulary.extension("run"): start.run_id,
        vocabulary.extension("cohort"): start.cohort,
    }
    if start.rewound_from is not None:
        # A run played on from another's debrief ("what if I had…?"): an experiment, not a first play.
        extensions[vocabulary.extension("rewound-from")] = start.rewound_from
    return {
        "registration": registration(start.run_id),
        "platform": PLATFORM,
        "language": LANGUAGE,
        "extensions": extensions,
    }


def _starting_meters(scenario: Scenario | None) -> dict[str, int] | None:
    if scenario is None:
        return None
    return {name: getattr(scenario.meters, name) for name in METERS}
