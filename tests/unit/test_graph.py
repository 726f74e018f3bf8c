"""`tightrope graph`: the story map as Mermaid (GitHub), DOT (Graphviz) and text, awkward text escaped."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from game.authoring.graph import condition_text, dot_string, mermaid_text
from game.cli import main
from game.scenario.models import Condition

FIXTURES = Path(__file__).parent.parent / "fixtures"
TINY = FIXTURES / "tiny.yaml"
AWKWARD = FIXTURES / "authoring" / "awkward.yaml"
MERMAID_NODE = re.compile(r'^    (s_[a-z0-9_]+)(\["|\(\[")(.*?)("\]|"\]\))$')
MERMAID_EDGE = re.compile(r'^    (s_[a-z0-9_]+) (-->|-\.->)\|"([^"]*)"\| (s_[a-z0-9_]+)$')


def graph(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["graph", *args]) == 0
    return capsys.readouterr().out


def test_mermaid_is_a_flowchart_with_a_node_per_scene_and_an_edge_per_choice(
    capsys: pytest.CaptureFixture[str],
) -> None:
    lines = graph(capsys, str(TINY)).splitlines()
    assert lines[0] == "flowchart TD"
    nodes = {m.group(1): m for line in lines if (m := MERMAID_NODE.match(line))}
    assert set(nodes) == {"s_first", "s_second", "s_good_end", "s_poor_end"}
    assert nodes["s_first"].group(3) == "▶ The first call<br/>(first)"
    assert nodes["s_good_end"].group(2) == '(["'  # endings are stadium-shaped
    edges = [m.groups() for line in lines if (m := MERMAID_EDGE.match(line))]
    assert ("s_second", "-->", "review<br/>if thanked", "s_good_end") in edges
    assert len(edges) == 4
    assert "    class s_good_end good" in lines
    assert "    class s_poor_end poor" in lines
    assert "    class s_first start" in lines


def test_mermaid_escapes_everything_that_means_something_to_it(capsys: pytest.CaptureFixture[str]) -> None:
    out = graph(capsys, str(AWKWARD), "--format", "mermaid")
    lines = out.splitlines()
    for line in lines[2:]:
        # Every label is one quoted string: no stray quote, pipe, backtick or angle bracket inside.
        match = MERMAID_NODE.match(line) or MERMAID_EDGE.match(line)
        if match:
            label = match.group(3)
            assert not set(label.replace("<br/>", "")) & set('"|`<>'), line
    start = next(line for line in lines if line.startswith("    s_o_start["))
    assert "Say #quot;hi#quot; #amp; #lt;wave#gt; #124; #35;tag; #96;tick#96;" in start
    assert "⏱ 30s" in start
    # `end` and `o-start` would mean something to Mermaid as bare ids; prefixed they do not.
    assert '    s_end(["end<br/>(end)<br/>mixed ending"])' in lines
    assert '    s_o_start -.->|"wait<br/>taken on timeout"| s_end' in lines
    assert '    s_o_start -->|"go<br/>if trust #lt; 60 and not x-flag"| s_end' in lines
    assert "    class s_o_start timed" in lines


def test_mermaid_text_is_one_line_without_control_characters() -> None:
    assert mermaid_text("a\nb\x1b[31m\tc") == "a b c"
    assert mermaid_text("#quot;") == "#35;quot;"  # an author's own entity code is shown, not decoded


def test_dot_has_a_node_per_scene_and_an_edge_per_choice(capsys: pytest.CaptureFixture[str]) -> None:
    out = graph(capsys, str(TINY), "--format", "dot")
    lines = out.splitlines()
    assert lines[0] == 'digraph "tiny" {' and lines[-1] == "}"
    assert sum(" -> " in line for line in lines) == 4
    assert '    "second" -> "good-end" [label="review\\nif thanked"];' in lines
    good = next(line for line in lines if line.startswith('    "good-end" ['))
    assert 'fillcolor="#d3f9d8"' in good and "peripheries=2" in good


def test_dot_escapes_quotes_and_backslashes() -> None:
    assert dot_string('say "hi" \\ bye') == '"say \\"hi\\" \\\\ bye"'
    assert dot_string("two\nlines") == '"two\\nlines"'


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
@pytest.mark.parametrize("fixture", [TINY, AWKWARD], ids=["tiny", "awkward"])
def test_graphviz_renders_the_dot_output(fixture: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = graph(capsys, str(fixture), "--format", "dot")
    rendered = subprocess.run(["dot", "-Tsvg"], input=out, capture_output=True, text=True, check=False)
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stdout.lstrip().startswith("<?xml") or "<svg" in rendered.stdout


def test_text_lists_scenes_with_their_choices(capsys: pytest.CaptureFixture[str]) -> None:
    out = graph(capsys, str(TINY), "--format", "text")
    assert out.splitlines()[0] == "Tiny (tiny): 4 scenes, 2 endings"
    assert "▶ first — The first call" in out
    assert "    review  → good-end  [if thanked]" in out
    assert "    move-on → poor-end" in out
    assert "  good-end — Good end   ■ good ending: A team that learns" in out


def test_text_marks_timers_and_timeouts(capsys: pytest.CaptureFixture[str]) -> None:
    out = graph(capsys, str(AWKWARD), "--format", "text")
    assert "⏱ 30s, then wait" in out
    assert "wait  → end  [taken on timeout]" in out


def test_condition_text_reads_like_the_yaml() -> None:
    condition = Condition(trust=">= 55", flags=["a"], not_flags=["b"])
    assert condition_text(condition) == "trust >= 55 and a and not b"


def test_graph_of_an_invalid_file_shows_the_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: tightrope/1\nid: broken\n")
    assert main(["graph", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "missing required key 'title'" in err
    assert "fix the errors above first" in err


def test_graph_of_a_missing_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", str(tmp_path / "nope.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_the_command_lists_the_formats_the_renderer_knows() -> None:
    from game.authoring.graph import FORMATS as RENDERED
    from game.commands.graph import FORMATS

    assert FORMATS == RENDERED
