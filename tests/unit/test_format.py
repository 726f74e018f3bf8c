"""The scenario format: what loads, and what each mistake is called and where it is pointed at."""

from __future__ import annotations

import pytest

from tests.unit.helpers import HEADER, load

VALID_SCENES = """\
start: a
scenes:
  a:
    text: Hello.
    choices:
      - text: On.
        next: b
  b:
    text: Bye.
    ending: {title: Done, tone: good}
"""


def messages(text: str) -> list[str]:
    return [str(p) for p in load(text).problems]


def test_minimal_scenario_loads_with_defaults() -> None:
    loaded = load(HEADER + VALID_SCENES)
    assert loaded.problems == []
    scenario = loaded.scenario
    assert scenario is not None
    assert scenario.meters.as_dict() == {"safety": 50, "standards": 50, "trust": 50}
    assert scenario.scenes["a"].choices[0].id == "c1"


def test_unnamed_choices_are_numbered_in_order() -> None:
    text = HEADER + VALID_SCENES.replace(
        "      - text: On.\n", "      - text: First.\n        next: b\n      - text: On.\n"
    )
    scenario = load(text).scenario
    assert scenario is not None
    assert [c.id for c in scenario.scenes["a"].choices] == ["c1", "c2"]


def test_wrong_format_names_the_supported_one() -> None:
    text = HEADER.replace("tightrope/1", "tightrope/2") + VALID_SCENES
    assert messages(text) == [
        "test.yaml:1:1: error: unsupported format 'tightrope/2': write `format: tightrope/1` (format)"
    ]


def test_missing_format_is_reported() -> None:
    text = HEADER.replace("format: tightrope/1\n", "") + VALID_SCENES
    assert "missing `format: tightrope/1`" in messages(text)[0]


def test_typo_in_key_suggests_the_right_one_at_its_line() -> None:
    text = HEADER + VALID_SCENES.replace("      - text: On.\n", "      - text: On.\n        efects: {}\n")
    assert messages(text) == [
        "test.yaml:12:9: error: unknown key 'efects' (did you mean 'effects'?) (scenes.a.choices[0].efects)"
    ]


def test_unknown_key_without_close_match_lists_allowed_keys() -> None:
    text = HEADER + "colour: blue\n" + VALID_SCENES
    (message,) = messages(text)
    assert message.startswith("test.yaml:6:1: error: unknown key 'colour'; allowed here: format, id, title")


def test_missing_required_key_points_at_its_parent() -> None:
    text = HEADER + VALID_SCENES.replace("    text: Bye.\n", "")
    assert messages(text) == ["test.yaml:13:3: error: missing required key 'text' (scenes.b.text)"]


def test_effect_out_of_range_is_reported_with_limits() -> None:
    text = HEADER + VALID_SCENES.replace(
        "      - text: On.\n", "      - text: On.\n        effects: {safety: 45}\n        why: Because.\n"
    )
    (message,) = messages(text)
    assert message.startswith(
        "test.yaml:12:19: error: safety is 45: input should be less than or equal to 30"
    )


def test_bad_slug_explains_the_rule() -> None:
    text = HEADER + VALID_SCENES.replace("  b:\n", "  Bad Scene:\n").replace("next: b", "next: Bad Scene")
    problems = messages(text)
    assert any("'Bad Scene' is not a valid id: use lowercase letters" in p for p in problems)


def test_unquoted_comparison_is_explained() -> None:
    text = HEADER + VALID_SCENES.replace(
        "      - text: On.\n", "      - text: On.\n        if: {trust: 60}\n"
    )
    (message,) = messages(text)
    assert '60 is not a comparison: write it quoted, like ">= 60"' in message
    assert message.startswith("test.yaml:12:14:")


def test_next_to_missing_scene_suggests_the_close_one() -> None:
    text = HEADER + VALID_SCENES.replace("next: b", "next: bb")
    assert messages(text) == [
        "test.yaml:12:9: error: scene 'bb' does not exist (did you mean 'b'?) (scenes.a.choices[0].next)"
    ]


def test_missing_start_scene_is_an_error() -> None:
    text = HEADER + VALID_SCENES.replace("start: a", "start: zz")
    assert messages(text)[0].startswith("test.yaml:6:1: error: start scene 'zz' does not exist")


