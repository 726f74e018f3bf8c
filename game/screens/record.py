"""What the trophies and profile screens share: the player's record, read on a worker, then shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from textual import on
from textual.screen import Screen
from textual.worker import Worker, WorkerState

# The player's record is read on a worker (it needs the store and every scenario); a screen only shows it.
if TYPE_CHECKING:
    from game.roomreport import Standing


class RecordScreen(Screen[None]):
    def __init__(self, load: Callable[[], Standing]) -> None:
        """`load` reads the player's record; it runs on a worker thread."""
        super().__init__()
        self.load = load
        self.standing: Standing | None = None

    def on_mount(self) -> None:
        self.run_worker(self.load, thread=True, exit_on_error=False, group="record")

    @on(Worker.StateChanged)
    def _read(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.notify(
                f"Your record could not be read: {event.worker.error}", severity="error", markup=False
            )
        elif event.state is WorkerState.SUCCESS:
            self.standing = cast("Standing", event.worker.result)
            self.show_standing(self.standing)

    def show_standing(self, standing: Standing) -> None:
        raise NotImplementedError

    def action_close(self) -> None:
        self.dismiss()
