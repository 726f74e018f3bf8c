"""From a scenario and a run's moves to the plain data scoring rewards read: what each decision offered
and took (`DecisionView`), whole runs (`RunView`), a player's `History` and the `Shelf` of scenarios.

Two sources feed it: the engine's `RunState` at the debrief (`run_view`), and the results store's rows
(`history_from_store`). A run is replayed through the real engine to learn which choices were available
at each decision, so the store's `DecisionRow`s plus the scenario are enough; when a scenario has
changed since a run was recorded, what can no longer be replayed is left out rather than guessed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast, get_args

from game.engine import ChoiceError, Engine, Move, RunState
from game.scenario.models import Choice, Scenario, Tone
from game.store.base import DecisionRow, RunRow
from scoring import achievements as rewards
from scoring.history import DecisionView, History, RunView, ScenarioFacts, Shelf, sound
from scoring.meters import Meters
from scoring.zones import Zone


@dataclass(frozen=True, slots=True)
class Offer:
    """One decision as the engine saw it: what could be practised, whether the choice taken did, and
    the meters after it."""

    offered: frozenset[str]
    sound: bool
    after: Meters


def net(choice: Choice) -> int:
    """The sum of a choice's meter effects as written: what `scoring.history.sound` compares."""
    return sum(choice.effects.deltas().values()) if choice.effects else 0


def practising(choices: Sequence[Choice]) -> list[str | None]:
    """For the choices on offer at one decision: the principle each practises, or None."""
    return [
        choice.principle if ok else None
        for choice, ok in zip(choices, sound([net(c) for c in choices]), strict=True)
    ]


def offers(scenario: Scenario, moves: Sequence[Move]) -> list[Offer]:
    """Replay `moves` and tell, per decision, what the choices available before it could practise.

    Stops at the first move the scenario no longer allows, so the list may be shorter than `moves`.
    """
    engine = Engine(scenario)
    state = engine.start()
    found: list[Offer] = []
    for move in moves:
        if move.scene != state.scene:
            break
        available = engine.available(state)
        practised = dict(zip((c.key for c in available), practising(available), strict=True))
        try:
            step = engine.time_out(state) if move.timed_out else engine.choose(state, move.choice)
        except ChoiceError:
            break
        offered = frozenset(p for p in practised.values() if p is not None)
        found.append(Offer(offered, practised.get(move.choice) is not None, step.explanation.after))
        state = step.state
    return found


def taught(scenario: Scenario) -> dict[str, int]:
    """Principle → how many of the scenario's choices practise it, judging each scene's choices together
    (as if all were on offer): the principles the scenario teaches."""
    counts: dict[str, int] = {}
    for scene in scenario.scenes.values():
        for principle in practising(scene.choices):
            if principle is not None:
                counts[principle] = counts.get(principle, 0) + 1
    return counts


def decision_views(
    scenario: Scenario | None, moves: Sequence[Move], meters_after: Sequence[Meters] | None = None
) -> tuple[DecisionView, ...]:
    """Each move as a `DecisionView`. The meters come from `meters_after` when given (the store's rows),
    else from the replay, which must then succeed; raises ChoiceError when it does not."""
    replayed = offers(scenario, moves) if scenario is not None else []
    if meters_after is None and len(replayed) < len(moves):
        raise ChoiceError("the scenario no longer allows these moves, and no meters were recorded")
    views = []
    for n, move in enumerate(moves):
        scene = scenario.scenes.get(move.scene) if scenario is not None else None
        choice = scene.choice(move.choice) if scene is not None else None
        views.append(
            DecisionView(
                scene_id=move.scene,
                choice_id=move.choice,
                principle=choice.principle if choice is not None else None,
                after=meters_after[n] if meters_after is not None else replayed[n].after,
                sound=n < len(replayed) and replayed[n].sound,
                timed_out=move.timed_out,
                timed=scene is not None and scene.timer is not None,
                offered=replayed[n].offered if n < len(replayed) else frozenset(),
            )
        )
    return tuple(views)


def run_view(
    scenario: Scenario,
    state: RunState,
    *,
    rewound_from_zone: Zone | None = None,
    run_id: str | None = None,
) -> RunView:
    """The finished run in `state` (the debrief's), for `earned`, `run_xp` and the rest."""
    ending = scenario.scenes[state.scene].ending
    if ending is None:
        raise ChoiceError("a RunView needs a finished run")
    return RunView(
        scenario_id=scenario.id,
        ending_scene=state.scene,
        ending_tone=ending.tone,
        start=Meters(**scenario.meters.as_dict()),
        decisions=decision_views(scenario, state.history),
        rewound_from_zone=rewound_from_zone,
        run_id=run_id,
    )


