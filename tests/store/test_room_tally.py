"""The room counted by the store equals the room counted in Python, on every backend.

`read_room` asks the store to count (`ResultsStore.tally`, in SQL, over columns the store derives as it
writes); `room_report` counts the same runs and decisions one by one. Generated rooms have rewinds,
unfinished runs, runs without decisions, timed-out choices, scenes, choices, endings and a scenario the
model no longer has, runs that start at the same moment, gaps in seq, and writes that arrive in any order
and more than once.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Collection, Sequence
from dataclasses import astuple, dataclass, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.dashboard.reader import RoomCounter, RoomReader, read_room
from game.roomreport import RoomReport, RunningTally, room_report, tally_rows
from game.scenario import Scenario, load_file
from game.store import DecisionRow, ResultsStore, RunFinish, RunStart, open_store
from game.store.base import CohortRange, RoomTally
from game.store.schema import MIGRATIONS
from scoring import load_catalogue
from tests.store.conftest import Backend
from tests.store.workers import record

SCENARIOS = ("tiny", "gone")  # "gone" is a scenario whose file has since been removed
SCENES = ("first", "second", "gone-scene")
CHOICES = ("thank", "blame", "review", "move-on", "shout")
METERS = st.sampled_from((35, 45, 50, 55, 60))  # tiny starts at safety 45, standards 55, trust 50


@dataclass(frozen=True)
class Plan:
    """One run as generated: where it belongs, its decisions and how (if) it ended."""

    scenario: str
    cohort: str
    minute: int
    rewind: bool
    decisions: tuple[tuple[str, str, bool, int, int, int], ...]
    seq_step: int
    ending: tuple[str, str, str, int, int, int] | None


def plans_in(cohorts: tuple[str, ...]) -> st.SearchStrategy[Plan]:
    return st.builds(
        Plan,
        scenario=st.sampled_from(SCENARIOS),
        cohort=st.sampled_from(cohorts),
        minute=st.integers(0, 2),
        rewind=st.booleans(),
        decisions=st.lists(
            st.tuples(
                st.sampled_from(SCENES), st.sampled_from(CHOICES), st.booleans(), METERS, METERS, METERS
            ),
            max_size=4,
        ).map(tuple),
        seq_step=st.sampled_from((1, 1, 3)),
        ending=st.none()
        | st.tuples(
            st.sampled_from(("good-end", "poor-end", "old-end")),
            st.sampled_from(("Kept title", "Other title")),
            st.sampled_from(("good", "poor")),
            METERS,
            METERS,
            METERS,
        ),
    )


plans = plans_in(("mon", "tue", "wed"))


def writes(room: list[Plan], rng: random.Random) -> list[RunStart | DecisionRow | RunFinish]:
    """Every start first (a decision needs its run), then decisions and finishes in any order, some
    twice (a replay with other numbers must change nothing)."""
    starts: list[RunStart | DecisionRow | RunFinish] = []
    rest: list[RunStart | DecisionRow | RunFinish] = []
    for number, plan in enumerate(room):
        run_id = f"r{number}"
        earlier = f"r{number - 1}" if plan.rewind and number else None
        starts.append(
            RunStart(run_id, f"p{number}", f"Player {number}", plan.cohort, plan.scenario,
                     plan.scenario.title(), f"2026-01-01T09:0{plan.minute}:00", f"code-{number}", earlier)
        )  # fmt: skip
        for at, (scene, choice, timed_out, safety, standards, trust) in enumerate(plan.decisions):
            row = DecisionRow(run_id, at * plan.seq_step, scene, choice, timed_out, 2.0, safety, standards,
                              trust, "2026-01-01T09:10:00")  # fmt: skip
            rest.append(row)
            if rng.random() < 0.2:
                rest.append(replace(row, safety=row.safety - 10, choice_id="replayed"))
        if plan.ending is not None:
            scene, title, tone, safety, standards, trust = plan.ending
            rest.append(
                RunFinish(run_id, "2026-01-01T09:20:00", scene, title, tone, "", 0, safety, standards, trust)
            )
    rng.shuffle(rest)
    return starts + rest


def write(store: ResultsStore, rows: list[RunStart | DecisionRow | RunFinish]) -> None:
    for row in rows:
        record(store, row)


def played_in_any_order(room: list[Plan], rng: random.Random) -> list[RunStart | DecisionRow | RunFinish]:
    """The writes of `writes` in any order but each run's start before the rest of its run: runs, and
    cohorts, start while others are being played."""
    rows = writes(room, rng)
    starts = [row for row in rows if isinstance(row, RunStart)]
    rest = [row for row in rows if not isinstance(row, RunStart)]
    before: dict[int, list[RunStart]] = {}
    for start in starts:
        own = [at for at, row in enumerate(rest) if row.run_id == start.run_id]
        before.setdefault(rng.randint(0, own[0] if own else len(rest)), []).append(start)
    played: list[RunStart | DecisionRow | RunFinish] = []
    for at in range(len(rest) + 1):
        played += before.get(at, [])
        played += rest[at : at + 1]
    return played


def in_order(tally: RoomTally) -> RoomTally:
    """The tally with its counts in one order: only its scenarios' order (of first play) is its own."""
    return RoomTally(
        tally.scenarios,
        tuple(sorted(tally.choices, key=astuple)),
        tuple(sorted(tally.positions, key=astuple)),
        tuple(sorted(tally.endings, key=astuple)),
    )


