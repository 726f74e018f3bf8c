"""What the room chose: a cohort's runs and decisions turned into the facilitator's report.

Pure: takes rows read from the results store and the scenario models, returns frozen dataclasses. The
dashboard, `tightrope report --format csv|json` and anything else read the room through this one module.

Counting rules, so every front end tells the same story:

- A *player* is one run. A run rewound from another (played on from a debrief, "what if I had…?") is
  an experiment, not the room's choice: it is listed among the players but left out of every aggregate.
- The splits count each decision once per run, at the scene where it was taken.
- The map, the average meters and the zone counts use each counted run's current meters (its final
  meters once finished), and only runs that have made at least one decision: a player who has just
  opened the scenario has not been anywhere yet.
- Endings are shared out over the finished counted runs.
- A talking point is a scene where players lost safety or standards: how many of those who decided
  there saw the meter fall, by how much on average, and through which choices. Meter changes are read
  from the recorded meters (after the clamp), so they are what players actually saw.
- Scenes, choices and endings the scenario no longer has come after its own, in id order.

Counted twice, the same way: a store counts its rows in SQL (`ResultsStore.tally`, so that reading a
whole store's room never reads its rows one by one) and `room_report` counts rows in Python; `report_of`
makes the report from either, and tests/store/test_room_tally.py holds the two equal on every backend.
The list of players may be the most recent few (`ScenarioReport.runs` says how many there are).

Rewards read the same rows (the section at the end): what a player's runs have earned, for the game's
debrief, trophy and profile screens, and the room's shared goals and achievements, for players and the
dashboard. Those never name a player: goals count runs or players, achievements count players.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from game.offers import finished_views, shelf_of
from game.room_board import BoardView, board_of
from game.scenario.models import Scenario
from game.store.base import (
    ChoiceTally,
    DecisionRow,
    EndingTally,
    PositionTally,
    ResultsStore,
    RoomTally,
    RunNow,
    RunRow,
    ScenarioTally,
    StoreError,
    StoreOpener,
)
from scoring import Meters, Zone, zone_of
from scoring.achievements import Achievement, Shown, held, load_achievements, newly_earned, showcase
from scoring.challenges import Challenge, ChallengeProgress, challenge_progress
from scoring.history import History, RunView, Shelf
from scoring.leaderboard import Board, leaderboard
from scoring.mastery import MasterySummary, PrincipleMastery, mastery, summarise
from scoring.meters import MeterName
from scoring.progression import Progress, RunXp, progress, run_xp

TALKING_POINT_METERS: tuple[MeterName, ...] = ("safety", "standards")
DEFAULT_TALKING_POINTS = 5


def percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


@dataclass(frozen=True, slots=True)
class Player:
    """One run: who, where they are now, and how far they have come."""

    run_id: str
    name: str
    started_at: str
    finished_at: str | None
    decisions: int
    scene_id: str
    where: str
    meters: Meters
    ending_tone: str | None = None
    rewind: bool = False

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def zone(self) -> Zone:
        return zone_of(self.meters)

    @property
    def counted(self) -> bool:
        """Part of the room's aggregates: a first play, not a rewind."""
        return not self.rewind

    @property
    def on_map(self) -> bool:
        return self.counted and (self.decisions > 0 or self.finished)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "name": self.name,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "decisions": self.decisions,
            "scene": self.scene_id,
            "where": self.where,
            "meters": self.meters.as_dict(),
            "zone": self.zone.value,
            "ending_tone": self.ending_tone,
            "rewind": self.rewind,
        }


@dataclass(frozen=True, slots=True)
class ChoiceSplit:
    choice_id: str
    text: str
    count: int
    percent: float
    timed_out: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "choice": self.choice_id,
            "text": self.text,
            "count": self.count,
            "percent": round(self.percent, 1),
            "timed_out": self.timed_out,
        }


@dataclass(frozen=True, slots=True)
class SceneSplit:
    """How the room split at one decision: every choice of the scene, in the scenario's order."""

    scene_id: str
    heading: str
    decided: int
    choices: tuple[ChoiceSplit, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "scene": self.scene_id,
            "heading": self.heading,
            "decided": self.decided,
            "choices": [c.as_dict() for c in self.choices],
        }


@dataclass(frozen=True, slots=True)
class AverageMeters:
    safety: float
    standards: float
    trust: float
    players: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "safety": round(self.safety, 1),
            "standards": round(self.standards, 1),
            "trust": round(self.trust, 1),
            "players": self.players,
        }


