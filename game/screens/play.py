"""The play screen: the scene's story, the choices on offer, the meters, the zone and any countdown.

After a choice, what it did takes the story's place until the player continues: the same screen, so
the meters beside it show the change as it is explained.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.markdown import Markdown
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, ContentSwitcher, Static

from game.engine import Engine, Move, RunState, Step
from game.saves import SavedRun, Saves
from game.screens.breakpoints import set_breakpoints
from game.text import printable
from game.widgets.choices import ChoiceList
from game.widgets.countdown import Countdown
from game.widgets.explanation import ExplanationPanel
from game.widgets.key_footer import KeyFooter
from game.widgets.meters import MetersPanel
from game.widgets.zone_map import ZoneMap
from scoring import Meters

CHOOSE = "Your move: 1-9, or ↑↓ and Enter"
CONTINUE = "Read what your choice did, then Enter to continue ▸"


class PlayScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "pick(1)", "Choose", key_display="1-9"),
        *(Binding(str(n), f"pick({n})", show=False) for n in range(2, 10)),
        # Not in the footer: the panel has its own Continue button, and a footer that stays the same
        # is not rebuilt after every choice. Keyboard focus stays on the choices throughout (moving it
        # restyles both widgets twice a decision), so while a choice is explained these keys come here
        # first; otherwise they go on to the choices.
        Binding("enter,space", "continue", "Continue", show=False, priority=True),
        Binding("up", "scroll_explanation(-1)", "Scroll", show=False, priority=True),
        Binding("down", "scroll_explanation(1)", "Scroll", show=False, priority=True),
        Binding("pageup", "scroll_story(-1)", "Scroll story", show=False, priority=True),
        Binding("pagedown", "scroll_story(1)", "Scroll story", show=False, priority=True),
        Binding("escape", "leave", "Scenarios"),
        Binding("question_mark", "app.help", "Help", key_display="?"),
    ]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]  # noqa: RUF012 (typed by Screen)

    class Finished(Message):
        """The run reached an ending (and the player has read what the last choice did)."""

        def __init__(self, engine: Engine, state: RunState, baseline: tuple[Move, ...] | None) -> None:
            super().__init__()
            self.engine, self.state, self.baseline = engine, state, baseline

    class Ended(Finished):
        """The choice just taken reached an ending; `Finished` follows when the player continues. What
        the debrief needs can be worked out while they read."""

    class Left(Message):
        """The player went back to the scenarios; the run is saved and can be resumed."""

    def __init__(
        self,
        engine: Engine,
        state: RunState,
        *,
        saves: Saves,
        explain_each_choice: bool = True,
        timers: bool = True,
        tick_every: float | None = 1.0,
        baseline: tuple[Move, ...] | None = None,
        on_move: Callable[[RunState], None] | None = None,
    ) -> None:
        super().__init__()
        set_breakpoints(self)
        self.on_move = on_move
        self.engine, self.state, self.saves, self.baseline = engine, state, saves, baseline
        self.explain_each_choice, self.timers, self.tick_every = explain_each_choice, timers, tick_every
        _, steps = engine.replay(state.history)
        self.path: list[Meters] = [engine.start().meter_values, *(s.explanation.after for s in steps)]
        self.last_step: Step | None = steps[-1] if steps else None
        self.waiting = False  # a choice is taken and the story has not moved on yet
        self.explaining = False

    def compose(self) -> ComposeResult:
        yield Static(id="scene-title")
        with Horizontal(id="play-body"):
            with ContentSwitcher(initial="story", id="main"):
                with VerticalScroll(id="story"):
                    # One Static, not Textual's Markdown widget: a new scene is one update, not a
                    # widget per paragraph removed and mounted.
                    yield Static(id="narrative")
                yield ExplanationPanel(id="explanation")
            with Vertical(id="side"):
                yield Countdown(tick_every=self.tick_every, id="countdown")
                yield MetersPanel(id="meters")
                yield ZoneMap(end_word="now", id="mini-map")
        yield ChoiceList(id="choices")
        yield KeyFooter()

    def on_mount(self) -> None:
        changes = self.last_step.explanation.changes if self.last_step else ()
        self.query_one(MetersPanel).show(self.state.meter_values, changes)
        self._show_scene()

    def _show_scene(self) -> None:
        scenario, scene = self.engine.scenario, self.engine.scene(self.state)
        decision = len(self.state.history) + 1
        title = Text.assemble(
            (printable(scenario.title), "bold"),
            "  ·  ",
            printable(scene.heading(self.state.scene)),
            (f"  ·  decision {decision}", "italic"),
        )
        self.query_one("#scene-title", Static).update(title)
        self.query_one("#narrative", Static).update(Markdown(printable(scene.text), hyperlinks=False))
        self.query_one("#story", VerticalScroll).scroll_home(animate=False)
        self.query_one(ZoneMap).show(self.path)
        choices = self.query_one(ChoiceList)
        choices.show(self.engine.available(self.state))
        choices.remove_class("-waiting")
        choices.border_title = CHOOSE
        choices.focus()
        countdown = self.query_one(Countdown)
        if self.timers and scene.timer is not None and scene.on_timeout is not None:
            countdown.start(scene.timer)
        else:
            countdown.stop()
        self.query_one("#main", ContentSwitcher).current = "story"
        self.waiting = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("continue", "scroll_explanation"):
            return self.explaining
        return True

    def action_pick(self, number: int) -> None:
        if not self.waiting:
            self.query_one(ChoiceList).pick(number)

    def action_continue(self) -> None:
        if self.explaining:
            self.explaining = False
            self.call_later(self._advance)

    @on(Button.Pressed, "#continue")
    def _continue_pressed(self) -> None:
        self.action_continue()

    def action_scroll_story(self, direction: int) -> None:
        """A page of whichever the player is reading: the story, or what their choice did."""
        shown = (
            self.query_one(ExplanationPanel) if self.explaining else self.query_one("#story", VerticalScroll)
        )
        if direction < 0:
            shown.scroll_page_up()
        else:
            shown.scroll_page_down()

    def action_scroll_explanation(self, direction: int) -> None:
        self.query_one(ExplanationPanel).scroll_relative(y=direction, animate=False)

    def action_leave(self) -> None:
        self.query_one(Countdown).stop()
        self.post_message(self.Left())

    @on(ChoiceList.Chosen)
    def _chosen(self, event: ChoiceList.Chosen) -> None:
        if self.waiting:
            return
        countdown = self.query_one(Countdown)
        seconds = countdown.elapsed if countdown.running else None
        self._take(self.engine.choose(self.state, event.choice_id, seconds=seconds), timed_out=False)

    @on(Countdown.Expired)
    def _expired(self) -> None:
        if self.waiting:
            return
        countdown = self.query_one(Countdown)
        self._take(self.engine.time_out(self.state, seconds=float(countdown.total)), timed_out=True)

    def on_screen_suspend(self) -> None:
        # A help or settings screen on top stops the clock; the player is not deciding meanwhile.
        self.query_one(Countdown).pause()

    def on_screen_resume(self) -> None:
        self.query_one(Countdown).resume()

    def _take(self, step: Step, *, timed_out: bool) -> None:
        self.waiting = True
        self.query_one(Countdown).stop()
        move = step.state.history[-1]
        choice = self.engine.scene(self.state).choice(move.choice)
        assert choice is not None
        self.state, self.last_step = step.state, step
        self.path.append(step.explanation.after)
        self._save()
        # Recorded before anything is shown: a closed browser tab must not lose a choice it displayed.
        if self.on_move is not None:
            self.on_move(step.state)
        if self.engine.is_over(step.state):
            self.post_message(self.Ended(self.engine, step.state, self.baseline))
        self.query_one(MetersPanel).show(step.state.meter_values, step.explanation.changes)
        self.query_one(ZoneMap).show(self.path)
        if self.explain_each_choice:
            self.explaining = True
            panel = self.query_one(ExplanationPanel)
            panel.show(choice.text, step.explanation, timed_out=timed_out)
            self.query_one("#main", ContentSwitcher).current = "explanation"
            choices = self.query_one(ChoiceList)
            choices.add_class("-waiting")
            choices.border_title = CONTINUE
        else:
            self.call_later(self._advance)

    def _advance(self) -> None:
        if self.engine.is_over(self.state):
            self.post_message(self.Finished(self.engine, self.state, self.baseline))
        else:
            self._show_scene()

    def _save(self) -> None:
        run = SavedRun(scenario_id=self.state.scenario_id, moves=self.state.history, baseline=self.baseline)
        try:
            self.saves.write(run)
        except OSError as exc:
            self.notify(f"Progress could not be saved: {exc}", severity="error", markup=False)
