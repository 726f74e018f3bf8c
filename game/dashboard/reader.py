"""Reading the room from the results store: once for `report --format`, or on a thread for the dashboard.

No Textual here. The dashboard polls through `RoomReader`, which keeps the store on one thread of its
own: SQLite connections belong to the thread that opened them, and a slow read must never stall the UI.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import itertools
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from game.roomreport import RoomReport, RoomRewardsReader, RunningTally, read_rows, report_of
from game.scenario.models import Scenario
from game.store import ResultsStore, StoreError
from game.store.base import EMPTY_TALLY, CohortRange, RoomTally, StoreOpener
from scoring.challenges import Challenge

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
    has changed.

    A read with nothing counted before (the first, or the one after a failed read) counts the room as
    one, which is quickest. `prepare`, which a dashboard runs after such a read and before the next,
    counts it again in a few ranges of cohorts (`SHARES`, of about as many runs and decisions each), every
    range in one pass. From then on a cohort that has changed is counted by
    itself: the first time, with the other cohorts of its range or share counted again without it, in
    smaller shares (so that the next of them to start changing has fewer counted with it); after that,
    alone. So each read counts, in one pass, only the cohorts that have changed and the rest of the
    ranges or shares of those that have just started to, and puts them in place of what they were
    counted as before (`RunningTally`): the other cohorts are neither read nor merged again.

    `ResultsStore.cohorts` says which have changed: each write the room report counts adds a run, a
    decision or a finish, so a cohort with as many of each as before has not changed. They are read
    before the cohorts are counted, so a write that lands in between is counted (or, in a cohort that
    was not there yet, perhaps not), and seen as a change at the next read, which counts that cohort
    again (with the rest of its range, should the range have counted it). A cohort with fewer of any
    than before has lost rows, which the store never deletes: then, as when more than `AFRESH` cohorts
    have changed at once, every cohort is counted afresh.
    """

    SHARES = 4
    """How many ranges `prepare` counts the room in, and shares the rest of a range or share is cut
    into when one of its cohorts starts to change. Measured at 10,000 players: four take
    about a sixth longer than counting the room as one (each cohort on its own: five times slower),
    and a cohort that starts has at most a quarter of the room counted again with it."""
    AFRESH = 100
    """How many changed cohorts are counted again by themselves; more, and every cohort is counted afresh."""

    def __init__(self, scenario_id: str | None = None) -> None:
        self.scenario_id = scenario_id
        self._seen: dict[str, tuple[int, int, int]] | None = None
        self._ranges: list[tuple[CohortRange, RoomTally | None]] = []
        """The ranges `prepare` counted, each with its tally until one of its cohorts changes and the rest of
        it is cut into shares."""
        self._shares: dict[int, tuple[frozenset[str], RoomTally]] = {}
        self._share_of: dict[str, int] = {}
        self._alone: dict[str, RoomTally] = {}
        self._numbers = itertools.count()
        self._total = RunningTally()
        self.counted_afresh = 0
        """How many times every cohort was counted (as one, or in ranges): for tests and the bench."""
        self.counted: tuple[str, ...] = ()
        """The cohorts the last read counted again (none if it counted every cohort): for tests and the
        bench."""

    def tally(self, store: ResultsStore) -> RoomTally:
        """The tally now; raises StoreError (and counts the room as one next time)."""
        if self._seen is None:
            self.counted_afresh, self.counted = self.counted_afresh + 1, ()
            return store.tally(scenario_id=self.scenario_id)
        now = store.cohorts(scenario_id=self.scenario_id)
        seen, self._seen = self._seen, None
        changed = sorted(c for c in now.keys() | seen.keys() if now.get(c) != seen.get(c))
        if len(changed) > self.AFRESH or any(_fewer(now.get(c), n) for c, n in seen.items()):
            self._count_afresh(store, now)
        else:
            self._count_again(store, now, changed)
        self._seen = now
        return self._total.tally()

    @property
    def prepared(self) -> bool:
        """Whether the next read counts only what has changed since the last."""
        return self._seen is not None

    def prepare(self, store: ResultsStore) -> None:
        """Count the room in ranges, so that the next read counts only what changes; raises StoreError."""
        if self._seen is None:
            now = store.cohorts(scenario_id=self.scenario_id)
            self._count_afresh(store, now)
            self._seen = now

    def _count_afresh(self, store: ResultsStore, now: Mapping[str, tuple[int, int, int]]) -> None:
        ranges = [CohortRange(cut[0], cut[-1]) for cut in _cut(list(now), now, self.SHARES)]
        tallies = store.tallies(ranges, scenario_id=self.scenario_id)
        self._ranges = list(zip(ranges, tallies, strict=True))
        self._shares, self._share_of, self._alone = {}, {}, {}
        self._total = RunningTally()
        for tally in tallies:
            self._total.add(tally)
        self.counted_afresh += 1
        self.counted = ()

    def _count_again(
        self, store: ResultsStore, now: Mapping[str, tuple[int, int, int]], changed: Sequence[str]
    ) -> None:
        range_of = self._range_of(now)
        starting = [cohort for cohort in changed if cohort not in self._alone]
        shares = sorted({self._share_of[cohort] for cohort in starting if cohort in self._share_of})
        ranges = sorted(
            {n for n in map(range_of, starting) if n is not None and self._ranges[n][1] is not None}
        )
        # The others of those ranges and shares are counted again, in smaller shares; a cohort in none
        # (one new since `prepare`, between its ranges) starts alone.
        others: dict[tuple[bool, int | None], list[str]] = {(False, n): [] for n in ranges}
        others.update({(True, n): [] for n in shares})
        again = set(changed)
        for cohort in now:
            if cohort not in again and cohort not in self._alone:
                share = self._share_of.get(cohort)
                group = others.get((True, share) if share is not None else (False, range_of(cohort)))
                if group is not None:
                    group.append(cohort)
        pieces = [piece for cohorts in others.values() for piece in _cut(cohorts, now, self.SHARES)]
        counted = store.tallies([*pieces, *([cohort] for cohort in changed)], scenario_id=self.scenario_id)
        before = [self._ranges[n][1] or EMPTY_TALLY for n in ranges]
        before += [self._shares[n][1] for n in shares]
        before += [self._alone.get(cohort, EMPTY_TALLY) for cohort in changed]
        self._total.recount(before, counted)
        for n in ranges:
            self._ranges[n] = (self._ranges[n][0], None)
        for n in shares:
            del self._shares[n]
        for cohort in starting:
            self._share_of.pop(cohort, None)
        for piece, tally in zip(pieces, counted, strict=False):
            number = next(self._numbers)
            self._shares[number] = (frozenset(piece), tally)
            self._share_of.update(dict.fromkeys(piece, number))
        self._alone.update(zip(changed, counted[len(pieces) :], strict=True))
        self.counted = tuple(sorted({*changed, *(cohort for piece in pieces for cohort in piece)}))

    def _range_of(self, now: Mapping[str, tuple[int, int, int]]) -> Callable[[str], int | None]:
        """Which of the ranges `prepare` counted a cohort is in, by the store's order of names (`now`'s):
        none for one that sorts between two ranges, or before or after all of them."""
        order = {cohort: n for n, cohort in enumerate(now)}
        firsts = [order[r.first] for r, _ in self._ranges]
        lasts = [order[r.last] for r, _ in self._ranges]

        def range_of(cohort: str) -> int | None:
            n = bisect.bisect_right(firsts, order[cohort]) - 1
            return n if n >= 0 and order[cohort] <= lasts[n] else None

        return range_of


