"""The game engine: a pure, deterministic state machine over one scenario. No Textual, no files, no clock.

A run is a `RunState` value. Every move returns a new value; the history of moves is enough to rebuild
any earlier state exactly, which is how saves, resume and rewind stay honest.
"""

from __future__ import annotations

from dataclasses import dataclass

from game.scenario.models import Choice, Ending, Scenario, Scene
from scoring import Catalogue, DecisionRecord, Explanation, Meters, explain, load_catalogue
from scoring.debrief import Debrief, build_debrief


class ChoiceError(ValueError):
    """A move the current state does not allow: unknown choice, unavailable choice, or a finished run."""


@dataclass(frozen=True, slots=True)
class Move:
    """One decision as it is stored: enough to replay it, plus when the player took it."""

    scene: str
    choice: str
    timed_out: bool = False
    seconds: float | None = None


@dataclass(frozen=True, slots=True)
class RunState:
    scenario_id: str
    scene: str
    meters: dict[str, int]
    flags: tuple[str, ...] = ()
    history: tuple[Move, ...] = ()

    @property
    def meter_values(self) -> Meters:
        return Meters(**self.meters)


@dataclass(frozen=True, slots=True)
class Step:
    state: RunState
    explanation: Explanation


class Engine:
    def __init__(self, scenario: Scenario, catalogue: Catalogue | None = None) -> None:
        self.scenario = scenario
        self.catalogue = catalogue if catalogue is not None else load_catalogue()

    def start(self) -> RunState:
        return RunState(
            scenario_id=self.scenario.id,
            scene=self.scenario.start,
            meters=self.scenario.meters.as_dict(),
        )

    def scene(self, state: RunState) -> Scene:
        return self.scenario.scenes[state.scene]

    def available(self, state: RunState) -> list[Choice]:
        """The choices the player may take now; those whose condition fails are not offered at all."""
        return [c for c in self.scene(state).choices if c.available(state.meters, state.flags)]

    def ending(self, state: RunState) -> Ending | None:
        return self.scene(state).ending

    def is_over(self, state: RunState) -> bool:
        return self.ending(state) is not None

    def choose(self, state: RunState, choice_id: str, *, seconds: float | None = None) -> Step:
        scene = self.scene(state)
        if scene.is_ending:
            raise ChoiceError(f"the run is over: {state.scene!r} is an ending")
        choice = scene.choice(choice_id)
        if choice is None:
            known = ", ".join(c.key for c in scene.choices)
            raise ChoiceError(f"scene {state.scene!r} has no choice {choice_id!r} (it has: {known})")
        if not choice.available(state.meters, state.flags):
            raise ChoiceError(f"choice {choice_id!r} is not available in scene {state.scene!r} now")
        return self._take(state, choice, Move(scene=state.scene, choice=choice.key, seconds=seconds))

    def time_out(self, state: RunState, *, seconds: float | None = None) -> Step:
        """The timer ran out: take the scene's `on_timeout` choice for the player."""
        scene = self.scene(state)
        if scene.on_timeout is None:
            raise ChoiceError(f"scene {state.scene!r} has no timer")
        choice = scene.choice(scene.on_timeout)
        assert choice is not None  # the loader checked on_timeout names a choice
        move = Move(scene=state.scene, choice=choice.key, timed_out=True, seconds=seconds)
        return self._take(state, choice, move)

    def _take(self, state: RunState, choice: Choice, move: Move) -> Step:
        deltas = choice.effects.deltas() if choice.effects else {}
        principle = self.catalogue.get(choice.principle) if choice.principle else None
        explanation = explain(state.meter_values, deltas, choice.why or "", principle)
        flags = (set(state.flags) | set(choice.sets)) - set(choice.clears)
        new_state = RunState(
            scenario_id=state.scenario_id,
            scene=choice.next,
            meters=explanation.after.as_dict(),
            flags=tuple(sorted(flags)),
            history=(*state.history, move),
        )
        return Step(new_state, explanation)

    def replay(self, moves: tuple[Move, ...] | list[Move]) -> tuple[RunState, list[Step]]:
        """Re-take `moves` from the start; raises ChoiceError if the scenario no longer allows them."""
        state = self.start()
        steps: list[Step] = []
        for move in moves:
            if move.scene != state.scene:
                raise ChoiceError(
                    f"saved move is for scene {move.scene!r}, but the run is at {state.scene!r}"
                )
            if move.timed_out:
                step = self.time_out(state, seconds=move.seconds)
            else:
                step = self.choose(state, move.choice, seconds=move.seconds)
            steps.append(step)
            state = step.state
        return state, steps

    def rewind(self, state: RunState, decisions: int) -> RunState:
        """The state just before decision number `decisions` (0-based): a "what if I had…?" branch."""
        if not 0 <= decisions <= len(state.history):
            raise ChoiceError(f"there is no decision {decisions} to rewind to")
        return self.replay(state.history[:decisions])[0]

    def records(self, state: RunState) -> list[DecisionRecord]:
        _replayed, steps = self.replay(state.history)
        records = []
        for move, step in zip(state.history, steps, strict=True):
            scene = self.scenario.scenes[move.scene]
            choice = scene.choice(move.choice)
            assert choice is not None
            records.append(
                DecisionRecord(
                    scene_id=move.scene,
                    scene_title=scene.heading(move.scene),
                    choice_id=move.choice,
                    choice_text=choice.text,
                    explanation=step.explanation,
                    timed_out=move.timed_out,
                )
            )
        return records

    def debrief(self, state: RunState) -> Debrief:
        ending = self.ending(state)
        if ending is None:
            raise ChoiceError("the debrief needs a finished run")
        start = Meters(**self.scenario.meters.as_dict())
        return build_debrief(start, self.records(state), ending.title, ending.tone)