@dataclass(frozen=True, slots=True)
class EndingCount:
    scene_id: str
    title: str
    tone: str
    count: int
    percent: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "scene": self.scene_id,
            "title": self.title,
            "tone": self.tone,
            "count": self.count,
            "percent": round(self.percent, 1),
        }


@dataclass(frozen=True, slots=True)
class ChoiceLoss:
    choice_id: str
    text: str
    count: int


@dataclass(frozen=True, slots=True)
class TalkingPoint:
    """At `heading`, `lost` of the `decided` players saw `meter` fall, by `average_loss` points on average."""

    scene_id: str
    heading: str
    meter: MeterName
    lost: int
    decided: int
    average_loss: float
    choices: tuple[ChoiceLoss, ...]

    @property
    def percent(self) -> float:
        return percent(self.lost, self.decided)

    def as_dict(self) -> dict[str, Any]:
        return {
            "scene": self.scene_id,
            "heading": self.heading,
            "meter": self.meter,
            "lost": self.lost,
            "decided": self.decided,
            "percent": round(self.percent, 1),
            "average_loss": round(self.average_loss, 1),
            "choices": [{"choice": c.choice_id, "text": c.text, "count": c.count} for c in self.choices],
        }


@dataclass(frozen=True, slots=True)
class Position:
    """How many counted runs stand at `meters` on the room map, finished or still playing."""

    meters: Meters
    finished: bool
    players: int


@dataclass(frozen=True, slots=True)
class ScenarioReport:
    scenario_id: str
    title: str
    known: bool
    players: tuple[Player, ...]
    """Every run, or only the most recently started ones when the reader was asked for a few
    (`runs` says how many there are)."""
    splits: tuple[SceneSplit, ...]
    average: AverageMeters | None
    zones: Mapping[Zone, int]
    endings: tuple[EndingCount, ...]
    talking_points: tuple[TalkingPoint, ...]
    discussion: tuple[str, ...]
    runs: int = 0
    rewinds: int = 0
    finished: int = 0
    """Counted runs that have finished."""
    positions: tuple[Position, ...] = ()
    """The map: counted runs with at least one decision (or finished), by meters."""

    @property
    def counted(self) -> int:
        return self.runs - self.rewinds

    @property
    def playing(self) -> int:
        return self.counted - self.finished

    @property
    def unlisted(self) -> int:
        """Runs left out of `players`."""
        return self.runs - len(self.players)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.scenario_id,
            "title": self.title,
            "known": self.known,
            "player_counts": {
                "counted": self.counted,
                "playing": self.playing,
                "finished": self.finished,
                "rewinds": self.rewinds,
            },
            "players": [p.as_dict() for p in self.players],
            "splits": [s.as_dict() for s in self.splits],
            "average_meters": self.average.as_dict() if self.average else None,
            "zones": {zone.value: count for zone, count in self.zones.items()},
            "endings": [e.as_dict() for e in self.endings],
            "talking_points": [t.as_dict() for t in self.talking_points],
            "discussion": list(self.discussion),
        }


@dataclass(frozen=True, slots=True)
class RoomReport:
    scenarios: tuple[ScenarioReport, ...]
    rewards: RoomRewards | None = None
    """The room's goals and achievements, when the reader was asked for them (`RoomRewardsReader`)."""

    def scenario(self, scenario_id: str) -> ScenarioReport | None:
        return next((s for s in self.scenarios if s.scenario_id == scenario_id), None)

    def as_dict(self) -> dict[str, Any]:
        return {"scenarios": [s.as_dict() for s in self.scenarios]}


def room_report(
    runs: Iterable[RunRow],
    decisions: Iterable[DecisionRow],
    scenarios: Iterable[Scenario],
    *,
    include: Sequence[str] = (),
    talking_points: int = DEFAULT_TALKING_POINTS,
) -> RoomReport:
    """One report per scenario played in `runs` (in order of first play), then any of `include` not played.

    Counts the rows here; a store counts the same in SQL (`ResultsStore.tally`, `report_of`)."""
    runs = list(runs)
    history: dict[str, list[DecisionRow]] = defaultdict(list)
    for decision in decisions:
        history[decision.run_id].append(decision)
    for rows in history.values():
        rows.sort(key=_seq)
    return report_of(
        tally_rows(runs, history),
        runs_now(runs, history),
        scenarios,
        include=include,
        talking_points=talking_points,
    )


def runs_now(runs: Sequence[RunRow], history: Mapping[str, Sequence[DecisionRow]]) -> list[RunNow]:
    """Each run with its last decision, from rows (`history`: each run's decisions in seq order)."""
    found = []
    for run in runs:
        rows = history.get(run.start.run_id, ())
        found.append(
            RunNow(replace(run, decisions=max(run.decisions, len(rows))), rows[-1] if rows else None)
        )
    return found


