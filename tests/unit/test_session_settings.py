"""What `tightrope serve` hands each session process: it arrives as it was sent, and nothing else does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from game.serve.settings import SESSION_ENV, SessionSettings


def test_settings_arrive_as_they_were_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    sent = SessionSettings(
        cohort="monday",
        join_code="tea",
        store="/srv/results.sqlite3",
        scenarios=Path("/srv/scenarios"),
        pinned_scenario="near-miss",
        no_timers=True,
        challenges=("learning:50%", "finished:4"),
        refused_before=3,
        room_guessing=2,
        leaderboard=True,
    )
    monkeypatch.setenv(SESSION_ENV, sent.to_env()[SESSION_ENV])
    assert SessionSettings.from_env() == sent


def test_run_by_hand_there_are_no_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SESSION_ENV, raising=False)
    assert SessionSettings.from_env() is None


@pytest.mark.parametrize(
    ("data", "complaint"),
    [
        ({"cohort": "a", "shell": "rm -rf /"}, "shell"),
        ({"no_timers": "yes"}, "no_timers"),
        ({"challenges": "learning:50%"}, "challenges"),
        ({"refused_before": "3"}, "refused_before"),
        ({"leaderboard": 1}, "leaderboard"),
        ({"room_guessing": 2.5}, "room_guessing"),
        ({"challenges": ["most of the room"]}, "most of the room"),
        (["cohort"], "session"),
    ],
)
def test_malformed_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, data: object, complaint: str
) -> None:
    monkeypatch.setenv(SESSION_ENV, json.dumps(data))
    with pytest.raises(ValueError, match=complaint):
        SessionSettings.from_env()
