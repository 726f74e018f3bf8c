"""The shipped scenarios keep the content rules (issue 5): one test per rule and file, measured exactly.

Every failure names the rule, then the file:line:col of the scenario, scene or choice that breaks it,
so a content author can go straight to the place to fix.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from game.balance import POLICIES, Policy, play_policy
from game.cli import main
from game.library import default_folder, scenario_files
from scoring import Zone, zone_of
from tests.content.article_phrases import ARTICLE_PHRASES
from tests.content.rules import (
    Shipped,
    authored_texts,
    decisions,
    deltas,
    endings_reached,
    fewest_decisions,
    is_trade_off,
    meters_moved,
    normalise,
    offered_choices,
    placements,
    sentence_ends,
    shipped,
)

SHIPPED_FILES = scenario_files([default_folder()])
EXPECTED_SCENARIOS = 8
MIN_SCENES = 12
MIN_DECISIONS_PER_PATH = 4
MIN_ENDINGS = 3
TONES = ("good", "mixed", "poor")
MIN_WHY_CHARACTERS = 30
MAX_WHY_SENTENCES = 2
DISCUSSION_QUESTIONS = range(3, 6)
MAX_SHARE_BEST_PLACED = 0.40
ONE_SIDED = [p for p in POLICIES if p.name in ("safety-first", "standards-first")]


@pytest.fixture(params=SHIPPED_FILES, ids=[p.stem for p in SHIPPED_FILES])
def path(request: pytest.FixtureRequest) -> Path:
    file: Path = request.param
    return file


@pytest.fixture
def item(path: Path) -> Shipped:
    loaded = shipped(path)
    if loaded is None:
        pytest.fail(f"{path.name} does not load, so its content cannot be measured: run `tightrope check`")
    return loaded


# --- across the set ----------------------------------------------------------------------------------


def test_exactly_eight_scenarios_ship() -> None:
    names = [p.name for p in SHIPPED_FILES]
    assert len(names) == EXPECTED_SCENARIOS, f"expected {EXPECTED_SCENARIOS} shipped scenarios, found {names}"


def test_the_best_choice_is_rarely_the_longest() -> None:
    """Rule 8: players must not find the best answer by picking the wordiest one."""
    found = [p for f in SHIPPED_FILES if (s := shipped(f)) for p in placements(s.scenario, s.name)]
    longest = [f"{p.file} scene {p.scene!r}: {p.best!r}" for p in found if p.longest]
    share = len(longest) / len(found)
    assert share <= MAX_SHARE_BEST_PLACED, (
        f"rule 8: the best choice is the longest text in {len(longest)} of {len(found)} decisions "
        f"({share:.0%}, at most {MAX_SHARE_BEST_PLACED:.0%} allowed); shorten or lengthen some of: "
        + "; ".join(longest)
    )


def test_the_best_choice_is_rarely_listed_first() -> None:
    """Rule 8: players must not find the best answer by always taking the first one."""
    found = [p for f in SHIPPED_FILES if (s := shipped(f)) for p in placements(s.scenario, s.name)]
    first = [f"{p.file} scene {p.scene!r}: {p.best!r}" for p in found if p.first]
    share = len(first) / len(found)
    assert share <= MAX_SHARE_BEST_PLACED, (
        f"rule 8: the best choice is listed first in {len(first)} of {len(found)} decisions "
        f"({share:.0%}, at most {MAX_SHARE_BEST_PLACED:.0%} allowed); move it in some of: " + "; ".join(first)
    )


def test_article_phrases_are_distinct_normalised_six_word_phrases() -> None:
    assert len(set(ARTICLE_PHRASES)) == len(ARTICLE_PHRASES) >= 50
    for phrase in ARTICLE_PHRASES:
        assert normalise(phrase) == phrase and len(phrase.split()) == 6, phrase


# --- per scenario ------------------------------------------------------------------------------------


def test_strict_check_is_clean(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rule 1: `tightrope check --strict` reports nothing."""
    code = main(["check", "--strict", str(path)])
    output = capsys.readouterr().out
    assert code == 0, f"rule 1: `tightrope check --strict {path}` fails:\n{output}"


def test_has_at_least_twelve_scenes(item: Shipped) -> None:
    """Rule 2."""
    count = len(item.scenario.scenes)
    assert count >= MIN_SCENES, item.at(("scenes",), f"rule 2: {count} scenes, at least {MIN_SCENES} needed")


def test_every_path_meets_at_least_four_decisions(item: Shipped) -> None:
    """Rule 2: the shortest playthrough, counted in decisions, still asks for four of them."""
    fewest = fewest_decisions(item)
    assert fewest is not None, item.at(("start",), "rule 2: no ending can be reached")
    route = " -> ".join(f"{scene}:{choice}" for scene, choice in fewest.path)
    assert fewest.count >= MIN_DECISIONS_PER_PATH, item.at(
        ("start",),
        f"rule 2: a playthrough meets only {fewest.count} decision{'s' * (fewest.count != 1)} "
        "(scenes offering 2+ choices), "
        f"at least {MIN_DECISIONS_PER_PATH} needed: {route}",
    )


