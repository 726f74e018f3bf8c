"""`tightrope check --report`: exact path counts, meter and score ranges, choice tallies, one-sided play."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.balance import BalanceReport, Range, balance
from game.cli import main
from game.engine import Engine, RunState
from game.scenario.loader import load_file, load_text
from game.scenario.models import Scenario
from scoring import Catalogue, load_catalogue, score_for

FIXTURES = Path(__file__).parent.parent / "fixtures" / "authoring"
BALANCE = FIXTURES / "balance.yaml"


def scenario_at(path: Path) -> Scenario:
    loaded = load_file(path, load_catalogue())
    assert loaded.scenario is not None, [str(p) for p in loaded.problems]
    return loaded.scenario


def scenario_from(text: str) -> Scenario:
    loaded = load_text(text, "test.yaml", load_catalogue())
    assert loaded.scenario is not None, [str(p) for p in loaded.problems]
    return loaded.scenario


def chain(decisions: int, options: tuple[tuple[str, str], ...]) -> Scenario:
    """`decisions` scenes in a row, each offering every (choice id, meter it raises by 1) in `options`."""
    scenes: dict[str, Any] = {}
    for k in range(decisions):
        after = f"s{k + 1}" if k + 1 < decisions else "done"
        scenes[f"s{k}"] = {
            "text": f"Decision {k + 1}.",
            "choices": [
                {"id": cid, "text": cid, "effects": {meter: 1}, "why": "Because.", "next": after}
                for cid, meter in options
            ],
        }
    scenes["done"] = {"text": "The end.", "ending": {"title": "Done", "tone": "good"}}
    document = {"format": "tightrope/1", "id": "chain", "title": "Chain", "summary": "S.", "role": "R."}
    return scenario_from(yaml.safe_dump({**document, "start": "s0", "scenes": scenes}, sort_keys=False))


def ending(report: BalanceReport, scene: str) -> Any:
    return next(e for e in report.endings if e.scene == scene)


def choice(report: BalanceReport, scene: str, choice_id: str) -> Any:
    return next(c for c in report.choices if (c.scene, c.choice) == (scene, choice_id))


# The fixture's five playthroughs, from safety/standards/trust 50/50/50:
#   comfort → plan   (70, 60, 62) win      good   score round((2·60 + 70 + 62) / 4) + 10 = 73
#   comfort → drift  (80, 30, 53) meh      mixed  round((2·30 + 80 + 53) / 4)      = 48
#   push    → drive  (20, 70, 50) burnout  poor   round((2·20 + 70 + 50) / 4) − 10 = 30
#   push    → drift  (50, 60, 51) meh      mixed  round((2·50 + 60 + 51) / 4)      = 53
#   ignore  → drift  (60, 40, 47) meh      mixed  round((2·40 + 60 + 47) / 4)      = 47
# `orphan` needs `listened` and standards >= 70, which only `comfort` (standards 40) and `push`
# (no flag) lead to, so it is never offered and its ending `never` is unreachable.


def test_endings_by_hand() -> None:
    report = balance(scenario_at(BALANCE))
    assert report.total_paths == 5
    assert report.complete and report.scores_exact

    win = ending(report, "win")
    assert (win.reachable, win.paths, win.shortest) == (True, 1, ("comfort", "plan"))
    assert dict(win.meters) == {"safety": Range(70, 70), "standards": Range(60, 60), "trust": Range(62, 62)}
    assert win.score == Range(73, 73)

    meh = ending(report, "meh")
    assert (meh.paths, meh.shortest) == (3, ("comfort", "drift"))
    assert dict(meh.meters) == {"safety": Range(50, 80), "standards": Range(30, 60), "trust": Range(47, 53)}
    assert meh.score == Range(47, 53)

    burnout = ending(report, "burnout")
    assert (burnout.paths, burnout.shortest, burnout.score) == (1, ("push", "drive"), Range(30, 30))


def test_unreachable_ending_has_no_paths_and_no_ranges() -> None:
    never = ending(balance(scenario_at(BALANCE)), "never")
    assert (never.reachable, never.paths, never.shortest, never.meters, never.score) == (
        False,
        0,
        None,
        (),
        None,
    )


def test_choice_tallies_count_paths_by_ending_tone() -> None:
    report = balance(scenario_at(BALANCE))
    tallies = {(c.scene, c.choice): dict(c.paths or ()) for c in report.choices}
    assert tallies[("first", "comfort")] == {"good": 1, "mixed": 1, "poor": 0}
    assert tallies[("first", "push")] == {"good": 0, "mixed": 1, "poor": 1}
    assert tallies[("first", "ignore")] == {"good": 0, "mixed": 1, "poor": 0}
    assert tallies[("second", "drift")] == {"good": 0, "mixed": 3, "poor": 0}
    assert tallies[("second", "plan")] == {"good": 1, "mixed": 0, "poor": 0}


def test_choice_never_offered_when_its_condition_cannot_hold() -> None:
    report = balance(scenario_at(BALANCE))
    assert not choice(report, "second", "orphan").offered
    assert all(c.offered for c in report.choices if c.choice != "orphan")


def test_one_sided_players() -> None:
    outcomes = {p.policy: p for p in balance(scenario_at(BALANCE)).policies}

    safety = outcomes["safety-first"]  # comfort (+20) then drift (+10 beats plan's 0)
    assert (safety.path, safety.ending, safety.tone) == (("comfort", "drift"), "meh", "mixed")
    assert (safety.final.as_dict(), safety.zone.value, safety.score) == (
        {"safety": 80, "standards": 30, "trust": 53},
        "comfort",
        48,
    )
    assert safety.warning is None

    standards = outcomes["standards-first"]  # push (+20) then drive (0 beats drift's -10)
    assert (standards.path, standards.ending, standards.tone, standards.zone.value) == (
        ("push", "drive"),
        "burnout",
        "poor",
        "anxiety",
    )

    first = outcomes["first-listed"]
    assert (first.path, first.ending, first.tone, first.score) == (("comfort", "plan"), "win", "good", 73)
    assert first.warning is not None and "first choice" in first.warning


def test_policy_ties_go_to_the_first_listed() -> None:
    # Both choices raise safety by 1: the tie goes to `left`, every time.
    report = balance(chain(3, (("left", "safety"), ("right", "safety"))))
    safety = next(p for p in report.policies if p.policy == "safety-first")
    assert safety.path == ("left", "left", "left")


def test_one_sided_player_who_wins_is_flagged() -> None:
    report = balance(chain(2, (("left", "safety"), ("right", "standards"))))
    assert all(p.tone == "good" and p.warning for p in report.policies)


def test_more_than_10_to_the_15_paths_are_counted_exactly() -> None:
    report = balance(chain(60, (("left", "safety"), ("right", "standards"))))
    assert report.total_paths == 2**60 > 10**15
    done = ending(report, "done")
    assert done.paths == 2**60
    assert dict(done.meters)["safety"] == Range(50, 100)
    # 30 of each: (2·80 + 80 + 50) / 4 = 72.5 → 72, + 10; all 60 on one side: (2·50 + 100 + 50) / 4 → 62 + 10.
    assert done.score == Range(72, 82)
    assert dict(choice(report, "s59", "right").paths or ()) == {"good": 2**59, "mixed": 0, "poor": 0}


def test_three_way_choices_keep_scores_exact() -> None:
    report = balance(chain(40, (("a", "safety"), ("b", "standards"), ("c", "trust"))))
    assert report.total_paths == 3**40
    assert report.scores_exact


LOOP = """\
format: tightrope/1
id: loop
title: Loop
summary: S.
role: R.
start: a
scenes:
  a:
    text: A.
    choices:
      - {id: go, text: Go round., effects: {safety: +5}, why: Because., next: b}
      - {id: finish, text: Finish., if: {safety: ">= 60"}, next: end}
  b:
    text: B.
    choices:
      - {id: back, text: Back., next: a}
  end:
    text: The end.
    ending: {title: End, tone: good}