def tally_rows(runs: Sequence[RunRow], history: Mapping[str, Sequence[DecisionRow]]) -> RoomTally:
    """The room counted from rows, as a store counts it in SQL (`ResultsStore.tally`): `runs` in the
    order the store lists them (by start, then run id), `history` each run's decisions in seq order."""
    scenarios: dict[str, ScenarioTally] = {}
    counts: dict[tuple[str, str, str, bool, tuple[int, int]], list[int]] = {}
    positions: Counter[tuple[str, bool, int, int, int]] = Counter()
    endings: dict[tuple[str, str], EndingTally] = {}
    for run in runs:
        sid, rewind, finish = run.start.scenario_id, run.start.rewound_from is not None, run.finish
        key = (run.start.started_at, run.start.run_id)
        known = scenarios.get(sid) or ScenarioTally(sid, run.start.scenario_title, 0, 0, 0, key)
        scenarios[sid] = replace(
            known,
            runs=known.runs + 1,
            rewinds=known.rewinds + rewind,
            finished=known.finished + (not rewind and finish is not None),
        )
        if rewind:
            continue
        rows = history.get(run.start.run_id, ())
        before: DecisionRow | None = None
        for decision in rows:
            if before is None:
                meters = (decision.safety, decision.standards)
            else:
                meters = (decision.safety - before.safety, decision.standards - before.standards)
            tally = counts.setdefault(
                (sid, decision.scene_id, decision.choice_id, before is None, meters), [0, 0]
            )
            tally[0] += 1
            tally[1] += decision.timed_out
            before = decision
        if finish is not None:
            positions[(sid, True, finish.safety, finish.standards, finish.trust)] += 1
            reached = endings.get((sid, finish.ending_scene))
            endings[(sid, finish.ending_scene)] = EndingTally(
                sid,
                finish.ending_scene,
                finish.ending_title,
                finish.ending_tone,
                (reached.runs if reached else 0) + 1,
                key,
            )
        elif before is not None:
            positions[(sid, False, before.safety, before.standards, before.trust)] += 1
    return RoomTally(
        tuple(scenarios.values()),
        tuple(ChoiceTally(*key, *tally) for key, tally in counts.items()),
        tuple(PositionTally(*key, runs=count) for key, count in positions.items()),
        tuple(endings.values()),
    )


class RunningTally:
    """The tally of several rooms with no run in common (cohorts, say) as one room's, kept as rooms are
    added or counted again, at a cost that depends on the rooms that change, not on all of them.

    Rooms counted again (`recount`) are put in place of what they were counted as before: they may be
    cut up or put together otherwise, but between them they have every run they had, each as far on or
    further, since a store never deletes a row, a run's start never changes and a finish is never undone.
    Their counts are taken away and the new ones added; a scenario's first run and an ending's latest
    are kept as the earliest and latest ever counted, which is only right because of that: a recount
    with fewer runs than before would leave them wrong.
    """

    def __init__(self) -> None:
        self._runs: dict[str, list[int]] = {}
        self._first: dict[str, ScenarioTally] = {}
        self._choices: dict[tuple[str, str, str, bool, tuple[int, int]], list[int]] = {}
        self._positions: dict[tuple[str, bool, int, int, int], int] = {}
        self._reached: dict[tuple[str, str], int] = {}
        self._latest: dict[tuple[str, str], EndingTally] = {}
        self._tally: RoomTally | None = None

    def add(self, part: RoomTally) -> None:
        """Count a room that has not been counted in this tally."""
        self._count(part, 1)

    def recount(self, before: Iterable[RoomTally], now: Iterable[RoomTally]) -> None:
        """Count rooms again: `before` is what they were counted as last, `now` a later count of them."""
        for part in before:
            self._count(part, -1)
        for part in now:
            self._count(part, 1)

    def _count(self, part: RoomTally, sign: int) -> None:
        self._tally = None
        for scenario in part.scenarios:
            sid = scenario.scenario_id
            counts = self._runs.setdefault(sid, [0, 0, 0])
            counts[0] += sign * scenario.runs
            counts[1] += sign * scenario.rewinds
            counts[2] += sign * scenario.finished
            if not counts[0]:
                del self._runs[sid]
                self._first.pop(sid, None)
            elif sign > 0 and (sid not in self._first or scenario.first < self._first[sid].first):
                self._first[sid] = scenario
        for choice in part.choices:
            key = (choice.scenario_id, choice.scene_id, choice.choice_id, choice.first, choice.meters)
            taken = self._choices.setdefault(key, [0, 0])
            taken[0] += sign * choice.decided
            taken[1] += sign * choice.timed_out
            if not taken[0]:
                del self._choices[key]
        for position in part.positions:
            where = (
                position.scenario_id,
                position.finished,
                position.safety,
                position.standards,
                position.trust,
            )
            runs = self._positions.get(where, 0) + sign * position.runs
            if runs:
                self._positions[where] = runs
            else:
                self._positions.pop(where, None)
        for ending in part.endings:
            place = (ending.scenario_id, ending.ending_scene)
            reached = self._reached.get(place, 0) + sign * ending.runs
            if not reached:
                self._reached.pop(place, None)
                self._latest.pop(place, None)
                continue
            self._reached[place] = reached
            if sign > 0 and (place not in self._latest or ending.latest > self._latest[place].latest):
                self._latest[place] = ending

    def tally(self) -> RoomTally:
        """The rooms counted as one."""
        if self._tally is None:
            first = sorted(self._first.values(), key=lambda s: s.first)
            self._tally = RoomTally(
                tuple(
                    replace(s, runs=runs, rewinds=rewinds, finished=finished)
                    for s in first
                    for runs, rewinds, finished in (self._runs[s.scenario_id],)
                ),
                tuple(ChoiceTally(*key, *taken) for key, taken in self._choices.items()),
                tuple(PositionTally(*where, runs=runs) for where, runs in self._positions.items()),
                tuple(replace(e, runs=self._reached[place]) for place, e in self._latest.items()),
            )
        return self._tally