def run_view_from_rows(
    row: RunRow,
    decisions: Sequence[DecisionRow],
    scenario: Scenario | None,
    *,
    rewound_from_zone: Zone | None = None,
) -> RunView | None:
    """A finished run from the store; None for an unfinished one. `scenario` may be None when its file
    is gone: the run then still counts, without principles or offers."""
    finish = row.finish
    if finish is None:
        return None
    ordered = sorted((d for d in decisions if d.run_id == row.start.run_id), key=lambda d: d.seq)
    moves = [Move(scene=d.scene_id, choice=d.choice_id, timed_out=d.timed_out) for d in ordered]
    meters = [Meters(d.safety, d.standards, d.trust) for d in ordered]
    if not ordered:
        # No decision reached the store (a spool lost, say): keep the final meters all the same.
        meters = [Meters(finish.safety, finish.standards, finish.trust)]
        moves = [Move(scene=finish.ending_scene, choice="")]
    if finish.ending_tone not in get_args(Tone):
        return None
    views = decision_views(scenario, moves, meters)
    return RunView(
        scenario_id=row.start.scenario_id,
        ending_scene=finish.ending_scene,
        ending_tone=cast(Tone, finish.ending_tone),
        start=Meters(**scenario.meters.as_dict()) if scenario is not None else Meters(),
        decisions=views,
        rewound_from_zone=rewound_from_zone,
        run_id=row.start.run_id,
    )


_ZONES = frozenset(zone.value for zone in Zone)


def finished_views(
    rows: Sequence[RunRow],
    decisions: Sequence[DecisionRow],
    scenarios: Mapping[str, Scenario],
    *,
    leave_out: str | None = None,
    built: dict[str, RunView | None] | None = None,
) -> list[RunView]:
    """The finished runs in `rows` (but `leave_out`), in the order they finished. `built`, when given,
    keeps each run's view by run id across calls: a finished run never changes."""
    built = {} if built is None else built
    by_run: dict[str, list[DecisionRow]] = {}
    for decision in decisions:
        by_run.setdefault(decision.run_id, []).append(decision)
    zones = {row.start.run_id: row.finish.zone for row in rows if row.finish is not None}
    finished = sorted(
        (row for row in rows if row.finish is not None and row.start.run_id != leave_out),
        key=lambda row: (row.finish.finished_at if row.finish else "", row.start.run_id),
    )
    views = []
    for row in finished:
        run_id = row.start.run_id
        if run_id not in built:
            origin = zones.get(row.start.rewound_from or "")
            built[run_id] = run_view_from_rows(
                row,
                by_run.get(run_id, []),
                scenarios.get(row.start.scenario_id),
                rewound_from_zone=Zone(origin) if origin in _ZONES else None,
            )
        view = built[run_id]
        if view is not None:
            views.append(view)
    return views


def history_from_store(
    rows: Sequence[RunRow], decisions: Sequence[DecisionRow], scenarios: Mapping[str, Scenario]
) -> History:
    """A player's finished runs, in the order they finished. Pass one player's rows
    (`store.runs(player_id=...)`) and their decisions (`store.decisions([run ids])`)."""
    return History(tuple(finished_views(rows, decisions, scenarios)))


def practised_by_run(
    rows: Sequence[RunRow], decisions: Sequence[DecisionRow], scenarios: Mapping[str, Scenario]
) -> dict[str, frozenset[str]]:
    """Finished run id → the principles its player practised: what a principle room challenge reads."""
    return {view.run_id or "": view.practised for view in finished_views(rows, decisions, scenarios)}


def scenario_achievements(scenario: Scenario) -> tuple[rewards.Achievement, ...]:
    """The scenario's own achievements as scoring reads them. One whose condition is not valid (which
    `tightrope check` reports) is left out."""
    found = []
    for achievement in scenario.achievements:
        condition, _problems = rewards.read_condition(achievement.condition.given(), scoped=True)
        if condition is not None:
            found.append(
                rewards.Achievement(
                    id=achievement.id,
                    name=achievement.name,
                    description=achievement.description,
                    condition=condition,
                    hidden=achievement.hidden,
                    scenario_id=scenario.id,
                )
            )
    return tuple(found)


def scenario_facts(scenario: Scenario, *, shipped: bool = True) -> ScenarioFacts:
    counts = taught(scenario)
    return ScenarioFacts(
        id=scenario.id,
        title=scenario.title,
        endings=tuple(scenario.endings),
        principles=tuple(sorted(counts.items(), key=lambda item: -item[1])),
        themes=tuple(scenario.themes),
        achievements=scenario_achievements(scenario),
        shipped=shipped,
    )


def shelf_of(scenarios: Iterable[Scenario], *, not_shipped: Collection[str] = ()) -> Shelf:
    """The shelf of `scenarios`; ids in `not_shipped` (a facilitator's own files, say) do not count
    towards "every scenario" and "every principle"."""
    return Shelf(tuple(scenario_facts(s, shipped=s.id not in not_shipped) for s in scenarios))
