"""The starter scenario `tightrope new` writes: small, valid, commented, and wired to the JSON Schema.

Its first line is a modeline for the YAML language server (VS Code's YAML extension and most other
editors), so an author gets completion, hover help and red squiggles from the schema as they type.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from string import Template

from game.paths import shipped
from game.scenario.models import SLUG_PATTERN
from game.scenario.schema import SCHEMA_FILE_NAME

_SLUG = re.compile(SLUG_PATTERN)


def is_slug(value: str) -> bool:
    return _SLUG.match(value) is not None


def shipped_schema() -> Path:
    return shipped("assets") / SCHEMA_FILE_NAME


def schema_reference(folder: Path, scenarios: Path | None = None, schema: Path | None = None) -> str:
    """How a file in `folder` names the schema: a relative path inside the repository's scenarios folder
    (so the link survives a clone anywhere), the installed file's absolute path anywhere else."""
    scenarios = (scenarios if scenarios is not None else shipped("scenarios")).resolve()
    schema = (schema if schema is not None else shipped_schema()).resolve()
    folder = folder.resolve()
    if folder == scenarios or scenarios in folder.parents:
        return Path(os.path.relpath(schema, folder)).as_posix()
    return schema.as_posix()


def starter(scenario_id: str, schema: str, path: str) -> str:
    """The text of a new scenario with id `scenario_id`; `path` is where it will live, for the hints."""
    title = scenario_id.replace("-", " ").capitalize()
    return _TEMPLATE.substitute(id=scenario_id, title=title, schema=schema, path=path)


# Two decisions and three endings (good, mixed, poor). The best answer is listed last on purpose, and
# every wrong answer is one a sensible leader could pick: the dilemma is the lesson.
_TEMPLATE = Template("""\
# yaml-language-server: $$schema=${schema}
# A new Tightrope scenario. Lines starting with # are notes for you; players never see them.
# Replace the story with your own, keep the shape, and run these as you go:
#   mistakes, with line numbers:   tightrope check ${path} --strict
#   the story map:                 tightrope graph ${path} --format text
#   what one-sided players get:    tightrope check ${path} --report
# docs/authoring.md explains every key, and how to write a good dilemma.

format: tightrope/1
id: ${id}                  # lowercase letters, digits and hyphens; unique among your scenarios
title: ${title}
summary: >-
  A developer tells you the release will slip because she found a bug that could lose customer data.
  Do you hold the date, hold the bar, or find a third way?
role: You lead a product team of seven, two days before a promised release.
minutes: 5
themes: [errors-as-data, clear-expectations]   # principle ids: `tightrope principles` lists them
meters: {safety: 50, standards: 50, trust: 50}  # where the team starts, each 0..100
start: the-bug
discussion:
  - "Which choice looked safest at the time, and what did it cost later?"

scenes:
  the-bug:
    title: Tuesday stand-up
    text: |
      Dana, your most careful engineer, waits until the others have spoken. "I found a bug
      in the export," she says. "Under load it can drop customer records. Fixing it properly
      takes a week. The release is on Thursday."

      The room goes quiet. Everyone is looking at you.
    choices:
      - id: push
        text: Tell Dana the date is fixed and ask the team to find a way to make Thursday work.
        # Each meter moves by -30..+30 and stays within 0..100.
        effects: {safety: -8, standards: +6, trust: -4}
        why: >-
          Holding the date sounds decisive, but it tells the person who raised the problem that
          raising problems makes more work. The bar rises on paper and drops in practice.
        principle: clear-expectations
        next: the-call
      - id: soothe
        text: Thank Dana and tell everyone not to worry; the date can move as far as it needs to.
        effects: {safety: +6, standards: -6, trust: +2}
        why: >-
          Relief is kind, but an open-ended delay with no plan tells the team that deadlines are
          soft. Safety without a bar drifts into comfort.
        principle: clear-expectations
        next: the-call
      - id: ask
        text: Thank Dana, then ask her what the bug would do to a customer and how sure she is.
        effects: {safety: +6, standards: +4, trust: +4}
        why: >-
          Asking for the facts before deciding treats the report as information, and shows the
          team that speaking up early gets a hearing rather than a verdict.
        principle: errors-as-data
        sets: [heard-out]        # a flag: later choices can depend on it
        next: the-call

  the-call:
    title: Wednesday, the director calls
    text: |
      The director wants a straight answer before the board meets tomorrow. "Are we shipping
      on Thursday or not?"
    # A timer makes the player decide under pressure. Uncomment both lines to try it:
    # timer: 60
    # on_timeout: ship
    choices:
      - id: ship
        text: Ship everything on Thursday and patch the export afterwards.
        effects: {safety: -4, standards: -10, trust: -4}
        why: >-
          Shipping a known data-loss bug trades a hard conversation today for an incident
          tomorrow, and tells the team that what they find does not change what you do.
        principle: errors-as-data
        next: data-loss
      - id: weekend
        # Offered only when standards are at least 55. Quote comparisons in YAML.
        if: {standards: ">= 55"}
        text: Promise Thursday and ask the team to work the weekend on a proper fix.
        effects: {safety: -6, standards: +6, trust: -2}
        why: >-
          The bar holds, but the cost lands on the people who raised the alarm. Done often,
          this teaches a team to find problems later.
        principle: clear-expectations
        next: worn-out
      - id: plan
        if: {flags: [heard-out]}   # offered only if the player listened on Tuesday
        text: >-
          Bring Dana's analysis: ship on Thursday without the export, and fix it properly for the
          next release.
        effects: {safety: +6, standards: +6, trust: +6}
        why: >-
          A clear scope decision keeps the promise that matters, protects customers, and shows
          the team that an early warning changes the plan rather than the mood.
        principle: errors-as-data
        next: shipped-safely

  shipped-safely:
    title: Thursday, on time
    text: |
      The release goes out without the export. Two customers ask about it; nobody loses data.
      At the retrospective, Dana shows how she found the bug, and two more people say they will
      try the same load test.
    ending: {title: "Shipped, and safe", tone: good}

  worn-out:
    title: Monday, tired
    text: |
      The fix goes out on time. Dana worked both days of the weekend. At the retrospective she
      says very little, and you notice she has stopped running the load test.
    ending: {title: "On time, worn out", tone: mixed}

  data-loss:
    title: Two weeks later
    text: |
      A customer's export loses three days of records. The incident review finds Dana's warning
      in the stand-up notes. Nobody on the team is surprised, and nobody says so out loud.
    ending: {title: "The warning nobody used", tone: poor}
""")
