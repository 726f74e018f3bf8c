"""The balance report as text for a terminal: endings, choices and one-sided players, one block each."""

from __future__ import annotations

from collections.abc import Iterator

from game.analysis import MAX_STATES
from game.balance import TONES, BalanceReport, ChoiceReport, EndingReport, PolicyOutcome
from game.text import printable


def report_lines(report: BalanceReport, file: str) -> list[str]:
    return [printable(line) for line in _lines(report, file)]


def _lines(report: BalanceReport, file: str) -> Iterator[str]:
    yield f"Balance report: {report.title} ({file})"
    if report.total_paths is None:
        yield f"  the story can loop, so playthroughs are unbounded; {report.states:,} states explored"
    else:
        yield f"  {report.total_paths:,} distinct playthroughs over {report.states:,} states"
    if not report.complete:
        yield (
            f"  APPROXIMATE: the story has more than {MAX_STATES:,} states; "
            "every figure covers only the part explored"
        )
    if not report.scores_exact:
        yield "  APPROXIMATE: too many meter combinations; score ranges are bounds from the meter ranges"
    yield ""
    yield "Endings"
    for ending in report.endings:
        yield from _ending(ending)
    yield ""
    yield from _choices(report.choices)
    yield ""
    yield "One-sided players"
    for outcome in report.policies:
        yield from _policy(outcome)


def _ending(ending: EndingReport) -> Iterator[str]:
    yield f"  {ending.scene} ({ending.tone}) “{ending.title}”"
    if not ending.reachable:
        yield "    UNREACHABLE: no playthrough ends here"
        return
    paths = "unbounded paths" if ending.paths is None else _count(ending.paths, "path")
    shortest = ending.shortest or ()
    route = " → ".join(shortest) if shortest else "(the start is the ending)"
    yield f"    {paths}; shortest, {_count(len(shortest), 'choice')}: {route}"
    meters = ", ".join(f"{meter} {value}" for meter, value in ending.meters)
    yield f"    final {meters}; score {ending.score}"


def _choices(choices: tuple[ChoiceReport, ...]) -> Iterator[str]:
    yield "Choices: distinct playthroughs that take each choice, by the tone of their ending"
    scene_width = max([len("scene"), *(len(c.scene) for c in choices)])
    choice_width = max([len("choice"), *(len(c.choice) for c in choices)])
    counts = [str(c.paths_to(t)) for c in choices for t in TONES if c.paths is not None]
    number_width = max([len(t) for t in TONES] + [len(n) for n in counts])
    header = "  ".join(f"{t:>{number_width}}" for t in TONES)
    yield f"  {'scene':<{scene_width}}  {'choice':<{choice_width}}  {header}"
    previous = None
    for choice in choices:
        scene = choice.scene if choice.scene != previous else ""
        previous = choice.scene
        start = f"  {scene:<{scene_width}}  {choice.choice:<{choice_width}}  "
        if not choice.offered:
            yield start + "never offered: its condition cannot hold on any playthrough"
        elif choice.paths is None:
            yield start + "(unbounded: the story loops)"
        else:
            yield start + "  ".join(f"{choice.paths_to(t):>{number_width}}" for t in TONES)


def _policy(outcome: PolicyOutcome) -> Iterator[str]:
    yield f"  {outcome.policy}: {outcome.description}"
    meters = ", ".join(f"{name} {value}" for name, value in outcome.final.as_dict().items())
    if outcome.ending is None:
        yield f"    → {outcome.stopped}; meters {meters}, {outcome.zone.label}"
    else:
        yield (
            f"    → {outcome.ending} ({outcome.tone}) “{outcome.title}”: {meters}, "
            f"{outcome.zone.label}, score {outcome.score}"
        )
        if outcome.warning:
            yield f"      NOTE: {outcome.warning}"
    yield f"      {' → '.join(outcome.path) if outcome.path else '(no choices)'}"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'s' * (n != 1)}"