"""


def test_a_loop_makes_path_counts_unbounded_but_keeps_ranges() -> None:
    report = balance(scenario_from(LOOP))
    assert report.total_paths is None and report.loops
    end = ending(report, "end")
    assert end.paths is None
    assert end.shortest == ("go", "back", "go", "back", "finish")
    assert dict(end.meters)["safety"] == Range(60, 100)
    assert all(c.paths is None for c in report.choices)


def test_a_player_going_round_in_circles_is_stopped() -> None:
    outcomes = balance(scenario_from(LOOP)).policies
    assert all(p.ending is None and p.stopped and "circles" in p.stopped for p in outcomes)


REVISIT = """\
format: tightrope/1
id: revisit
title: Revisit
summary: S.
role: R.
start: a
scenes:
  a:
    text: A.
    choices:
      - {id: x, text: X., effects: {trust: +1}, why: Because., next: b}
  b:
    text: B.
    choices:
      - {id: back, text: Back once., if: {not_flags: [twice]}, sets: [twice], next: a}
      - {id: out, text: Out., next: end}
  end:
    text: The end.
    ending: {title: End, tone: good}
"""


def test_a_choice_taken_twice_on_one_path_counts_that_path_once() -> None:
    # Paths: x → out, and x → back → x → out. `x` is on both, taken three times in all.
    report = balance(scenario_from(REVISIT))
    assert report.total_paths == 2
    assert choice(report, "a", "x").paths_to("good") == 2
    assert choice(report, "b", "back").paths_to("good") == 1


def _brute_force(scenario: Scenario) -> tuple[dict[str, list[tuple[dict[str, int], int]]], Counter[Any]]:
    engine = Engine(scenario, Catalogue([]))
    endings: dict[str, list[tuple[dict[str, int], int]]] = defaultdict(list)
    taken: Counter[Any] = Counter()

    def walk(state: RunState, path: tuple[tuple[str, str], ...]) -> None:
        end = engine.ending(state)
        if end is not None:
            final = state.meter_values
            endings[state.scene].append((final.as_dict(), score_for(final, end.tone)))
            taken.update((scene, cid, end.tone) for scene, cid in set(path))
            return
        for option in engine.available(state):
            walk(engine.choose(state, option.key).state, (*path, (state.scene, option.key)))

    walk(engine.start(), ())
    return endings, taken


@pytest.mark.parametrize("path", [BALANCE, Path("scenarios/near-miss.yaml")], ids=["fixture", "near-miss"])
def test_report_agrees_with_playing_every_path(path: Path) -> None:
    full = Path(__file__).parent.parent.parent / path if not path.is_absolute() else path
    if not full.exists():
        pytest.skip(f"{path} is not in this checkout")
    scenario = scenario_at(full)
    report = balance(scenario)
    endings, taken = _brute_force(scenario)
    for end in report.endings:
        runs = endings.get(end.scene, [])
        assert end.paths == len(runs)
        if runs:
            for meter, found in end.meters:
                values = [final[meter] for final, _ in runs]
                assert found == Range(min(values), max(values)), (end.scene, meter)
            scores = [score for _, score in runs]
            assert end.score == Range(min(scores), max(scores))
    for tally in report.choices:
        for tone, count in tally.paths or ():
            assert taken[(tally.scene, tally.choice, tone)] == count


def test_check_report_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(BALANCE), "--report"]) == 0
    out = capsys.readouterr().out
    assert "checked 1 file: 0 errors, 2 warnings" in out
    assert "Balance report: Balance by hand" in out
    assert "5 distinct playthroughs" in out
    assert "win (good) “Fixed together”" in out
    assert "1 path; shortest, 2 choices: comfort → plan" in out
    assert "final safety 50..80, standards 30..60, trust 47..53; score 47..53" in out
    assert "UNREACHABLE" in out
    assert "never offered" in out
    assert "standards-first: always the choice that raises standards most" in out
    assert "→ burnout (poor) “Burnt out”: safety 20, standards 70, trust 50, anxiety zone, score 30" in out
    assert "NOTE: always taking the first choice reaches a good ending" in out
    table = [line.split() for line in out.splitlines() if line.split()[:2] == ["second", "plan"]]
    assert table == [["second", "plan", "1", "0", "0"]]


def test_check_report_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(BALANCE), "--report", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["warnings"] == 2  # the usual check report is all still there
    (report,) = data["reports"]
    assert report["total_paths"] == 5
    win = next(e for e in report["endings"] if e["scene"] == "win")
    assert win["shortest_path"] == ["comfort", "plan"]
    assert win["meters"]["trust"] == {"min": 62, "max": 62}
    assert win["score"] == {"min": 73, "max": 73}
    policies = {p["policy"]: p for p in report["policies"]}
    assert policies["safety-first"]["zone"] == "comfort"
    assert policies["standards-first"]["meters"] == {"safety": 20, "standards": 70, "trust": 50}


def test_check_report_skips_files_with_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: tightrope/1\nid: Broken\n")
    assert main(["check", str(broken), "--report"]) == 1
    assert f"no balance report for {broken}: fix its errors first" in capsys.readouterr().out
    assert main(["check", str(broken), "--report", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["reports"] == []


def test_check_without_report_is_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(BALANCE)])
    assert capsys.readouterr().out.splitlines()[-1] == "checked 1 file: 0 errors, 2 warnings"
    main(["check", str(BALANCE), "--format", "json"])
    assert "reports" not in json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("module", ["game.balance", "game.authoring.graph", "game.authoring.report"])
def test_authoring_modules_import_without_textual(module: str) -> None:
    code = f"import sys, {module}; print([m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_pareto_frontiers_keep_only_unbeaten_points() -> None:
    from game.balance import _lower, _upper

    points = [(a, b, c) for a, b, c in itertools.product(range(0, 101, 25), repeat=3) if a + b + c == 100]
    assert _upper([*points, (100, 100, 100)]) == {(100, 100, 100)}
    assert _lower([*points, (0, 0, 0)]) == {(0, 0, 0)}
    assert _upper(points) == set(points)  # on a plane of equal sums nobody beats anybody
    tradeoffs = [(0, 50, 50), (50, 0, 50), (50, 50, 0), (10, 10, 10), (0, 40, 40)]
    assert _upper(tradeoffs) == {(0, 50, 50), (50, 0, 50), (50, 50, 0), (10, 10, 10)}
    assert _lower(tradeoffs) == {(50, 0, 50), (50, 50, 0), (10, 10, 10), (0, 40, 40)}


@st.composite
def layered_scenarios(draw: st.DrawFn) -> Scenario:
    """Random small stories in layers (so every path ends), with effects, flags and meter conditions."""
    layers = [[f"l{n}s{k}" for k in range(draw(st.integers(1, 2)))] for n in range(draw(st.integers(1, 3)))]
    endings = {"good-end": "good", "mixed-end": "mixed", "poor-end": "poor"}
    scenes: dict[str, Any] = {}
    meters = st.sampled_from(["safety", "standards", "trust"])
    for n, layer in enumerate(layers):
        targets = layers[n + 1] if n + 1 < len(layers) else list(endings)
        for scene_id in layer:
            choices = []
            for k in range(draw(st.integers(1, 3))):
                option: dict[str, Any] = {
                    "id": f"c{k}",
                    "text": "Pick.",
                    "next": draw(st.sampled_from(targets)),
                }
                effects = draw(st.dictionaries(meters, st.integers(-30, 30), max_size=3))
                if effects:
                    option.update(effects=effects, why="Because.")
                if draw(st.booleans()):
                    option["sets"] = [draw(st.sampled_from(["f1", "f2"]))]
                if k > 0 and draw(st.booleans()):
                    op = draw(st.sampled_from([">=", "<", "=="]))
                    test = {draw(meters): f"{op} {draw(st.integers(20, 80))}"}
                    option["if"] = draw(st.sampled_from([test, {"flags": ["f1"]}, {"not_flags": ["f2"]}]))
                choices.append(option)
            scenes[scene_id] = {"text": "A scene.", "choices": choices}
    for scene_id, tone in endings.items():
        scenes[scene_id] = {"text": "The end.", "ending": {"title": tone, "tone": tone}}
    start = {name: draw(st.integers(0, 100)) for name in ("safety", "standards", "trust")}
    document = {"format": "tightrope/1", "id": "random", "title": "Random", "summary": "S.", "role": "R."}
    text = yaml.safe_dump({**document, "meters": start, "start": "l0s0", "scenes": scenes}, sort_keys=False)
    return scenario_from(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layered_scenarios())
def test_report_agrees_with_playing_every_path_on_random_stories(scenario: Scenario) -> None:
    report = balance(scenario)
    endings, taken = _brute_force(scenario)
    assert report.total_paths == sum(len(runs) for runs in endings.values())
    for end in report.endings:
        runs = endings.get(end.scene, [])
        assert (end.paths, end.reachable) == (len(runs), bool(runs))
        if runs:
            for meter, found in end.meters:
                values = [final[meter] for final, _ in runs]
                assert found == Range(min(values), max(values)), (end.scene, meter)
            scores = [score for _, score in runs]
            assert end.score == Range(min(scores), max(scores))
    for tally in report.choices:
        for tone, count in tally.paths or ():
            assert taken[(tally.scene, tally.choice, tone)] == count


def test_too_many_meter_combinations_falls_back_to_honest_score_bounds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scenario = chain(6, (("a", "safety"), ("b", "standards"), ("c", "trust")))
    exact = ending(balance(scenario), "done").score
    monkeypatch.setattr("game.balance.MAX_FRONTIER", 2)
    report = balance(scenario)
    assert not report.scores_exact
    bounds = ending(report, "done").score
    assert bounds.low <= exact.low and exact.high <= bounds.high
    from game.authoring.report import report_lines

    assert any("APPROXIMATE" in line for line in report_lines(report, "chain.yaml"))