def report_of(
    tally: RoomTally,
    players: Sequence[RunNow],
    scenarios: Iterable[Scenario],
    *,
    include: Sequence[str] = (),
    talking_points: int = DEFAULT_TALKING_POINTS,
) -> RoomReport:
    """The report from the room's `tally` and the runs to list as `players` (all of them, or a few)."""
    by_id: dict[str, Scenario] = {}
    for scenario in scenarios:
        by_id.setdefault(scenario.id, scenario)  # the first file with an id wins, as in `check`
    played = {s.scenario_id: s for s in tally.scenarios}
    order = list(played)
    order += [sid for sid in include if sid in by_id and sid not in played]
    listed: dict[str, list[RunNow]] = defaultdict(list)
    for now in players:
        listed[now.run.start.scenario_id].append(now)
    choices: dict[str, list[ChoiceTally]] = defaultdict(list)
    for choice in tally.choices:
        choices[choice.scenario_id].append(choice)
    positions: dict[str, list[PositionTally]] = defaultdict(list)
    for position in tally.positions:
        positions[position.scenario_id].append(position)
    endings: dict[str, list[EndingTally]] = defaultdict(list)
    for ending in tally.endings:
        endings[ending.scenario_id].append(ending)
    return RoomReport(
        tuple(
            _scenario_report(
                played.get(sid) or ScenarioTally(sid, sid, 0, 0, 0),
                listed[sid],
                choices[sid],
                positions[sid],
                endings[sid],
                by_id.get(sid),
                talking_points,
            )
            for sid in order
        )
    )


def _scenario_report(
    tally: ScenarioTally,
    players: Sequence[RunNow],
    choices: Sequence[ChoiceTally],
    positions: Sequence[PositionTally],
    endings: Sequence[EndingTally],
    scenario: Scenario | None,
    talking_points: int,
) -> ScenarioReport:
    """The report on one scenario. Without its model (a file since removed) ids stand in for the text."""
    shape = _Shape(scenario)
    splits = _splits(choices, shape)
    mapped = tuple(
        sorted(
            (Position(Meters(p.safety, p.standards, p.trust), p.finished, p.runs) for p in positions),
            key=lambda p: (p.meters.safety, p.meters.standards, p.meters.trust, p.finished),
        )
    )
    return ScenarioReport(
        scenario_id=tally.scenario_id,
        title=scenario.title if scenario else tally.title,
        known=scenario is not None,
        players=tuple(_player(now, shape) for now in players),
        splits=splits,
        average=_average(mapped),
        zones={zone: sum(p.players for p in mapped if zone_of(p.meters) is zone) for zone in Zone},
        endings=_endings(endings, shape),
        talking_points=_talking_points(choices, splits, shape, talking_points),
        discussion=tuple(scenario.discussion) if scenario else (),
        runs=tally.runs,
        rewinds=tally.rewinds,
        finished=tally.finished,
        positions=mapped,
    )


def _seq(decision: DecisionRow) -> int:
    return decision.seq