def test_effects_without_why_is_an_error() -> None:
    text = HEADER + VALID_SCENES.replace(
        "      - text: On.\n", "      - text: On.\n        effects: {trust: 5}\n"
    )
    assert messages(text) == [
        "test.yaml:11:9: error: a choice with `effects` needs a `why` that explains them to the player "
        "(scenes.a.choices[0])"
    ]


def test_unknown_principle_is_an_error_with_suggestion() -> None:
    text = HEADER + VALID_SCENES.replace(
        "      - text: On.\n", "      - text: On.\n        principle: feedbak\n"
    )
    (message,) = messages(text)
    assert "unknown principle 'feedbak' (did you mean 'feedback'?)" in message
    assert message.startswith("test.yaml:12:9:")


def test_timer_without_on_timeout_and_bad_on_timeout() -> None:
    timed = VALID_SCENES.replace("    text: Hello.\n", "    text: Hello.\n    timer: 10\n")
    assert "a timed scene needs `on_timeout`" in messages(HEADER + timed)[0]
    wrong = timed.replace("    timer: 10\n", "    timer: 10\n    on_timeout: c9\n")
    assert "`on_timeout` names 'c9', which is not a choice id of this scene" in messages(HEADER + wrong)[0]


def test_ending_with_choices_and_scene_without_either() -> None:
    text = HEADER + VALID_SCENES.replace("    ending: {title: Done, tone: good}\n", "")
    assert "this scene has no choices and no `ending`" in messages(text)[0]


def test_bad_tone_lists_the_allowed_ones() -> None:
    text = HEADER + VALID_SCENES.replace("tone: good", "tone: great")
    (message,) = messages(text)
    assert "'great' is not allowed here" in message and "'good', 'mixed' or 'poor'" in message


def test_every_error_is_collected_not_just_the_first() -> None:
    text = HEADER + VALID_SCENES.replace("tone: good", "tone: great").replace("text: On.", "txt: On.")
    assert len(messages(text)) >= 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "test.yaml:1:1: error: the file is empty"),
        ("- a\n- b\n", "test.yaml:1:1: error: a scenario is a mapping of keys"),
        ("just words\n", "test.yaml:1:1: error: a scenario is a mapping of keys"),
        ("a: [1, 2\n", "test.yaml:2:1: error: YAML syntax:"),
        ("a:\n\tb: 1\n", "test.yaml:2:1: error: YAML syntax:"),
        ("a: !!python/object:os.system x\n", "test.yaml:1:4: error: unsupported YAML tag"),
        ("a: !custom x\n", "test.yaml:1:4: error: unsupported YAML tag '!custom'"),
        ("id: a\nid: b\n", "test.yaml:2:1: error: duplicate key 'id'"),
    ],
)
def test_broken_documents_get_one_located_error(text: str, expected: str) -> None:
    (message,) = messages(text)
    assert message.startswith(expected)


def test_duplicate_scene_id_is_an_error_not_a_vanished_scene() -> None:
    text = HEADER + VALID_SCENES + "  b:\n    text: Again.\n    ending: {title: Again, tone: poor}\n"
    assert messages(text) == ["test.yaml:16:3: error: duplicate key 'b': each key may appear only once here"]


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for n in range(1, 10):
        bomb += f"{chr(97 + n)}: &{chr(97 + n)} [*{chr(96 + n)},*{chr(96 + n)},*{chr(96 + n)},"
        bomb += (
            f"*{chr(96 + n)},*{chr(96 + n)},*{chr(96 + n)},*{chr(96 + n)},*{chr(96 + n)},*{chr(96 + n)}]\n"
        )
    (message,) = messages(bomb)
    assert "too many values" in message


def test_deep_nesting_is_refused() -> None:
    (message,) = messages("a: " + "[" * 200 + "]" * 200 + "\n")
    assert "nesting is deeper than" in message


def test_byte_order_mark_is_accepted_and_invalid_utf8_is_located(tmp_path: pytest.TempPathFactory) -> None:
    from pathlib import Path

    from game.scenario import load_file
    from scoring import load_catalogue

    folder = Path(str(tmp_path))
    good = folder / "bom.yaml"
    good.write_bytes(b"\xef\xbb\xbf" + (HEADER + VALID_SCENES).encode())
    assert load_file(good, load_catalogue()).problems == []
    bad = folder / "bad.yaml"
    bad.write_bytes(b"format: tightrope/1\nid: \xff\xfe\n")
    (problem,) = load_file(bad, load_catalogue()).problems
    assert (problem.line, problem.column) == (2, 5)
    assert "not valid UTF-8" in problem.message
