"""Room challenges: a facilitator's shared goal for a cohort, and how far the room has come towards it.

A challenge is about the room, never about one player against another: progress counts runs or
players, and names nobody. It is written on the command line as

    challenge = measure ":" target [ "@" scenario-id ]
    measure   = zone          learning | comfort | anxiety | apathy   the run ended in this zone
              | tone          good | mixed | poor                     the run reached an ending of this tone
              | principle-id  post-mortem, feedback, ...              the player chose a choice practising it
              | "finished"                                            any finished run
    target    = N "%"         at least N percent of the finished runs count (0..100)
              | N             at least N runs count (1 or more)
              | "everyone"    every player with a finished run has at least one run that counts

    learning:80%              80% of runs end in the learning zone
    good:everyone             every player finds a good ending
    post-mortem:5             at least 5 runs practise the blameless post-mortem
    finished:30@near-miss     30 finished runs of the near-miss scenario

Only finished runs count (an unfinished run has no ending yet); a rewound run is a run like any other,
because trying the other path is what the room is there to do. `@scenario-id` limits the challenge to
the runs of one scenario.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

from scoring.debrief import Tone
from scoring.principles import load_catalogue
from scoring.rows import RunRowLike
from scoring.zones import Zone

MeasureKind = Literal["zone", "tone", "principle", "finished"]
TargetKind = Literal["percent", "runs", "everyone"]
TONES: tuple[str, ...] = get_args(Tone)
GRAMMAR = "MEASURE:TARGET[@SCENARIO], like learning:80%, good:everyone, post-mortem:5 or finished:30"


@dataclass(frozen=True, slots=True)
class Challenge:
    measure: MeasureKind
    value: str | None
    """The zone, tone or principle id; None for `finished`."""
    target: TargetKind
    amount: int
    """The percent or the number of runs; 0 for `everyone`."""
    scenario_id: str | None = None

    def describe(self) -> str:
        """The goal in words, for the room's screen."""
        where = f" of {self.scenario_id}" if self.scenario_id else ""
        if self.measure == "finished":
            if self.target == "everyone":
                return f"every player finishes a run{where}"
            if self.target == "percent":
                return f"{self.amount}% of the runs{where} are finished"
            return f"at least {self.amount} finished {'run' if self.amount == 1 else 'runs'}{where}"
        # (with one run, with several)
        one, several = {
            "zone": (f"ends in the {self.value} zone", f"end in the {self.value} zone"),
            "tone": (f"reaches a {self.value} ending", f"reach a {self.value} ending"),
            "principle": (f"practises {self._principle_name()}", f"practise {self._principle_name()}"),
        }[self.measure]
        if self.target == "percent":
            return f"{self.amount}% of the finished runs{where} {several}"
        if self.target == "runs":
            runs = "run" if self.amount == 1 else "runs"
            return f"at least {self.amount} {runs}{where} {one if self.amount == 1 else several}"
        return f"every player has a run{where} that {one}"

    def _principle_name(self) -> str:
        principle = load_catalogue().get(self.value or "")
        return principle.name.lower() if principle else str(self.value)

    def __str__(self) -> str:
        amount = {"percent": f"{self.amount}%", "runs": str(self.amount), "everyone": "everyone"}[self.target]
        where = f"@{self.scenario_id}" if self.scenario_id else ""
        return f"{self.value or self.measure}:{amount}{where}"


@dataclass(frozen=True, slots=True)
class ChallengeProgress:
    current: int
    """Percent of runs, runs, or players, as the target counts."""
    target: int
    met: bool
    counted: int
    """Runs (or players, for `everyone`) that count."""
    considered: int
    """Finished runs (or players with one) in the challenge's scope."""


class ChallengeSyntaxError(ValueError):
    """A challenge string that does not follow the grammar; the message says what to write."""


def parse_challenge(text: str, principles: Collection[str] | None = None) -> Challenge:
    """`learning:80%` → Challenge; raises ChallengeSyntaxError (a ValueError, so argparse can use it)."""
    principles = principles if principles is not None else load_catalogue()
    spec, _, scenario = text.strip().partition("@")
    measure_text, colon, target_text = spec.partition(":")
    measure_text, target_text, scenario = measure_text.strip(), target_text.strip(), scenario.strip()
    if not colon or not measure_text or not target_text:
        raise ChallengeSyntaxError(f"{text!r} is not a challenge: write {GRAMMAR}")
    if "@" in text and not scenario:
        raise ChallengeSyntaxError(f"{text!r}: name the scenario after '@'")
    measure: MeasureKind
    if measure_text in {z.value for z in Zone}:
        measure = "zone"
    elif measure_text in TONES:
        measure = "tone"
    elif measure_text == "finished":
        measure = "finished"
    elif measure_text in principles:
        measure = "principle"
    else:
        raise ChallengeSyntaxError(
            f"{measure_text!r} is not a zone ({', '.join(z.value for z in Zone)}), a tone "
            f"({', '.join(TONES)}), a principle id or 'finished'"
        )
    target: TargetKind
    if target_text == "everyone":
        target, amount = "everyone", 0
    elif target_text.endswith("%") and target_text[:-1].isdigit():
        target, amount = "percent", int(target_text[:-1])
        if amount > 100:
            raise ChallengeSyntaxError(f"{target_text!r}: a percentage is at most 100%")
    elif target_text.isdigit() and int(target_text) >= 1:
        target, amount = "runs", int(target_text)
    else:
        raise ChallengeSyntaxError(
            f"{target_text!r} is not a target: write a percentage (80%), a number of runs (5) or 'everyone'"
        )
    value = None if measure == "finished" else measure_text
    return Challenge(measure, value, target, amount, scenario or None)


def challenge_progress(
    challenge: Challenge,
    runs: Sequence[RunRowLike],
    practised: Mapping[str, Collection[str]] | None = None,
) -> ChallengeProgress:
    """How far the room's runs are towards `challenge`.

    `practised` maps a run id to the principles its player chose (`game.offers.practised_by_run`
    builds it from the store); only a principle challenge needs it, and a run missing from it
    practised nothing.
    """
    if challenge.measure == "principle" and practised is None:
        raise ValueError("a principle challenge needs the principles each run practised")
    finished = [
        row
        for row in runs
        if row.finish is not None
        and (challenge.scenario_id is None or row.start.scenario_id == challenge.scenario_id)
    ]
    counting = [row for row in finished if _counts(challenge, row, practised or {})]
    if challenge.target == "everyone":
        players = {row.start.player_id for row in finished}
        reached = {row.start.player_id for row in counting}
        return ChallengeProgress(
            len(reached), len(players), bool(players) and reached >= players, len(reached), len(players)
        )
    if challenge.target == "percent":
        current = 100 * len(counting) // len(finished) if finished else 0
        met = bool(finished) and 100 * len(counting) >= challenge.amount * len(finished)
        return ChallengeProgress(current, challenge.amount, met, len(counting), len(finished))
    return ChallengeProgress(
        len(counting), challenge.amount, len(counting) >= challenge.amount, len(counting), len(finished)
    )


def _counts(challenge: Challenge, row: RunRowLike, practised: Mapping[str, Collection[str]]) -> bool:
    finish = row.finish
    assert finish is not None
    if challenge.measure == "zone":
        return finish.zone == challenge.value
    if challenge.measure == "tone":
        return finish.ending_tone == challenge.value
    if challenge.measure == "principle":
        return challenge.value in practised.get(row.start.run_id, ())
    return True