class _Shape:
    """The scenario's scenes and choices in file order, with stand-ins when the model is missing."""

    def __init__(self, scenario: Scenario | None) -> None:
        self.scenario = scenario
        self.scene_order = list(scenario.scenes) if scenario else []

    def heading(self, scene_id: str) -> str:
        if self.scenario and scene_id in self.scenario.scenes:
            return self.scenario.scenes[scene_id].heading(scene_id)
        return scene_id

    def choice_text(self, scene_id: str, choice_id: str) -> str:
        if self.scenario and scene_id in self.scenario.scenes:
            choice = self.scenario.scenes[scene_id].choice(choice_id)
            if choice is not None:
                return choice.text
        return choice_id

    def choice_ids(self, scene_id: str) -> list[str]:
        if self.scenario and scene_id in self.scenario.scenes:
            return [c.key for c in self.scenario.scenes[scene_id].choices]
        return []

    def decision_scenes(self) -> list[str]:
        if not self.scenario:
            return []
        return [sid for sid, scene in self.scenario.scenes.items() if scene.choices]

    def after(self, decision: DecisionRow) -> str | None:
        """The scene a decision leads to, if the scenario still has that choice."""
        if self.scenario and decision.scene_id in self.scenario.scenes:
            choice = self.scenario.scenes[decision.scene_id].choice(decision.choice_id)
            if choice is not None:
                return choice.next
        return None

    @property
    def start(self) -> Meters | None:
        return Meters(**self.scenario.meters.as_dict()) if self.scenario else None

    def endings(self) -> list[str]:
        return list(self.scenario.endings) if self.scenario else []

    def order(self, scene_id: str) -> int:
        return self.scene_order.index(scene_id) if scene_id in self.scene_order else len(self.scene_order)


def _player(now: RunNow, shape: _Shape) -> Player:
    run, last = now.run, now.last
    start, finish = run.start, run.finish
    if finish is not None:
        scene_id, where = finish.ending_scene, finish.ending_title
        meters = Meters(finish.safety, finish.standards, finish.trust)
    elif last is not None:
        next_scene = shape.after(last)
        scene_id = next_scene or last.scene_id
        where = shape.heading(next_scene) if next_scene else f"after {shape.heading(last.scene_id)}"
        meters = Meters(last.safety, last.standards, last.trust)
    else:
        scene_id = shape.scenario.start if shape.scenario else ""
        where = shape.heading(scene_id) if scene_id else "starting"
        meters = shape.start or Meters()
    return Player(
        run_id=start.run_id,
        name=start.player_name,
        started_at=start.started_at,
        finished_at=finish.finished_at if finish else None,
        decisions=run.decisions,
        scene_id=scene_id,
        where=where,
        meters=meters,
        ending_tone=finish.ending_tone if finish else None,
        rewind=start.rewound_from is not None,
    )


def _splits(choices: Sequence[ChoiceTally], shape: _Shape) -> tuple[SceneSplit, ...]:
    """Scenes and choices in the scenario's order; any it no longer has after them, in id order."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    timeouts: dict[str, Counter[str]] = defaultdict(Counter)
    for choice in choices:
        counts[choice.scene_id][choice.choice_id] += choice.decided
        timeouts[choice.scene_id][choice.choice_id] += choice.timed_out
    scenes = shape.decision_scenes()
    scenes += sorted(sid for sid in counts if sid not in scenes)
    splits = []
    for scene_id in scenes:
        taken = counts.get(scene_id, Counter())
        decided = sum(taken.values())
        choice_ids = shape.choice_ids(scene_id)
        choice_ids += sorted(cid for cid in taken if cid not in choice_ids)
        splits.append(
            SceneSplit(
                scene_id,
                shape.heading(scene_id),
                decided,
                tuple(
                    ChoiceSplit(
                        choice_id=cid,
                        text=shape.choice_text(scene_id, cid),
                        count=taken[cid],
                        percent=percent(taken[cid], decided),
                        timed_out=timeouts[scene_id][cid],
                    )
                    for cid in choice_ids
                ),
            )
        )
    return tuple(splits)


def _average(positions: Sequence[Position]) -> AverageMeters | None:
    n = sum(p.players for p in positions)
    if not n:
        return None
    return AverageMeters(
        safety=sum(p.meters.safety * p.players for p in positions) / n,
        standards=sum(p.meters.standards * p.players for p in positions) / n,
        trust=sum(p.meters.trust * p.players for p in positions) / n,
        players=n,
    )


def _endings(endings: Sequence[EndingTally], shape: _Shape) -> tuple[EndingCount, ...]:
    """The scenario's endings in its order; any it no longer has after them, in id order."""
    reached = {e.ending_scene: e.runs for e in endings}
    named = {e.ending_scene: (e.ending_title, e.ending_tone) for e in endings}
    if shape.scenario:
        for scene_id, scene in shape.scenario.endings.items():
            assert scene.ending is not None
            named[scene_id] = (scene.ending.title, scene.ending.tone)
    finished = sum(reached.values())
    scenes = shape.endings() + sorted(sid for sid in reached if sid not in shape.endings())
    return tuple(
        EndingCount(
            sid, *named[sid], count=reached.get(sid, 0), percent=percent(reached.get(sid, 0), finished)
        )
        for sid in scenes
    )


