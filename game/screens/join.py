"""Joining a served room: the player's name, the room's join code when there is one, and an optional
resume code to pick up a run from before a refresh. Typed text is kept as plain text, never markup."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from game.profile import MAX_NAME_LENGTH, clean_name
from game.recording import RESUME_ALPHABET, RESUME_CODE_LENGTH

LISTING_CHOICE = "Put my name and best score on the room's leaderboard"


@dataclass(frozen=True, slots=True)
class Joined:
    name: str
    resume_code: str | None
    listed: bool = False
    """The player chose to be on the room's leaderboard (only asked in a room that has one)."""


def slowdown(failures: int) -> float:
    """Seconds the form stays locked after the n-th wrong code: 1, 2, 4, ... capped at 30."""
    return 0.0 if failures <= 0 else float(min(2 ** (failures - 1), 30))


def codes_match(given: str, expected: str) -> bool:
    # Constant time, so the comparison itself does not reveal how much of a guess was right.
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def normalise_resume_code(text: str) -> str:
    return "".join(c for c in text.upper() if c in RESUME_ALPHABET)[:RESUME_CODE_LENGTH]


class JoinScreen(ModalScreen[Joined]):
    BINDINGS: ClassVar[list[BindingType]] = []

    def __init__(
        self,
        *,
        join_code: str | None,
        room: str = "",
        problem: str = "",
        failures: int = 0,
        lock_for: Callable[[int], float] = slowdown,
        leaderboard: bool = False,
        room_guessing: int = 0,
    ) -> None:
        """`failures`: wrong codes from this player's address so far; `room_guessing`: the room's wrong
        codes beyond its allowance (game.serve.attempts). Each locks the form for as long as it calls for."""
        super().__init__()
        self.join_code, self.room, self.lock_for = join_code, room, lock_for
        self.leaderboard = leaderboard
        self.room_guessing = room_guessing
        self.failures = failures
        self.initial_problem = problem

    def compose(self) -> ComposeResult:
        # Scrolls when the terminal is too short for the whole form: every field can still be reached.
        with VerticalScroll(id="join-box", classes="dialog"):
            title = f"Welcome to Tightrope — {self.room}" if self.room else "Welcome to Tightrope"
            yield Static(Text(title, style="bold"), classes="dialog-title")
            yield Static(Text("Your name, as the facilitator will see it:"))
            yield Input(placeholder="your name", max_length=MAX_NAME_LENGTH, id="join-name")
            if self.join_code is not None:
                yield Static(Text("The room's join code:"))
                yield Input(placeholder="join code", password=True, max_length=64, id="join-code")
            yield Static(Text("Resume code, if you are coming back to a run (optional):"))
            yield Input(placeholder="e.g. K7QM2D", max_length=12, id="join-resume")
            if self.leaderboard:
                # Off unless the player turns it on: being ranked is their choice, never the default.
                yield Checkbox(LISTING_CHOICE, value=False, id="join-listed")
            yield Static(Text(self.initial_problem), id="join-problem")
            yield Button("Join", variant="primary", id="join-button")
            yield Static(
                Text("Tab moves between fields · Enter joins", style="italic"), classes="dialog-hint"
            )

    class CodeRefused(Message):
        """A wrong join code was entered: the server counts them across reconnections."""

    def on_mount(self) -> None:
        self.query_one("#join-name", Input).focus()
        own, room = self._own_lock(), self._room_lock()
        delay = max(own, room)
        if delay and not self.initial_problem:
            self._say(
                f"Wrong join codes were entered from here. You can join in {delay:.0f} s."
                if own >= room
                else f"This room's join code is being guessed. You can join in {delay:.0f} s."
            )
        self._lock(delay)

    @on(Input.Submitted)
    @on(Button.Pressed, "#join-button")
    def _submit(self) -> None:
        if self.query_one("#join-button", Button).disabled:
            return
        name = clean_name(self.query_one("#join-name", Input).value)
        if not name:
            self._say("Please enter a name (any name you like).")
            self.query_one("#join-name", Input).focus()
            return
        if self.join_code is not None:
            code_input = self.query_one("#join-code", Input)
            if not codes_match(code_input.value, self.join_code):
                self.failures += 1
                self.post_message(self.CodeRefused())
                code_input.value = ""
                # While the room is being guessed at, every wrong code waits at least the room's lock:
                # a guesser's session gets one guess per lock, however many it has made.
                delay = max(self._own_lock(), self._room_lock())
                self._say(
                    f"That join code is not right. Try again in {delay:.0f} s."
                    if delay
                    else "That join code is not right."
                )
                self._lock(delay)
                return
        resume = normalise_resume_code(self.query_one("#join-resume", Input).value)
        listed = self.leaderboard and self.query_one("#join-listed", Checkbox).value
        self.dismiss(Joined(name, resume or None, listed))

    def _own_lock(self) -> float:
        return self.lock_for(self.failures) if self.failures else 0.0

    def _room_lock(self) -> float:
        return self.lock_for(self.room_guessing) if self.room_guessing else 0.0

    def _say(self, problem: str) -> None:
        self.query_one("#join-problem", Static).update(Text(problem))

    def _lock(self, seconds: float) -> None:
        if seconds <= 0:
            return
        button = self.query_one("#join-button", Button)
        button.disabled = True

        def unlock() -> None:
            button.disabled = False
            if self.join_code is not None:
                self.query_one("#join-code", Input).focus()

        self.set_timer(seconds, unlock)