def tallied_in_python(
    store: ResultsStore, cohort: str | None = None, scenario_id: str | None = None
) -> RoomTally:
    runs = store.runs(cohort=cohort, scenario_id=scenario_id)
    history: dict[str, list[DecisionRow]] = {}
    for decision in store.decisions([run.start.run_id for run in runs]):
        history.setdefault(decision.run_id, []).append(decision)
    return in_order(tally_rows(runs, history))


def assert_counted_in_groups(store: ResultsStore) -> None:
    """Groups of cohorts counted in one pass are each group counted on its own, as Python counts it."""
    cohorts = sorted(store.cohorts())
    groups = [cohorts, *([cohort] for cohort in cohorts), cohorts[::2], [], ["nobody"], ["mon", "nobody"]]
    for scenario_id in (None, *SCENARIOS):
        tallies = store.tallies(groups, scenario_id=scenario_id)
        assert len(tallies) == len(groups)
        for group, tally in zip(groups, tallies, strict=True):
            expected = [tallied_in_python(store, cohort, scenario_id) for cohort in group]
            together = RunningTally()
            for part in expected:
                together.add(part)
            assert in_order(tally) == in_order(together.tally())
            if len(group) == 1:
                assert in_order(tally) == in_order(store.tally(cohort=group[0], scenario_id=scenario_id))
    assert store.tallies([]) == []


def counted_in_python(
    store: ResultsStore, tiny: Scenario, cohort: str | None, scenario_id: str | None
) -> RoomReport:
    runs = store.runs(cohort=cohort, scenario_id=scenario_id)
    decisions = store.decisions([run.start.run_id for run in runs])
    return room_report(runs, decisions, [tiny], include=[scenario_id] if scenario_id else [])


def assert_same_room(store: ResultsStore, tiny: Scenario) -> None:
    for cohort in (None, "mon"):
        for scenario_id in (None, *SCENARIOS):
            expected = counted_in_python(store, tiny, cohort, scenario_id)
            assert read_room(store, [tiny], cohort=cohort, scenario_id=scenario_id) == expected
            # Listing only the latest two of each scenario changes nothing else.
            latest = read_room(store, [tiny], cohort=cohort, scenario_id=scenario_id, players=2)
            assert len(latest.scenarios) == len(expected.scenarios)
            for few, every in zip(latest.scenarios, expected.scenarios, strict=True):
                assert replace(few, players=every.players) == every
                by_start = sorted(every.players, key=lambda p: (p.started_at, p.run_id))
                assert few.players == tuple(by_start[-2:])
                assert few.unlisted == every.runs - len(few.players)


@pytest.fixture
def tiny(tiny_path: Path) -> Scenario:
    scenario = load_file(tiny_path, load_catalogue()).scenario
    assert scenario is not None
    return scenario


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(room=st.lists(plans, max_size=8), seed=st.integers(0, 2**16))
def test_the_store_counts_the_room_as_python_does(
    backend: Backend, tiny: Scenario, room: list[Plan], seed: int
) -> None:
    store = open_store(backend.target)
    try:
        backend.sql("DELETE FROM decisions")
        backend.sql("DELETE FROM runs")
        write(store, writes(room, random.Random(seed)))
        assert_same_room(store, tiny)
        assert_counted_in_groups(store)
    finally:
        store.close()


def test_the_counts_catch_a_difference(backend: Backend, tiny: Scenario) -> None:
    """The comparison above can fail: a decision the derived columns say nothing of is a different room."""
    store = open_store(backend.target)
    try:
        room = [Plan("tiny", "mon", 0, False, (("first", "blame", False, 35, 55, 45),), 1, None)]
        write(store, writes(room, random.Random(0)))
        backend.sql("UPDATE decisions SET counted = 0")
        assert read_room(store, [tiny]) != counted_in_python(store, tiny, None, None)
    finally:
        store.close()