def _talking_points(
    choices: Sequence[ChoiceTally],
    splits: Sequence[SceneSplit],
    shape: _Shape,
    limit: int,
) -> tuple[TalkingPoint, ...]:
    lost: Counter[tuple[str, MeterName]] = Counter()
    loss: Counter[tuple[str, MeterName]] = Counter()
    through: dict[tuple[str, MeterName], Counter[str]] = defaultdict(Counter)
    start = shape.start
    for choice in choices:
        if choice.first and start is None:
            continue  # a first decision's change is against the scenario's start, which is unknown
        for at, meter in enumerate(TALKING_POINT_METERS):
            change = (
                choice.meters[at] - start.get(meter)
                if choice.first and start is not None
                else choice.meters[at]
            )
            if change < 0:
                key = (choice.scene_id, meter)
                lost[key] += choice.decided
                loss[key] -= change * choice.decided
                through[key][choice.choice_id] += choice.decided
    decided = {split.scene_id: split.decided for split in splits}
    found = [
        TalkingPoint(
            scene_id=scene_id,
            heading=shape.heading(scene_id),
            meter=meter,
            lost=count,
            decided=decided.get(scene_id, count),
            average_loss=loss[(scene_id, meter)] / count,
            choices=tuple(
                ChoiceLoss(cid, shape.choice_text(scene_id, cid), n)
                for cid, n in sorted(
                    through[(scene_id, meter)].items(),
                    key=lambda item: (-item[1], _choice_order(shape, scene_id, item[0]), item[0]),
                )
            ),
        )
        for (scene_id, meter), count in lost.items()
    ]
    found.sort(
        key=lambda p: (
            -p.lost,
            -p.percent,
            -p.average_loss,
            shape.order(p.scene_id),
            p.scene_id,
            TALKING_POINT_METERS.index(p.meter),
        )
    )
    return tuple(found[:limit])


def _choice_order(shape: _Shape, scene_id: str, choice_id: str) -> int:
    ids = shape.choice_ids(scene_id)
    return ids.index(choice_id) if choice_id in ids else len(ids)


# Rewards: what a player's runs have earned, and the room's shared goals. -------------------------------

# Run ids per `decisions` query: well under SQLite's limit on bound parameters.
DECISION_CHUNK = 500

# How many principles the profile names as strongest and as the ones to work on.
MASTERY_NAMED = 3


def read_rows(
    store: ResultsStore,
    *,
    cohort: str | None = None,
    scenario_id: str | None = None,
    player_id: str | None = None,
) -> tuple[list[RunRow], list[DecisionRow]]:
    """The runs matching the filters and all their decisions; raises StoreError if they cannot be read.
    (The one function in this module that talks to a store; it is handed one.)"""
    runs = store.runs(cohort=cohort, scenario_id=scenario_id, player_id=player_id)
    run_ids = [run.start.run_id for run in runs]
    decisions: list[DecisionRow] = []
    for first in range(0, len(run_ids), DECISION_CHUNK):
        decisions.extend(store.decisions(run_ids[first : first + DECISION_CHUNK]))
    return runs, decisions


class Library:
    """The scenarios rewards are judged against, and their `Shelf`: loaded on first use, once, from
    whichever thread asks first (loading a scenario is slow enough to belong on a worker)."""

    def __init__(self, load: Callable[[], Iterable[Scenario]], *, not_shipped: Collection[str] = ()) -> None:
        self._load, self._not_shipped = load, frozenset(not_shipped)
        self._lock = threading.Lock()
        self._loaded: tuple[dict[str, Scenario], Shelf] | None = None

    def get(self) -> tuple[Mapping[str, Scenario], Shelf]:
        with self._lock:
            if self._loaded is None:
                scenarios: dict[str, Scenario] = {}
                for scenario in self._load():
                    scenarios.setdefault(scenario.id, scenario)
                self._loaded = (scenarios, shelf_of(scenarios.values(), not_shipped=self._not_shipped))
            return self._loaded


