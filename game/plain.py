"""The line mode: one scene at a time as plain text (or JSON lines), one choice number per input line.

It never waits for a bare Enter and never runs a timer, so a file of numbers replays a run exactly and
a screen reader or a pipe sees only words.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any, Protocol, TextIO

from game.engine import Engine, RunState
from game.scenario.models import Choice, Scenario
from game.text import printable
from scoring import Debrief, Explanation, MeterChange, Meters, zone_of


class Renderer(Protocol):
    def begin(self, scenario: Scenario) -> None: ...
    def scene(self, engine: Engine, state: RunState, choices: list[Choice]) -> None: ...
    def invalid(self, answer: str, count: int) -> None: ...
    def explanation(self, choice: Choice, explanation: Explanation) -> None: ...
    def debrief(self, debrief: Debrief) -> None: ...
    def stopped(self) -> None: ...


def meters_line(meters: Meters) -> str:
    zone = zone_of(meters)
    return f"Safety {meters.safety} · Standards {meters.standards} · Trust {meters.trust} — {zone.label}"


def change_line(change: MeterChange) -> str:
    clamp_note = f", {change.requested:+d} asked" if change.clamped else ""
    return (
        f"{change.meter.capitalize():<9} {change.before:>3} → {change.after:<3} "
        f"({change.applied:+d}{clamp_note})"
    )


class TextRenderer:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def _say(self, text: str = "") -> None:
        self.out.write(printable(text) + "\n")

    def begin(self, scenario: Scenario) -> None:
        self._say(scenario.title)
        self._say(scenario.role)

    def scene(self, engine: Engine, state: RunState, choices: list[Choice]) -> None:
        scene = engine.scene(state)
        self._say()
        self._say(f"== {scene.heading(state.scene)} ==")
        self._say(scene.text.rstrip())
        if not choices:
            return
        self._say()
        self._say(meters_line(state.meter_values))
        for number, choice in enumerate(choices, start=1):
            self._say(f"  {number}. {choice.text}")
        self.out.write(f"Choose 1-{len(choices)}: ")
        self.out.flush()

    def invalid(self, answer: str, count: int) -> None:
        self._say()
        self.out.write(f"Please answer with a number from 1 to {count}: ")
        self.out.flush()

    def explanation(self, choice: Choice, explanation: Explanation) -> None:
        self._say()
        self._say(f"You chose: {choice.text}")
        for change in explanation.changes:
            self._say(f"  {change_line(change)}")
        if explanation.why:
            self._say(f"  Why: {explanation.why}")
        if explanation.principle:
            p = explanation.principle
            self._say(f"  Principle: {p.name} — {p.rationale}")
        for note in explanation.notes:
            self._say(f"  Note: {note}")

    def debrief(self, debrief: Debrief) -> None:
        self._say()
        self._say(f"=== Debrief: {debrief.ending_title} ({debrief.ending_tone} ending) ===")
        self._say(f"Final: {meters_line(debrief.final)}")
        self._say(f"Zone: {debrief.zone.label}. {debrief.zone.description}")
        self._say(f"Score: {debrief.score} / 100")
        if debrief.strongest and debrief.weakest:
            self._say(f"Strongest decision: {debrief.strongest.choice_text}")
            self._say(f"Weakest decision: {debrief.weakest.choice_text}")
        practised = ", ".join(
            f"{t.principle.name}" + (f" ×{t.times}" if t.times > 1 else "") for t in debrief.principles
        )
        self._say(f"Principles practised: {practised or 'none'}")
        self._say("Timeline:")
        for number, record in enumerate(debrief.timeline, start=1):
            changes = ", ".join(f"{c.meter} {c.applied:+d}" for c in record.explanation.changes)
            timed = " (the timer chose)" if record.timed_out else ""
            self._say(f"  {number}. {record.scene_title}: {record.choice_text}{timed}")
            self._say(f"     {changes or 'no change'}. {record.explanation.why}")

    def stopped(self) -> None:
        self._say()
        self._say("Input ended before the scenario did; nothing more to play.")


def explanation_dict(explanation: Explanation) -> dict[str, Any]:
    data = asdict(explanation)
    data["changes"] = [{**asdict(c), "applied": c.applied, "clamped": c.clamped} for c in explanation.changes]
    data["zone_before"] = explanation.zone_before.value
    data["zone_after"] = explanation.zone_after.value
    return data


def debrief_dict(debrief: Debrief) -> dict[str, Any]:
    data = asdict(debrief)
    data["zone"] = debrief.zone.value
    data["timeline"] = [
        {**asdict(r), "explanation": explanation_dict(r.explanation)} for r in debrief.timeline
    ]
    for key in ("strongest", "weakest"):
        record = getattr(debrief, key)
        data[key] = record.choice_id if record else None
    return data


class JsonRenderer:
    """One JSON object per line, each with an `event` key, for tools and tests."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def _emit(self, event: str, **data: Any) -> None:
        self.out.write(json.dumps({"event": event, **data}, ensure_ascii=False) + "\n")
        self.out.flush()

    def begin(self, scenario: Scenario) -> None:
        self._emit("start", scenario=scenario.id, title=scenario.title, role=scenario.role)

    def scene(self, engine: Engine, state: RunState, choices: list[Choice]) -> None:
        scene = engine.scene(state)
        self._emit(
            "scene",
            scene=state.scene,
            title=scene.heading(state.scene),
            text=scene.text,
            meters=state.meters,
            zone=zone_of(state.meter_values).value,
            choices=[{"number": n, "id": c.key, "text": c.text} for n, c in enumerate(choices, 1)],
        )

    def invalid(self, answer: str, count: int) -> None:
        self._emit("invalid_answer", answer=answer, expected=f"1-{count}")

    def explanation(self, choice: Choice, explanation: Explanation) -> None:
        self._emit("explanation", choice=choice.key, **explanation_dict(explanation))

    def debrief(self, debrief: Debrief) -> None:
        self._emit("debrief", **debrief_dict(debrief))

    def stopped(self) -> None:
        self._emit("stopped", reason="end of input")


