"""The story map behind `tightrope graph`: scenes as nodes, choices as edges, as Mermaid, DOT or plain text.

Mermaid is for a README on GitHub, DOT for Graphviz, text for a terminal. All three say the same
things: which scene starts, which scenes are timed, which are endings and of what tone, and for every
choice its id, its condition and where it leads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Literal

from game.scenario.models import Choice, Condition, Scenario, Scene
from game.text import printable

Format = Literal["mermaid", "dot", "text"]
FORMATS: tuple[Format, ...] = ("mermaid", "dot", "text")

# Fill, border and text colours per tone, readable on GitHub's light and dark themes alike.
TONE_COLOURS = {
    "good": ("#d3f9d8", "#2b8a3e", "#0b3d1a"),
    "mixed": ("#fff3bf", "#e67700", "#4a2b00"),
    "poor": ("#ffe3e3", "#c92a2a", "#5c0a0a"),
}
TIMER_MARK = "⏱"


def condition_text(condition: Condition) -> str:
    """`trust >= 55 and covered and not named`: a condition in the words an author wrote it in."""
    parts = [f"{meter} {op} {value}" for meter, op, value in condition.comparisons()]
    parts.extend(condition.flags)
    parts.extend(f"not {flag}" for flag in condition.not_flags)
    return " and ".join(parts)


def render(scenario: Scenario, fmt: Format) -> str:
    renderers: dict[Format, Callable[[Scenario], str]] = {"mermaid": mermaid, "dot": dot, "text": text}
    return renderers[fmt](scenario)


def _one_line(value: str) -> str:
    return " ".join(printable(value).split())


def _choice_notes(scene: Scene, choice: Choice) -> list[str]:
    notes = []
    if scene.on_timeout == choice.key:
        notes.append("taken on timeout")
    if choice.condition is not None:
        notes.append(f"if {condition_text(choice.condition)}")
    return notes


# --- Mermaid -----------------------------------------------------------------------------------------

# Mermaid decodes `#name;` entity codes in labels; `#` itself is escaped so no text becomes one.
_MERMAID_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "&": "#amp;",
    "|": "#124;",
    "`": "#96;",
}
_MERMAID_SPECIAL = re.compile("|".join(re.escape(c) for c in _MERMAID_ENTITIES))


def mermaid_text(value: str) -> str:
    """Text safe inside a quoted Mermaid label: one line, and no character Mermaid or HTML would read."""
    return _MERMAID_SPECIAL.sub(lambda m: _MERMAID_ENTITIES[m.group()], _one_line(value))


def mermaid_id(scene_id: str) -> str:
    # Scene ids are slugs; a prefix keeps ids like `end` or `ops` from meaning something to Mermaid.
    return "s_" + scene_id.replace("-", "_")


def mermaid(scenario: Scenario) -> str:
    lines = [
        "flowchart TD",
        f"    %% {mermaid_text(scenario.title)} ({scenario.id}), drawn by `tightrope graph`",
    ]
    classes: dict[str, list[str]] = {"start": [], "timed": [], "good": [], "mixed": [], "poor": []}
    for scene_id, scene in scenario.scenes.items():
        node = mermaid_id(scene_id)
        label = [mermaid_text(scene.heading(scene_id)), mermaid_text(f"({scene_id})")]
        if scene_id == scenario.start:
            label[0] = f"▶ {label[0]}"
            classes["start"].append(node)
        if scene.timer is not None:
            label.append(mermaid_text(f"{TIMER_MARK} {scene.timer}s"))
            classes["timed"].append(node)
        if scene.ending is not None:
            label.append(mermaid_text(f"{scene.ending.tone} ending"))
            classes[scene.ending.tone].append(node)
            lines.append(f'    {node}(["{"<br/>".join(label)}"])')
        else:
            lines.append(f'    {node}["{"<br/>".join(label)}"]')
    for scene_id, scene in scenario.scenes.items():
        for choice in scene.choices:
            words = "<br/>".join(mermaid_text(part) for part in [choice.key, *_choice_notes(scene, choice)])
            arrow = "-.->" if scene.on_timeout == choice.key else "-->"
            lines.append(f'    {mermaid_id(scene_id)} {arrow}|"{words}"| {mermaid_id(choice.next)}')
    for tone, (fill, stroke, colour) in TONE_COLOURS.items():
        lines.append(f"    classDef {tone} fill:{fill},stroke:{stroke},color:{colour},stroke-width:2px")
    lines.append("    classDef start stroke-width:3px")
    lines.append("    classDef timed stroke-dasharray:5 5")
    lines.extend(f"    class {','.join(nodes)} {name}" for name, nodes in classes.items() if nodes)
    return "\n".join(lines) + "\n"


# --- Graphviz DOT ------------------------------------------------------------------------------------


def dot_string(value: str) -> str:
    """A quoted DOT string; `\\n` in `value` becomes a centred line break."""
    lines = [_one_line(part).replace("\\", "\\\\").replace('"', '\\"') for part in value.split("\n")]
    return '"' + "\\n".join(lines) + '"'


def dot(scenario: Scenario) -> str:
    lines = [
        f"digraph {dot_string(scenario.id)} {{",
        f"    graph [label={dot_string(scenario.title)}, labelloc=t, rankdir=TB, fontname=Helvetica];",
        '    node [shape=box, style="rounded", fontname=Helvetica];',
        "    edge [fontname=Helvetica, fontsize=10];",
    ]
    for scene_id, scene in scenario.scenes.items():
        label = [scene.heading(scene_id), f"({scene_id})"]
        attributes: dict[str, str] = {}
        styles = ["rounded"]
        if scene_id == scenario.start:
            label[0] = f"▶ {label[0]}"
            attributes["penwidth"] = "2.5"
        if scene.timer is not None:
            label.append(f"{TIMER_MARK} {scene.timer}s")
            styles.append("dashed")
        if scene.ending is not None:
            fill, stroke, colour = TONE_COLOURS[scene.ending.tone]
            label.append(f"{scene.ending.tone} ending")
            styles.append("filled")
            attributes.update(
                fillcolor=dot_string(fill),
                color=dot_string(stroke),
                fontcolor=dot_string(colour),
                peripheries="2",
            )
        attributes["style"] = dot_string(",".join(styles))
        attributes = {"label": dot_string("\n".join(label)), **attributes}
        rendered = ", ".join(f"{key}={value}" for key, value in attributes.items())
        lines.append(f"    {dot_string(scene_id)} [{rendered}];")
    for scene_id, scene in scenario.scenes.items():
        for choice in scene.choices:
            words = dot_string("\n".join([choice.key, *_choice_notes(scene, choice)]))
            extra = ", style=dashed" if scene.on_timeout == choice.key else ""
            lines.append(f"    {dot_string(scene_id)} -> {dot_string(choice.next)} [label={words}{extra}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- Plain text --------------------------------------------------------------------------------------


def text(scenario: Scenario) -> str:
    endings = len(scenario.endings)
    lines = [
        f"{_one_line(scenario.title)} ({scenario.id}): {len(scenario.scenes)} scenes, {endings} endings",
        f"▶ start   {TIMER_MARK} timed scene   ■ ending",
    ]
    for scene_id, scene in scenario.scenes.items():
        lines.append("")
        lines.append(" ".join(_scene_heading(scenario, scene_id, scene)))
        width = max((len(choice.key) for choice in scene.choices), default=0)
        for choice in scene.choices:
            notes = "".join(f"  [{note}]" for note in _choice_notes(scene, choice))
            lines.append(f"    {choice.key:<{width}} → {choice.next}{notes}")
    return "\n".join(lines) + "\n"


def _scene_heading(scenario: Scenario, scene_id: str, scene: Scene) -> Iterator[str]:
    yield "▶" if scene_id == scenario.start else " "
    yield scene_id
    yield f"— {_one_line(scene.heading(scene_id))}"
    if scene.timer is not None:
        on_timeout = f", then {scene.on_timeout}" if scene.on_timeout else ""
        yield f"  {TIMER_MARK} {scene.timer}s{on_timeout}"
    if scene.ending is not None:
        title = _one_line(scene.ending.title)
        named = f": {title}" if title != _one_line(scene.heading(scene_id)) else ""
        yield f"  ■ {scene.ending.tone} ending{named}"
