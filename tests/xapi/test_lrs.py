"""`tightrope report --lrs` against a real learning record store (Ralph): accepted, valid, read back, once."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from game.cli import main
from game.store import open_store
from game.xapi import statements
from tests.ui.dashboard_snapshots.room import HERE, fill, scenario
from tests.xapi.conftest import Lrs

COHORTS = ("monday", "tuesday", "wednesday", "thursday")


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """Four cohorts of the scripted room: 92 statements, so more than one batch of 50."""
    path = tmp_path / "results.sqlite3"
    store = open_store(path)
    for cohort in COHORTS:
        fill(store, cohort=cohort, prefix=f"{cohort}-")
    store.close()
    return path


@pytest.fixture
def expected(store_path: Path) -> list[dict[str, Any]]:
    store = open_store(store_path)
    runs = store.runs()
    built = statements(runs, store.decisions([run.start.run_id for run in runs]), [scenario()])
    store.close()
    return built


Send = Callable[..., tuple[int, str]]


@pytest.fixture
def send(
    lrs: Lrs, store_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Send:
    """`tightrope report --lrs` with the LRS's credentials and any further arguments: exit code and stderr."""

    def run(*args: str) -> tuple[int, str]:
        monkeypatch.setenv("TIGHTROPE_LRS_AUTH", lrs.credentials)
        code = main(
            ["report", "--scenarios", str(HERE), "--store", str(store_path), "--lrs", lrs.endpoint, *args]
        )
        return code, capsys.readouterr().err

    return run


def test_statements_are_accepted_and_read_back_as_they_were_sent(
    lrs: Lrs, expected: list[dict[str, Any]], send: Send
) -> None:
    code, err = send()
    assert code == 0, err
    assert len(expected) == 92
    assert f"sent 92 xAPI statements to {lrs.statements_url} in 2 batch(es)" in err
    stored = {statement["id"]: statement for statement in lrs.stored()}
    assert set(stored) == {statement["id"] for statement in expected}
    for statement in expected:
        back = stored[statement["id"]]
        assert {key: back[key] for key in statement} == statement
        assert "stored" in back and "authority" in back  # what the LRS adds
    # One statement by its id (Ralph answers with a list of one where the spec has the statement alone).
    status, single = lrs.request("GET", f"{lrs.statements_url}?statementId={expected[0]['id']}")
    assert status == 200
    (found,) = single.get("statements", [single])
    assert found["id"] == expected[0]["id"]


def test_sending_twice_stores_each_statement_once(
    lrs: Lrs, expected: list[dict[str, Any]], send: Send
) -> None:
    assert send()[0] == 0
    code, err = send()
    assert code == 0, err
    ids = [statement["id"] for statement in lrs.stored()]
    assert len(ids) == len(set(ids)) == len(expected)
    # A cohort sent on its own after everything, as a facilitator might: still once each.
    assert send("--cohort", "monday")[0] == 0
    assert len(lrs.stored()) == len(expected)


def test_statements_are_valid_xapi_1_0_3_by_ralphs_strict_models(
    lrs: Lrs, store_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["report", "--scenarios", str(HERE), "--store", str(store_path), "--format", "xapi"])
    out = capsys.readouterr().out
    assert code == 0
    check = (
        "import json, sys\n"
        "from ralph.models.xapi.base.statements import BaseXapiStatement\n"
        "statements = json.load(sys.stdin)\n"
        "for statement in statements:\n"
        "    BaseXapiStatement.model_validate(statement)\n"
        "print(len(statements))\n"
    )
    done = subprocess.run(
        [str(lrs.python), "-c", check], input=out, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == str(len(json.loads(out)))


def test_a_statement_the_lrs_has_with_other_content_does_not_keep_the_rest_out(
    lrs: Lrs, expected: list[dict[str, Any]], send: Send
) -> None:
    # As if the scenario's text had changed since this statement was sent.
    earlier = json.loads(json.dumps(expected[3]))
    earlier["object"]["definition"]["name"] = {"en": "An older heading"}
    status, _ = lrs.request("PUT", f"{lrs.statements_url}?statementId={earlier['id']}", earlier)
    assert status == 204
    code, err = send()
    assert code == 0, err
    assert "the LRS already had 1 of them with other content" in err
    stored = {statement["id"]: statement for statement in lrs.stored()}
    assert set(stored) == {statement["id"] for statement in expected}
    assert stored[earlier["id"]]["object"]["definition"]["name"] == {"en": "An older heading"}


def test_wrong_credentials_fail_at_once_and_say_where_credentials_go(
    lrs: Lrs, store_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIGHTROPE_LRS_AUTH", "tightrope-tests:wrong")
    started = time.monotonic()
    code = main(["report", "--scenarios", str(HERE), "--store", str(store_path), "--lrs", lrs.endpoint])
    err = capsys.readouterr().err
    assert code == 1
    assert "refused the credentials (401): set TIGHTROPE_LRS_AUTH=user:password" in err
    assert "0 of 92 statements were sent" in err
    assert time.monotonic() - started < 10  # refused, not retried
    assert lrs.stored() == []