def _answers(source: TextIO) -> Iterator[str]:
    for line in source:
        yield line.strip()


class RunObserver(Protocol):
    """Told about the run as it goes, e.g. to record it in the results store."""

    def begin(self, engine: Engine, state: RunState) -> object: ...
    def moved(self, state: RunState) -> None: ...
    def finished(self, state: RunState) -> None: ...


def play(engine: Engine, source: TextIO, renderer: Renderer, observer: RunObserver | None = None) -> RunState:
    """Play to an ending or to the end of input; returns the last state either way."""
    renderer.begin(engine.scenario)
    state = engine.start()
    if observer is not None:
        observer.begin(engine, state)
    answers = _answers(source)
    while not engine.is_over(state):
        choices = engine.available(state)
        renderer.scene(engine, state, choices)
        choice = _ask(answers, choices, renderer)
        if choice is None:
            renderer.stopped()
            return state
        step = engine.choose(state, choice.key)
        renderer.explanation(choice, step.explanation)
        state = step.state
        if observer is not None:
            observer.moved(state)
    # The ending's own narrative comes before the debrief that reflects on it.
    renderer.scene(engine, state, [])
    renderer.debrief(engine.debrief(state))
    if observer is not None:
        observer.finished(state)
    return state


def _ask(answers: Iterator[str], choices: list[Choice], renderer: Renderer) -> Choice | None:
    for answer in answers:
        # Blank lines are skipped rather than re-asked, so a stray Enter is harmless in a replay file.
        if not answer:
            continue
        if answer.isascii() and answer.isdigit() and 1 <= int(answer) <= len(choices):
            return choices[int(answer) - 1]
        renderer.invalid(answer, len(choices))
    return None