def test_a_store_from_schema_1_is_counted_after_migrating(backend: Backend, tiny: Scenario) -> None:
    """Rows written before the derived columns existed get them when the store is opened."""
    backend.sql("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    backend.sql("INSERT INTO schema_version (version) VALUES (1)")
    for statement in MIGRATIONS[0]:
        backend.sql(statement)
    backend.sql(
        "INSERT INTO runs (run_id, player_id, player_name, cohort, scenario_id, scenario_title, started_at, "
        "resume_code, finished_at, ending_scene, ending_title, ending_tone, zone, score, safety, standards, "
        "trust) VALUES ('a', 'p', 'Ann', 'mon', 'tiny', 'Tiny', '2026-01-01T09:00:00', 'A', "
        "'2026-01-01T09:20:00', 'poor-end', 'Same again', 'poor', '', 0, 35, 45, 45)"
    )
    backend.sql(
        "INSERT INTO runs (run_id, player_id, player_name, cohort, scenario_id, scenario_title, started_at, "
        "resume_code) VALUES ('b', 'q', 'Bo', 'mon', 'tiny', 'Tiny', '2026-01-01T09:01:00', 'B')"
    )
    for run_id, seq, scene, choice, safety, standards, trust in (
        ("a", 0, "first", "blame", 35, 55, 45),
        ("a", 1, "second", "move-on", 35, 45, 45),
        ("b", 0, "first", "thank", 55, 50, 50),
    ):
        backend.sql(
            "INSERT INTO decisions (run_id, seq, scene_id, choice_id, timed_out, seconds, safety, standards, "
            f"trust, recorded_at) VALUES ('{run_id}', {seq}, '{scene}', '{choice}', 0, 1.0, {safety}, "
            f"{standards}, {trust}, '2026-01-01T09:10:00')"
        )
    store = open_store(backend.target)
    try:
        room = read_room(store, [tiny])
        assert room == counted_in_python(store, tiny, None, None)
        (report,) = room.scenarios
        assert [(t.scene_id, t.meter, t.lost, t.decided) for t in report.talking_points] == [
            ("second", "standards", 1, 1),
            ("first", "safety", 1, 2),
            ("first", "standards", 1, 2),
        ]
    finally:
        store.close()


def test_an_ending_the_model_no_longer_has_is_named_by_its_latest_finish(
    backend: Backend, tiny: Scenario
) -> None:
    """Runs that started at the same moment are in run id order, so the last of them names the ending."""
    ending = ("old-end", "Kept title", "good", 50, 50, 50)
    room = [
        Plan("tiny", "mon", 1, False, (), 1, ending),
        Plan("tiny", "mon", 1, False, (), 1, (*ending[:1], "Other title", "poor", *ending[3:])),
        Plan("tiny", "mon", 0, False, (), 1, (*ending[:1], "Earliest title", "poor", *ending[3:])),
    ]
    store = open_store(backend.target)
    try:
        write(store, writes(room, random.Random(0)))
        room_read = read_room(store, [tiny])
        assert room_read == counted_in_python(store, tiny, None, None)
        (report,) = room_read.scenarios
        assert [(e.scene_id, e.title, e.tone, e.count) for e in report.endings][-1] == (
            "old-end",
            "Other title",
            "poor",
            3,
        )
    finally:
        store.close()


COHORTS = ("mon", "tue", "wed", "thu", "fri")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    room=st.lists(plans_in(COHORTS), min_size=1, max_size=10),
    seed=st.integers(0, 2**16),
    cuts=st.lists(st.floats(0, 1), max_size=5),
    shares=st.sampled_from((1, 2, len(COHORTS))),
    afresh=st.sampled_from((0, 1, RoomCounter.AFRESH)),
    scenario_id=st.sampled_from((None, *SCENARIOS)),
)
def test_a_room_counted_again_only_where_it_changed_is_the_room_counted_afresh(
    backend: Backend,
    room: list[Plan],
    seed: int,
    cuts: list[float],
    shares: int,
    afresh: int,
    scenario_id: str | None,
) -> None:
    """Between reads the room goes on being played: cohorts change, start, stop changing; each read
    equals a full count. With a range for each cohort, a read counts only cohorts written to since the
    read before."""
    store = open_store(backend.target)
    try:
        backend.sql("DELETE FROM decisions")
        backend.sql("DELETE FROM runs")
        rows = played_in_any_order(room, random.Random(seed))
        cohort_of = {f"r{number}": plan.cohort for number, plan in enumerate(room)}
        ends = sorted({round(cut * len(rows)) for cut in cuts} | {len(rows)})
        counter = RoomCounter(scenario_id)
        counter.SHARES, counter.AFRESH = shares, afresh
        done = 0
        for step, end in enumerate([0, *ends]):
            write(store, rows[done:end])
            written = {cohort_of[row.run_id] for row in rows[done:end]}
            done = end
            tally = in_order(counter.tally(store))
            assert tally == in_order(store.tally(scenario_id=scenario_id))
            assert tally == tallied_in_python(store, None, scenario_id)
            if afresh == RoomCounter.AFRESH:
                assert counter.counted_afresh == (1 if step == 0 else 2)  # as one, then in ranges (below)
                if shares == len(COHORTS) and end:
                    assert set(counter.counted) <= written
            counter.prepare(store)  # as the dashboard does after a read that counted the room as one
    finally:
        store.close()


