"""`tightrope play FILE --watch`: the game that reloads the scenario whenever its file changes on disk.

A broken edit never stops the preview: its problems are shown in the app with file:line, the last good
version keeps playing, and the next good save reloads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from game.app import TightropeApp
from game.engine import Engine
from game.scenario.models import Scenario
from game.screens.play import PlayScreen
from game.watch import FileWatch, carry_over
from game.widgets.scenario_list import Entry

POLL_SECONDS = 0.5
SHOWN_PROBLEMS = 5


class WatchingApp(TightropeApp):
    def __init__(
        self,
        entries: Sequence[Entry],
        *,
        path: Path,
        scenario: Scenario,
        poll_every: float | None = POLL_SECONDS,
        no_timers: bool = False,
        tick_every: float | None = 1.0,
        data: Path | None = None,
        empty_note: str = "",
    ) -> None:
        super().__init__(
            entries,
            direct=scenario,
            no_timers=no_timers,
            tick_every=tick_every,
            data=data,
            empty_note=empty_note,
        )
        self.file_watch = FileWatch(path)
        self.poll_every = poll_every
        self.broken = False

    def on_mount(self) -> None:
        super().on_mount()
        if self.poll_every is not None:
            self.set_interval(self.poll_every, self.check_for_changes)

    def check_for_changes(self) -> None:
        """Reload if the file's content changed; tests call this directly instead of waiting."""
        if self.file_watch.changed():
            self.reload()

    def reload(self) -> None:
        from game.library import check_file

        checked = check_file(self.file_watch.path)
        errors = [p for p in checked.problems if p.severity == "error"]
        if errors or checked.loaded.scenario is None:
            self.broken = True
            shown = "\n".join(str(p) for p in errors[:SHOWN_PROBLEMS])
            more = f"\n… and {len(errors) - SHOWN_PROBLEMS} more" if len(errors) > SHOWN_PROBLEMS else ""
            self.notify(
                f"{shown}{more}\nStill playing the last good version; fix and save to reload.",
                title="The scenario has errors",
                severity="error",
                markup=False,
                timeout=30,
            )
            return
        self.broken = False
        engine = Engine(checked.loaded.scenario)
        self.direct = checked.loaded.scenario
        playing = next((s for s in reversed(self.screen_stack) if isinstance(s, PlayScreen)), None)
        if playing is None:
            self.notify("Reloaded.", markup=False)
            return
        state, note = carry_over(playing.state, engine)
        self._pop_to_picker()
        self._play(engine, state)
        self.notify(note, markup=False)