class RunViews:
    """Finished runs from the store as the `RunView`s scoring reads, each built once: a finished run never
    changes, and the dashboard reads the room every few seconds. Use it from one thread at a time."""

    def __init__(self, scenarios: Mapping[str, Scenario]) -> None:
        self.scenarios = scenarios
        self._built: dict[str, RunView | None] = {}

    def finished(
        self, rows: Sequence[RunRow], decisions: Sequence[DecisionRow], *, leave_out: str | None = None
    ) -> list[RunView]:
        """The finished runs in `rows` (but `leave_out`), in the order they finished, each built once."""
        return finished_views(rows, decisions, self.scenarios, leave_out=leave_out, built=self._built)

    def histories(
        self, rows: Sequence[RunRow], decisions: Sequence[DecisionRow], *, leave_out: str | None = None
    ) -> dict[str, History]:
        """Each player's finished runs, oldest first, by player id."""
        players = {row.start.run_id: row.start.player_id for row in rows}
        found: dict[str, list[RunView]] = defaultdict(list)
        for view in self.finished(rows, decisions, leave_out=leave_out):
            found[players[view.run_id or ""]].append(view)
        return {player: History(tuple(views)) for player, views in found.items()}

    def practised(
        self, rows: Sequence[RunRow], decisions: Sequence[DecisionRow]
    ) -> dict[str, frozenset[str]]:
        """Finished run id → the principles its player practised: what a principle goal counts."""
        return {view.run_id or "": view.practised for view in self.finished(rows, decisions)}


@dataclass(frozen=True, slots=True)
class RunRewards:
    """What one finished run earned: the debrief's "Earned this run"."""

    xp: RunXp
    new: tuple[Achievement, ...]
    """Achievements no earlier run had earned, in catalogue order."""
    before: Progress
    after: Progress

    @property
    def levelled_up(self) -> bool:
        return self.after.level > self.before.level


def run_rewards(run: RunView, history: History, shelf: Shelf) -> RunRewards:
    """What `run` earns, played after the player's earlier finished runs `history`."""
    return RunRewards(
        xp=run_xp(run, history),
        new=tuple(newly_earned(run, history, shelf)),
        before=progress(history, shelf),
        after=progress(history.then(run), shelf),
    )


@dataclass(frozen=True, slots=True)
class Standing:
    """A player's record as the trophy and profile screens show it."""

    progress: Progress
    trophies: tuple[Shown, ...]
    """Every achievement in catalogue order, earned or not; hidden ones keep their secret until earned."""
    mastery: tuple[PrincipleMastery, ...]
    summary: MasterySummary
    shelf: Shelf
    problem: str | None = None
    """Why the player's runs could not be read (everything is then shown as not yet earned)."""

    @property
    def earned(self) -> int:
        return sum(shown.earned for shown in self.trophies)

    def title_of(self, scenario_id: str | None) -> str | None:
        facts = self.shelf.get(scenario_id) if scenario_id else None
        return facts.title if facts is not None else None


def standing(history: History, shelf: Shelf, *, problem: str | None = None) -> Standing:
    rows = mastery(history, shelf)
    return Standing(
        progress=progress(history, shelf),
        trophies=tuple(showcase(held(history, shelf), shelf)),
        mastery=tuple(rows),
        summary=summarise(rows, MASTERY_NAMED, shelf),
        shelf=shelf,
        problem=problem,
    )


@dataclass(frozen=True, slots=True)
class RoomGoal:
    """One of the room's goals and how far the room has come."""

    challenge: Challenge
    progress: ChallengeProgress


def room_goals(
    challenges: Sequence[Challenge],
    rows: Sequence[RunRow],
    decisions: Sequence[DecisionRow],
    views: RunViews | None,
) -> tuple[RoomGoal, ...]:
    """Progress towards each goal over the room's `rows`; `views` is needed only for a principle goal."""
    practised = None
    if any(challenge.measure == "principle" for challenge in challenges):
        practised = views.practised(rows, decisions) if views is not None else {}
    return tuple(RoomGoal(c, challenge_progress(c, rows, practised)) for c in challenges)


@dataclass(frozen=True, slots=True)
class AchievementCount:
    achievement: Achievement
    players: int
    """How many players in the room have earned it."""


@dataclass(frozen=True, slots=True)
class RoomRewards:
    """The room's goals, and the achievements its players have earned, counted, never named."""

    goals: tuple[RoomGoal, ...]
    achievements: tuple[AchievementCount, ...]
    """Those earned by at least one player: most players first, then in catalogue order."""
    players: int
    """Players with at least one finished run."""
    available: int
    """Achievements there are to earn."""
    boards: Mapping[str, Board] = field(default_factory=dict)
    """By scenario id, the leaderboard of each scenario where a player chose to be ranked
    (`scoring.leaderboard`)."""