def test_a_room_is_counted_again_where_it_changed_and_nowhere_else(backend: Backend, tiny: Scenario) -> None:
    """A cohort is counted alone once it changes, the rest of its range or share again only then."""
    store = open_store(backend.target)
    try:
        room = [Plan("tiny", cohort, 0, False, (("first", "blame", False, 35, 55, 45),), 1, None)
                for cohort in ("mon", "tue", "wed", "thu")]  # fmt: skip
        rows = writes(room, random.Random(0))
        starts, decisions = rows[:4], rows[4:]
        write(store, starts[:3])
        counter = RoomCounter()
        counter.SHARES = 2  # of one run each: mon to tue, then wed
        first = read_room(store, [tiny], counter=counter)
        counter.prepare(store)
        assert read_room(store, [tiny], counter=counter) == first
        assert (counter.counted_afresh, counter.counted) == (2, ())
        # tue starts (counted with the rest of its range), a new cohort starts (alone: it sorts into the
        # range already cut up), mon starts while thu goes on and tue's decision comes again (which
        # changes nothing), mon's once more, then wed starts.
        steps = [
            ([d for d in decisions if d.run_id == "r1"], ("mon", "tue")),
            ([starts[3]], ("thu",)),
            ([d for d in decisions if d.run_id in ("r0", "r1", "r3")], ("mon", "thu")),
            ([d for d in decisions if d.run_id == "r0"], ()),
            ([d for d in decisions if d.run_id == "r2"], ("wed",)),
        ]
        for step, counted in steps:
            write(store, step)
            room_read = read_room(store, [tiny], counter=counter)
            assert room_read == counted_in_python(store, tiny, None, None)
            assert (counter.counted_afresh, counter.counted) == (2, counted)
    finally:
        store.close()


class WrittenBetween:
    """A store that, when next asked to count, first has `rows` written: as a player would between
    the counter's look at the cohorts and its count of them."""

    def __init__(self, store: ResultsStore) -> None:
        self.store = store
        self.rows: list[RunStart | DecisionRow | RunFinish] = []

    def cohorts(self, *, scenario_id: str | None = None) -> dict[str, tuple[int, int, int]]:
        return self.store.cohorts(scenario_id=scenario_id)

    def tallies(
        self, groups: Sequence[Collection[str] | CohortRange], *, scenario_id: str | None = None
    ) -> list[RoomTally]:
        write(self.store, self.rows)
        self.rows = []
        return self.store.tallies(groups, scenario_id=scenario_id)


@pytest.mark.parametrize("at", ["first read", "later read"])
@pytest.mark.parametrize("cohort", ["mon", "tue", "sun", "zzz"])  # of each range; new in one, after both
def test_a_write_while_the_room_is_counted_is_counted_at_the_next_read(
    backend: Backend, at: str, cohort: str
) -> None:
    """Whether the count has the write or not (a range counts a new cohort that sorts into it), the next
    read finds the cohort changed, and every read after it equals a full count."""
    store = open_store(backend.target)
    try:
        room = [Plan("tiny", c, 0, False, (("first", "blame", False, 35, 55, 45),), 1, None)
                for c in ("mon", "thu", "tue", "wed", cohort)]  # fmt: skip
        rows = writes(room, random.Random(0))
        write(store, rows[:4])
        counter = RoomCounter()
        counter.SHARES = 2  # mon to thu, tue to wed: "sun" sorts into the first, "tue" is in the second
        between = WrittenBetween(store)
        between.rows = [row for row in rows if row.run_id == "r4"]
        if at == "first read":
            counter.prepare(between)  # type: ignore[arg-type]
        else:
            counter.prepare(store)
            write(store, [row for row in rows if row.run_id == "r0" and isinstance(row, DecisionRow)])
            counter.tally(between)  # type: ignore[arg-type]
        for _ in range(2):
            assert in_order(counter.tally(store)) == in_order(store.tally())
        assert counter.counted_afresh == 1  # in ranges, once: never again
    finally:
        store.close()