def test_has_good_mixed_and_poor_endings(item: Shipped) -> None:
    """Rule 2."""
    endings = item.scenario.endings
    tones = {scene.ending.tone for scene in endings.values() if scene.ending}
    missing = [tone for tone in TONES if tone not in tones]
    assert len(endings) >= MIN_ENDINGS, item.at(
        ("scenes",), f"rule 2: {len(endings)} endings, at least {MIN_ENDINGS} needed"
    )
    assert not missing, item.at(("scenes",), f"rule 2: no ending with tone {', '.join(missing)}")


def test_every_decision_offers_a_trade_off(item: Shipped) -> None:
    """Rule 3: wherever the player chooses, some choice raises one meter while lowering another."""
    broken = []
    for decision in sorted(decisions(item), key=lambda d: (d.scene, d.offered)):
        scene = item.scenario.scenes[decision.scene]
        offered = [c for c in scene.choices if c.key in decision.offered]
        if not any(is_trade_off(c) for c in offered):
            broken.append(
                item.at(
                    ("scenes", decision.scene),
                    f"rule 3: scene {decision.scene!r} offers {list(decision.offered)} and none of them "
                    "raises one meter while lowering another",
                )
            )
    assert not broken, "\n".join(broken)


def test_all_three_meters_move(item: Shipped) -> None:
    """Rule 3."""
    still = [m for m in ("safety", "standards", "trust") if m not in meters_moved(item)]
    assert not still, item.at(("scenes",), f"rule 3: no offered choice changes {', '.join(still)}")


def test_some_choice_depends_on_an_earlier_decision(item: Shipped) -> None:
    """Rule 4: an offered choice whose `if` tests `flags` or `not_flags`."""
    assert any(
        c.condition and (c.condition.flags or c.condition.not_flags) for _, c in offered_choices(item)
    ), item.at(("scenes",), "rule 4: no offered choice has an `if` with `flags` or `not_flags`")


def test_some_choice_depends_on_a_meter(item: Shipped) -> None:
    """Rule 4: an offered choice whose `if` compares a meter."""
    assert any(c.condition and c.condition.comparisons() for _, c in offered_choices(item)), item.at(
        ("scenes",), 'rule 4: no offered choice has an `if` comparing a meter, like `safety: ">= 60"`'
    )


@pytest.mark.parametrize("policy", ONE_SIDED, ids=[p.name for p in ONE_SIDED])
def test_one_sided_play_does_not_win(item: Shipped, policy: Policy) -> None:
    """Rule 5: always pushing one meter ends outside the learning zone or on an ending that is not good."""
    outcome = play_policy(item.scenario, policy)
    won = outcome.tone == "good" and outcome.zone is Zone.LEARNING
    assert not won, item.at(
        ("scenes", outcome.ending or item.scenario.start),
        f"rule 5: {outcome.policy} ({outcome.description}) reaches the good ending {outcome.ending!r} "
        f"in the learning zone with {outcome.final.as_dict()} by {' -> '.join(outcome.path)}",
    )


def test_balanced_play_can_reach_a_good_ending_in_the_learning_zone(item: Shipped) -> None:
    """Rule 5: some playthrough finishes well with both safety and standards high."""
    tone = {scene_id: scene.ending.tone for scene_id, scene in item.scenario.endings.items() if scene.ending}
    winning = [
        (scene, meters)
        for scene, meters in endings_reached(item.scenario)
        if tone[scene] == "good" and zone_of(meters) is Zone.LEARNING
    ]
    assert winning, item.at(("scenes",), "rule 5: no playthrough reaches a good ending in the learning zone")


def test_every_choice_with_effects_is_explained(item: Shipped) -> None:
    """Rule 6: a `why` of one or two sentences and at least 30 characters, and a `principle`."""
    broken = []
    for scene_id, scene in item.scenario.scenes.items():
        for choice in scene.choices:
            if not deltas(choice):
                continue
            why = (choice.why or "").strip()
            where = f"scene {scene_id!r} choice {choice.key!r}"
            problems = []
            if len(why) < MIN_WHY_CHARACTERS:
                problems.append(f"its `why` has {len(why)} characters, at least {MIN_WHY_CHARACTERS} needed")
            if sentence_ends(why) > MAX_WHY_SENTENCES:
                problems.append(f"its `why` has {sentence_ends(why)} sentences, at most {MAX_WHY_SENTENCES}")
            if not choice.principle:
                problems.append("it has no `principle`")
            broken.extend(item.choice_at(scene_id, choice.key, f"rule 6: {where}: {p}") for p in problems)
    assert not broken, "\n".join(broken)


def test_has_three_to_five_discussion_questions(item: Shipped) -> None:
    """Rule 7."""
    count = len(item.scenario.discussion)
    assert count in DISCUSSION_QUESTIONS, item.at(
        ("discussion",) if count else ("id",),
        f"rule 7: {count} discussion questions, {DISCUSSION_QUESTIONS.start} to "
        f"{DISCUSSION_QUESTIONS.stop - 1} needed",
    )


def test_copies_no_phrase_from_the_source_article(item: Shipped) -> None:
    """Rule 9: the prose is our own, not lifted from the article the course is built on."""
    broken = []
    for key_path, text in authored_texts(item.scenario):
        words = f" {normalise(text)} "
        broken.extend(
            item.at(key_path, f"rule 9: copies the source article's phrase {phrase!r}: rewrite it")
            for phrase in ARTICLE_PHRASES
            if f" {phrase} " in words
        )
    assert not broken, "\n".join(broken)