def _cut(cohorts: Sequence[str], counts: Mapping[str, tuple[int, int, int]], shares: int) -> list[list[str]]:
    """`cohorts` cut, in their order, into at most `shares` of about as many runs and decisions each."""
    weights = [counts[cohort][0] + counts[cohort][1] for cohort in cohorts]
    total = sum(weights) or 1
    cut: dict[int, list[str]] = {}
    done = 0
    for cohort, weight in zip(cohorts, weights, strict=True):
        cut.setdefault(done * shares // total, []).append(cohort)
        done += weight
    return list(cut.values())


def _fewer(now: tuple[int, int, int] | None, before: tuple[int, int, int]) -> bool:
    return now is None or any(n < b for n, b in zip(now, before, strict=True))


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
        report = await asyncio.get_running_loop().run_in_executor(self._thread, self._read)
        if self._counter is not None and not self._counter.prepared:
            # On the reader's thread, after this refresh and before the next: the ranges that let later
            # refreshes count only what has changed take longer to count than the room as one.
            self._thread.submit(self._prepare)
        return report

    def _prepare(self) -> None:
        if self._store is not None and self._counter is not None:
            with contextlib.suppress(StoreError):  # the next refresh counts afresh, and says why if it fails
                self._counter.prepare(self._store)

    def _close_store(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def close(self) -> None:
        self._thread.submit(self._close_store)
        self._thread.shutdown(wait=False)