def test_a_cohort_that_lost_rows_has_every_cohort_counted_afresh(backend: Backend) -> None:
    """The store never deletes a row; should someone, a cohort with fewer runs than before cannot be taken
    away from the running tally (its first run may have gone), so every cohort is counted afresh."""
    store = open_store(backend.target)
    try:
        room = [Plan("tiny", cohort, minute, False, (("first", "blame", False, 35, 55, 45),), 1, None)
                for cohort, minute in (("mon", 0), ("tue", 1), ("mon", 2))]  # fmt: skip
        write(store, writes(room, random.Random(0)))
        counter = RoomCounter()
        counter.prepare(store)
        backend.sql("DELETE FROM decisions WHERE run_id = 'r0'")
        backend.sql("DELETE FROM runs WHERE run_id = 'r0'")
        assert in_order(counter.tally(store)) == in_order(store.tally())
        assert counter.counted_afresh == 2
    finally:
        store.close()


def test_a_read_with_nothing_counted_before_counts_the_room_as_one(backend: Backend) -> None:
    """The first read (and one after a failed read) counts the room as one; after `prepare` counts it in
    ranges, a read counts only the cohort that changed. Unprepared, every read counts the room as one."""
    store = open_store(backend.target)
    try:
        room = [Plan("tiny", cohort, 0, False, (("first", "blame", False, 35, 55, 45),), 1, None)
                for cohort in ("mon", "tue", "wed")]  # fmt: skip
        rows = writes(room, random.Random(0))
        starts, decisions = rows[:3], rows[3:]
        write(store, starts)
        counter = RoomCounter()
        counter.SHARES = 2
        assert in_order(counter.tally(store)) == in_order(store.tally())
        assert not counter.prepared and counter.counted_afresh == 1
        counter.prepare(store)
        assert counter.prepared
        write(store, [d for d in decisions if d.run_id == "r2"])  # wed plays
        assert in_order(counter.tally(store)) == in_order(store.tally())
        assert (counter.counted_afresh, counter.counted) == (2, ("wed",))

        unprepared = RoomCounter()
        unprepared.tally(store)
        write(store, [d for d in decisions if d.run_id == "r1"])  # tue plays
        assert in_order(unprepared.tally(store)) == in_order(store.tally())
        assert (unprepared.counted_afresh, unprepared.counted, unprepared.prepared) == (2, (), False)
    finally:
        store.close()


def test_the_dashboard_prepares_its_counter_after_its_first_refresh(backend: Backend, tiny: Scenario) -> None:
    store = open_store(backend.target)
    try:
        planned = [Plan("tiny", cohort, 0, False, (), 1, None) for cohort in ("mon", "tue")]
        write(store, writes(planned, random.Random(0)))
    finally:
        store.close()
    reader = RoomReader(lambda: open_store(backend.target), [tiny])
    try:

        async def two_refreshes() -> None:
            await reader.report()
            await reader.report()

        asyncio.run(two_refreshes())
        counter = reader._counter
        assert counter is not None and counter.prepared and counter.counted_afresh == 2
        assert counter.counted == ()  # the second refresh found nothing changed: it counted nothing
    finally:
        reader.close()


def test_the_dashboard_lists_the_latest_players_and_counts_achievements_only_for_a_room(
    backend: Backend, tiny: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every cohort of a store too big to list: the latest players, how many more, and no achievements
    (they would read every row at every refresh); one cohort: every player and its achievements."""
    monkeypatch.setattr("game.dashboard.reader.LISTED", 2)
    store = open_store(backend.target)
    try:
        planned = [
            Plan("tiny", cohort, minute, False, (), 1, None) for cohort in ("mon", "tue") for minute in (0, 1)
        ]
        write(store, writes(planned, random.Random(0)))
    finally:
        store.close()
    for cohort, listed, unlisted, counted in ((None, 2, 2, False), ("mon", 2, 0, True)):
        reader = RoomReader(lambda: open_store(backend.target), [tiny], cohort=cohort)
        try:
            room = asyncio.run(reader.report())
        finally:
            reader.close()
        (report,) = room.scenarios
        assert (len(report.players), report.unlisted, room.rewards is not None) == (listed, unlisted, counted)
