"""Reading the room from the results store: once for `report --format`, or on a thread for the dashboard.

No Textual here. The dashboard polls through `RoomReader`, which keeps the store on one thread of its
own: SQLite connections belong to the thread that opened them, and a slow read must never stall the UI.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from game.roomreport import RoomReport, RoomRewardsReader, room_report
from game.scenario.models import Scenario
from game.store import DecisionRow, ResultsStore
from scoring.challenges import Challenge

StoreOpener = Callable[[], ResultsStore]

# Run ids per `decisions` query: well under SQLite's limit on bound parameters.
CHUNK = 500


def read_room(
    store: ResultsStore,
    scenarios: Sequence[Scenario],
    *,
    cohort: str | None = None,
    scenario_id: str | None = None,
    rewards: RoomRewardsReader | None = None,
) -> RoomReport:
    """The report on the runs in `store` that match the filters, with the room's goals and achievements
    when `rewards` is given; raises StoreError if it cannot be read."""
    runs = store.runs(cohort=cohort, scenario_id=scenario_id)
    run_ids = [run.start.run_id for run in runs]
    decisions: list[DecisionRow] = []
    for first in range(0, len(run_ids), CHUNK):
        decisions.extend(store.decisions(run_ids[first : first + CHUNK]))
    include = [scenario_id] if scenario_id else []
    report = room_report(runs, decisions, scenarios, include=include)
    return replace(report, rewards=rewards(runs, decisions)) if rewards is not None else report


class RoomReader:
    """Opens the store on its own thread at the first read, and reads it there every time after, with the
    room's goals (`challenges`) and the achievements its players have earned."""

    def __init__(
        self,
        open_store: StoreOpener,
        scenarios: Sequence[Scenario],
        *,
        cohort: str | None = None,
        scenario_id: str | None = None,
        challenges: Sequence[Challenge] = (),
    ) -> None:
        self._open_store = open_store
        self._store: ResultsStore | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="room-reader")
        self.scenarios = tuple(scenarios)
        self.cohort = cohort
        self.scenario_id = scenario_id
        self.challenges = tuple(challenges)
        self._rewards: RoomRewardsReader | None = None  # made on the reader's thread: it keeps built runs

    def _read(self) -> RoomReport:
        if self._store is None:
            self._store = self._open_store()
        if self._rewards is None:
            self._rewards = RoomRewardsReader(self.scenarios, self.challenges)
        return read_room(
            self._store,
            self.scenarios,
            cohort=self.cohort,
            scenario_id=self.scenario_id,
            rewards=self._rewards,
        )

    async def report(self) -> RoomReport:
        """The room as the store has it now; raises StoreError, and opens the store again next time."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._read)

    def _close_store(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def close(self) -> None:
        self._thread.submit(self._close_store)
        self._thread.shutdown(wait=False)
