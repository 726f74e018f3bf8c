"""A player's runs as plain data, and the scenarios they can play: what achievements, progression and
mastery read.

The game builds these values (`game.offers`: from the engine's moves or from the results store's rows);
nothing here knows about either. A `RunView` is one finished run; a `History` is a player's earlier
finished runs in the order they were played; the `Shelf` holds the facts about the scenarios that
cross-run rewards need (their endings, the principles their choices practise, their own achievements).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scoring.debrief import Tone, score_for
from scoring.meters import Meters
from scoring.zones import Zone, zone_of

if TYPE_CHECKING:
    from scoring.achievements import Achievement

# The zone ladder that "a better zone" climbs: comfort and anxiety each hold one of the two meters up,
# so neither is better than the other.
ZONE_RANK: dict[Zone, int] = {Zone.APATHY: 0, Zone.COMFORT: 1, Zone.ANXIETY: 1, Zone.LEARNING: 2}


def zone_rank(zone: Zone) -> int:
    return ZONE_RANK[zone]


def sound(nets: Sequence[int]) -> list[bool]:
    """Which of the choices on offer at one decision practise their principle, given each one's net effect
    (the sum of its meter effects as written): those that help (net above 0) and are at least half as
    good as the best choice on offer.

    Authors give every choice the principle its explanation rests on, whether the choice honours it or
    neglects it ("Blame teaches people to hide problems" rests on errors-as-data too), so the principle
    alone cannot say what was practised; the effects the author gave the choice can.
    """
    best = max(nets, default=0)
    return [net > 0 and 2 * net >= best for net in nets]


@dataclass(frozen=True, slots=True)
class DecisionView:
    """One decision of a run: what was taken, by whom, where the meters went, and what was on offer."""

    scene_id: str
    choice_id: str
    principle: str | None
    """The principle the chosen choice rests on, as the scenario names it."""
    after: Meters
    sound: bool = False
    """The chosen choice practises its principle (see `sound`)."""
    timed_out: bool = False
    """The timer ran out and took the scene's `on_timeout` choice: the player did not choose."""
    timed: bool = False
    """The scene had a timer."""
    offered: frozenset[str] = frozenset()
    """The principles the sound choices available at this decision practise: what the player could
    have practised here."""

    @property
    def practised(self) -> str | None:
        """The principle the player practised here: none for an unsound choice or when the timer chose."""
        return self.principle if self.sound and not self.timed_out else None


@dataclass(frozen=True, slots=True)
class RunView:
    """One finished run. Zone and score follow from the final meters and the ending's tone."""

    scenario_id: str
    ending_scene: str
    ending_tone: Tone
    start: Meters = field(default_factory=Meters)
    decisions: tuple[DecisionView, ...] = ()
    rewound_from_zone: Zone | None = None
    """For a run started by rewinding a finished run: the zone that run ended in."""
    run_id: str | None = None

    @property
    def final(self) -> Meters:
        return self.decisions[-1].after if self.decisions else self.start

    @property
    def zone(self) -> Zone:
        return zone_of(self.final)

    @property
    def score(self) -> int:
        return score_for(self.final, self.ending_tone)

    @property
    def path(self) -> tuple[Meters, ...]:
        """The meters at the start and after every decision."""
        return (self.start, *(d.after for d in self.decisions))

    @property
    def practised(self) -> frozenset[str]:
        """Principles of the choices the player made (not the timer)."""
        return frozenset(p for d in self.decisions if (p := d.practised) is not None)


@dataclass(frozen=True, slots=True)
class Best:
    """The best zone (as a rank on the ladder) and the best score a player has reached in one scenario."""

    rank: int
    score: int

    def beaten_by(self, run: RunView) -> bool:
        """A replay beats the best so far with a better zone or a higher score."""
        return zone_rank(run.zone) > self.rank or run.score > self.score


def bests(runs: Iterable[RunView]) -> Iterator[tuple[RunView, Best | None]]:
    """Each run with the player's best in its scenario before it (None for a first run of a scenario)."""
    best: dict[str, Best] = {}
    for run in runs:
        before = best.get(run.scenario_id)
        yield run, before
        rank, score = zone_rank(run.zone), run.score
        best[run.scenario_id] = (
            Best(max(before.rank, rank), max(before.score, score)) if before else Best(rank, score)
        )


def improvements(runs: Sequence[RunView]) -> list[bool]:
    """For each run: whether it beat the best earlier run of the same scenario."""
    return [before is not None and before.beaten_by(run) for run, before in bests(runs)]


@dataclass(frozen=True, slots=True)
class History:
    """A player's finished runs, oldest first."""

    runs: tuple[RunView, ...] = ()

    @classmethod
    def of(cls, runs: Iterable[RunView]) -> History:
        return cls(tuple(runs))

    def then(self, run: RunView) -> History:
        """This history with `run` played after it."""
        return History((*self.runs, run))

    def __len__(self) -> int:
        return len(self.runs)


@dataclass(frozen=True, slots=True)
class ScenarioFacts:
    """What cross-run rewards need to know about one scenario."""

    id: str
    title: str
    endings: tuple[str, ...]
    """Ending scene ids."""
    principles: tuple[tuple[str, int], ...] = ()
    """(principle id, how many of the scenario's choices practise it), most first: the principles it
    teaches."""
    themes: tuple[str, ...] = ()
    """The principles the author lists as the scenario's themes."""
    achievements: tuple[Achievement, ...] = ()
    """The scenario's own achievements."""
    shipped: bool = True
    """One of the scenarios every player has; "every scenario" and "every principle" count only these."""

    def uses(self, principle: str) -> int:
        return dict(self.principles).get(principle, 0)

    @property
    def principle_ids(self) -> frozenset[str]:
        return frozenset(p for p, _ in self.principles)


@dataclass(frozen=True, slots=True)
class Shelf:
    """The scenarios a player can play."""

    scenarios: tuple[ScenarioFacts, ...] = ()

    def get(self, scenario_id: str) -> ScenarioFacts | None:
        return next((s for s in self.scenarios if s.id == scenario_id), None)

    @property
    def shipped(self) -> tuple[ScenarioFacts, ...]:
        return tuple(s for s in self.scenarios if s.shipped)

    @property
    def principles_taught(self) -> frozenset[str]:
        """Every principle some choice of a shipped scenario practises."""
        return frozenset().union(*(s.principle_ids for s in self.shipped))

    def trains(self, principle: str) -> ScenarioFacts | None:
        """The shipped scenario whose choices practise `principle` most; on a tie, the one that lists it
        earliest among its themes, then the first on the shelf."""

        def themed(facts: ScenarioFacts) -> int:
            return -facts.themes.index(principle) if principle in facts.themes else -len(facts.themes) - 1

        best = max(self.shipped, key=lambda s: (s.uses(principle), themed(s)), default=None)
        return best if best is not None and best.uses(principle) > 0 else None

    @property
    def achievements(self) -> tuple[Achievement, ...]:
        return tuple(a for s in self.scenarios for a in s.achievements)