class RoomRewardsReader:
    """The room's rewards from rows the dashboard has read. Between reads it keeps the runs it built and
    what each player holds, judged again only when that player has finished another run."""

    def __init__(self, scenarios: Iterable[Scenario], challenges: Sequence[Challenge] = ()) -> None:
        self.challenges = tuple(challenges)
        library = Library(lambda: scenarios)
        by_id, self.shelf = library.get()
        self.views = RunViews(by_id)
        self._held: dict[tuple[str | None, ...], set[str]] = {}

    def _held_by(self, history: History) -> set[str]:
        runs = tuple(run.run_id for run in history.runs)
        if runs not in self._held:
            self._held[runs] = held(history, self.shelf)
        return self._held[runs]

    def __call__(self, rows: Sequence[RunRow], decisions: Sequence[DecisionRow]) -> RoomRewards:
        histories = self.views.histories(rows, decisions)
        counts = Counter(key for history in histories.values() for key in self._held_by(history))
        every = (*load_achievements(), *self.shelf.achievements)
        order = {a.key: n for n, a in enumerate(every)}
        earned = sorted(
            (AchievementCount(a, counts[a.key]) for a in every if counts[a.key]),
            key=lambda c: (-c.players, order[c.achievement.key]),
        )
        return RoomRewards(
            goals=room_goals(self.challenges, rows, decisions, self.views),
            achievements=tuple(earned),
            players=len(histories),
            available=len(every),
            boards=boards_of(rows),
        )


def boards_of(rows: Sequence[RunRow]) -> dict[str, Board]:
    """The leaderboards of the scenarios in `rows` where a listed player has finished a full run."""
    listed = {row.start.scenario_id for row in rows if row.start.listed}
    boards = (leaderboard(rows, scenario_id) for scenario_id in listed)
    return {board.scenario_id: board for board in boards if board.lines}


@dataclass(frozen=True, slots=True)
class Reckoning:
    """What the debrief shows besides the run itself: its rewards and the room's goals."""

    rewards: RunRewards | None
    """None when the player's earlier runs could not be read (`problem` says why)."""
    goals: tuple[RoomGoal, ...] = ()
    problem: str | None = None
    board: BoardView | None = None
    """The room's leaderboard for this run's scenario, in a room that has one."""


def reckon_run(
    open_store: StoreOpener,
    library: Library,
    run: RunView,
    *,
    player_id: str,
    challenges: Sequence[Challenge] = (),
    cohort: str = "",
    leaderboard: bool = False,
    listed: bool = False,
) -> Reckoning:
    """The rewards of the finished `run` (recorded or not) after the player's other finished runs in the
    store, the progress of the room (`cohort`) towards `challenges` and, with `leaderboard`, the room's
    board for the run's scenario (`listed`: the player chose to be on it). Slow: call it on a worker."""
    scenarios, shelf = library.get()
    board = None
    try:
        store = open_store()
        try:
            rows, decisions = read_rows(store, player_id=player_id)
            room = read_rows(store, cohort=cohort) if challenges else ([], [])
            if leaderboard:
                board = board_of(
                    store, scenario_id=run.scenario_id, cohort=cohort, player_id=player_id, listed=listed
                )
        finally:
            store.close()
    except StoreError as exc:
        return Reckoning(None, problem=str(exc))
    views = RunViews(scenarios)
    history = views.histories(rows, decisions, leave_out=run.run_id).get(player_id, History())
    return Reckoning(run_rewards(run, history, shelf), room_goals(challenges, *room, views), board=board)


def read_standing(open_store: StoreOpener, library: Library, *, player_id: str) -> Standing:
    """The player's record from the store. Slow: call it on a worker."""
    scenarios, shelf = library.get()
    try:
        store = open_store()
        try:
            rows, decisions = read_rows(store, player_id=player_id)
        finally:
            store.close()
    except StoreError as exc:
        return standing(History(), shelf, problem=str(exc))
    history = RunViews(scenarios).histories(rows, decisions).get(player_id, History())
    return standing(history, shelf)


def read_goals(
    open_store: StoreOpener, library: Library, challenges: Sequence[Challenge], *, cohort: str
) -> tuple[RoomGoal, ...]:
    """The room's progress towards `challenges`; raises StoreError. Slow: call it on a worker."""
    if not challenges:
        return ()
    store = open_store()
    try:
        rows, decisions = read_rows(store, cohort=cohort)
    finally:
        store.close()
    needs_runs = any(challenge.measure == "principle" for challenge in challenges)
    views = RunViews(library.get()[0]) if needs_runs else None
    return room_goals(challenges, rows, decisions, views)
