"""Reading the room from the results store: once for `report --format`, or on a thread for the dashboard.

No Textual here. The dashboard polls through `RoomReader`, which keeps the store on one thread of its
own: SQLite connections belong to the thread that opened them, and a slow read must never stall the UI.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from game.roomreport import RoomReport, RoomRewardsReader, merge_tallies, read_rows, report_of
from game.scenario.models import Scenario
from game.store import ResultsStore
from game.store.base import RoomTally
from scoring.challenges import Challenge

StoreOpener = Callable[[], ResultsStore]

LISTED = 100
"""How many players the dashboard lists per scenario: the most recently started (a cohort is smaller)."""


def read_room(
    store: ResultsStore,
    scenarios: Sequence[Scenario],
    *,
    cohort: str | None = None,
    scenario_id: str | None = None,
    players: int | None = None,
    rewards: RoomRewardsReader | None = None,
    counter: RoomCounter | None = None,
) -> RoomReport:
    """The report on the runs in `store` that match the filters, listing every player (or each scenario's
    `players` most recently started), with the room's goals and achievements when `rewards` is given;
    raises StoreError if it cannot be read.

    The store does the counting (`ResultsStore.tally`), so a refresh reads a few hundred rows however
    many runs there are; only `rewards`, which judge each player's runs, read the rows themselves.
    A `counter` (for every cohort, with `scenario_id`) counts again only the cohorts that have changed."""
    if counter is not None:
        tally = counter.tally(store)
    else:
        tally = store.tally(cohort=cohort, scenario_id=scenario_id)
    listed = store.runs_now(cohort=cohort, scenario_id=scenario_id, latest=players)
    include = [scenario_id] if scenario_id else []
    report = report_of(tally, listed, scenarios, include=include)
    if rewards is None:
        return report
    return replace(report, rewards=rewards(*read_rows(store, cohort=cohort, scenario_id=scenario_id)))


class RoomCounter:
    """The tally of every cohort (of one scenario, or all), counted again at each read only where it
    has changed: the cohorts that have changed since the first read are counted one by one, the others
    together, and those again only when another cohort joins the changed ones.

    `ResultsStore.cohorts` says which have changed: each write the room report counts adds a run, a
    decision or a finish, so a cohort with as many of each as before has not changed. Each read sees
    what was committed when it began, so a change while one part is being read is seen at the next.
    """

    LIVE = 20
    """How many changed cohorts are counted one by one before every cohort is counted together again."""

    def __init__(self, scenario_id: str | None = None) -> None:
        self.scenario_id = scenario_id
        self._seen: dict[str, tuple[int, int, int]] | None = None
        self._live: set[str] = set()
        self._rest: RoomTally | None = None
        self.counted_together = 0
        """How many times every unchanged cohort was counted (together): for tests and the bench."""

    def tally(self, store: ResultsStore) -> RoomTally:
        """The tally now; raises StoreError (and counts everything again next time)."""
        now = store.cohorts(scenario_id=self.scenario_id)
        seen, self._seen = self._seen, None
        changed = None if seen is None else {c for c in now.keys() | seen.keys() if now.get(c) != seen.get(c)}
        if self._rest is None or changed is None or len(self._live | changed) > self.LIVE:
            self._live, self._rest = set(), None
            self._rest = store.tally(scenario_id=self.scenario_id)
            self.counted_together += 1
            tally = self._rest
        else:
            if not changed <= self._live:
                self._live |= changed
                self._rest = None
                self._rest = store.tally(scenario_id=self.scenario_id, leave_out=sorted(self._live))
                self.counted_together += 1
            live = [store.tally(cohort=cohort, scenario_id=self.scenario_id) for cohort in sorted(self._live)]
            tally = merge_tallies([self._rest, *live])
        self._seen = now
        return tally


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
        self._counter = RoomCounter(scenario_id) if cohort is None else None

    def _read(self) -> RoomReport:
        if self._store is None:
            self._store = self._open_store()
        if self._rewards is None:
            self._rewards = RoomRewardsReader(self.scenarios, self.challenges)
        room = read_room(
            self._store,
            self.scenarios,
            cohort=self.cohort,
            scenario_id=self.scenario_id,
            players=LISTED,
            counter=self._counter,
        )
        # Rewards judge every run of every player from its rows: for one room, for the room's goals, or
        # for a store small enough that every player is listed, but not for a big store at every refresh.
        if self.cohort is None and not self.challenges and any(s.unlisted for s in room.scenarios):
            return room
        rows = read_rows(self._store, cohort=self.cohort, scenario_id=self.scenario_id)
        return replace(room, rewards=self._rewards(*rows))

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
