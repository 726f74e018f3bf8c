"""What the SQL backends share: the statements, the mapping between rows and records, and migrating.

Statements are written once, with `?` for each parameter; a backend whose driver wants another mark
translates it (so no statement here may contain a literal `?` or `%`). A backend supplies four hooks —
`_transaction`, `_write`, `_read` and `close` — and inherits the whole `ResultsStore` interface.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from game.store.base import (
    EMPTY_TALLY,
    ChoiceTally,
    CohortRange,
    DecisionRow,
    EndingTally,
    Listing,
    PositionTally,
    RoomTally,
    RunFinish,
    RunNow,
    RunRow,
    RunStart,
    ScenarioTally,
    StoreError,
)
from game.store.schema import LATEST, MIGRATIONS

Values = Sequence[Any]
Rows = list[tuple[Any, ...]]
Execute = Callable[[str, Values], Rows]
"""Runs one statement inside a transaction and returns its rows (none for a statement without any)."""

Write = RunStart | DecisionRow | RunFinish | Listing
"""One write a store is asked for; a backend that cannot write it yet may keep it and write it later."""

RUN_FIELDS = (
    "run_id, player_id, player_name, cohort, scenario_id, scenario_title, started_at, resume_code, "
    "rewound_from, finished_at, ending_scene, ending_title, ending_tone, zone, score, safety, standards, "
    "trust, listed"
)
DECISION_FIELDS = (
    "run_id, seq, scene_id, choice_id, timed_out, seconds, safety, standards, trust, recorded_at"
)


def _of(table: str, fields: str) -> str:
    return ", ".join(f"{table}.{field}" for field in fields.split(", "))


def run_columns(table: str = "runs") -> str:
    """A run's columns, read from `table` (the name or alias of `runs` in the query), with its decisions."""
    count = f"(SELECT COUNT(*) FROM decisions n WHERE n.run_id = {table}.run_id)"
    return f"{_of(table, RUN_FIELDS)}, {count}"


RUN_COLUMNS = run_columns()

START_RUN = (
    "INSERT INTO runs (run_id, player_id, player_name, cohort, scenario_id, scenario_title, "
    "started_at, resume_code, rewound_from, listed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (run_id) DO NOTHING"
)

LIST_PLAYER = "UPDATE runs SET listed = ? WHERE player_id = ? AND cohort = ?"


# The derived columns (see `game.store.schema.DERIVED`) are written with the row, from rows already
# there; a decision that arrives before an earlier one (replayed from a queue) is put right by the
# statements after it. An unknown run leaves `scenario_id` NULL and the foreign key refuses the row.
RECORD_DECISION = (
    "INSERT INTO decisions (run_id, seq, scene_id, choice_id, timed_out, seconds, safety, "
    "standards, trust, recorded_at, cohort, scenario_id, counted, before_safety, before_standards) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "(SELECT r.cohort FROM runs r WHERE r.run_id = ?), "
    "(SELECT r.scenario_id FROM runs r WHERE r.run_id = ?), "
    "(SELECT CASE WHEN r.rewound_from IS NULL THEN 1 ELSE 0 END FROM runs r WHERE r.run_id = ?), "
    "(SELECT p.safety FROM decisions p WHERE p.run_id = ? AND p.seq < ? ORDER BY p.seq DESC LIMIT 1), "
    "(SELECT p.standards FROM decisions p WHERE p.run_id = ? AND p.seq < ? ORDER BY p.seq DESC LIMIT 1)) "
    "ON CONFLICT (run_id, seq) DO NOTHING"
)

# The next decision of the run (if it came first) now follows this one: its meters before are these,
# as stored (a replay with other numbers changed nothing, so it must not change this either).
FOLLOW_DECISION = (
    "UPDATE decisions SET (before_safety, before_standards) = "
    "(SELECT p.safety, p.standards FROM decisions p WHERE p.run_id = ? AND p.seq = ?) "
    "WHERE run_id = ? AND seq = (SELECT MIN(n.seq) FROM decisions n WHERE n.run_id = ? AND n.seq > ?)"
)

LAST_DECISION = (
    "UPDATE runs SET decision_count = (SELECT COUNT(*) FROM decisions d WHERE d.run_id = ?), "
    "(last_seq, last_safety, last_standards, last_trust) = "
    "(SELECT d.seq, d.safety, d.standards, d.trust FROM decisions d WHERE d.run_id = ? "
    "ORDER BY d.seq DESC LIMIT 1) WHERE run_id = ?"
)

# `finished_at IS NULL` makes a second finish a no-op, so replaying a finish is harmless.
FINISH_RUN = (
    "UPDATE runs SET finished_at = ?, ending_scene = ?, ending_title = ?, ending_tone = ?, "
    "zone = ?, score = ?, safety = ?, standards = ?, trust = ? "
    "WHERE run_id = ? AND finished_at IS NULL"
)

Statement = tuple[str, tuple[Any, ...]]


def statements(write: Write) -> list[Statement]:
    """The SQL and values that perform `write`, to run in one transaction; all of it is idempotent."""
    match write:
        case RunStart():
            return [
                (
                    START_RUN,
                    (
                        write.run_id,
                        write.player_id,
                        write.player_name,
                        write.cohort,
                        write.scenario_id,
                        write.scenario_title,
                        write.started_at,
                        write.resume_code,
                        write.rewound_from,
                        int(write.listed),
                    ),
                )
            ]
        case Listing():
            return [(LIST_PLAYER, (int(write.listed), write.player_id, write.cohort))]
        case DecisionRow():
            run, seq = write.run_id, write.seq
            row = (
                run,
                seq,
                write.scene_id,
                write.choice_id,
                int(write.timed_out),
                write.seconds,
                write.safety,
                write.standards,
                write.trust,
                write.recorded_at,
            )
            return [
                (RECORD_DECISION, (*row, run, run, run, run, seq, run, seq)),
                (FOLLOW_DECISION, (run, seq, run, run, seq)),
                (LAST_DECISION, (run, run, run)),
            ]
        case RunFinish():
            return [
                (
                    FINISH_RUN,
                    (
                        write.finished_at,
                        write.ending_scene,
                        write.ending_title,
                        write.ending_tone,
                        write.zone,
                        write.score,
                        write.safety,
                        write.standards,
                        write.trust,
                        write.run_id,
                    ),
                )
            ]


# --- the room, counted (see `game.store.base.RoomTally` and the rules in `game.roomreport`) --------------
# `{runs}` and `{decisions}` stand for the filters on the runs (`r`) and on the counted decisions (`d`).
# Several rooms are counted in one statement, a query for each joined by UNION ALL: each row starts with
# the number of its query (`{part}`), then the cohort (`{cohort}`, `{d_cohort}`) for a query that counts
# each cohort on its own, grouping by it too (`{by}`, `{groups}`) and joining each group to its own runs
# (`{same}`); NULL for a query that counts its runs as one room.

TALLY_SCENARIOS = """
SELECT {part}, {cohort}, g.scenario_id, g.runs, g.rewinds, g.finished, r.started_at, r.run_id,
    r.scenario_title
FROM (
    SELECT {by}r.scenario_id, COUNT(*) AS runs,
        SUM(CASE WHEN r.rewound_from IS NULL THEN 0 ELSE 1 END) AS rewinds,
        SUM(CASE WHEN r.rewound_from IS NULL AND r.finished_at IS NOT NULL THEN 1 ELSE 0 END) AS finished,
        MIN(r.started_at) AS first
    FROM runs r WHERE {runs} GROUP BY {by}r.scenario_id
) AS g
JOIN runs r ON r.scenario_id = g.scenario_id AND r.started_at = g.first{same}
WHERE {runs}
"""

# First decisions are grouped by the meters they led to, later ones by how much they moved them: a choice
# moves the meters by the same amounts (unless the clamp at 0 or 100 cuts it short), so groups are few.
TALLY_CHOICES = """
SELECT {part}, {d_cohort}, d.scenario_id, d.scene_id, d.choice_id,
    CASE WHEN d.before_safety IS NULL THEN d.safety ELSE d.safety - d.before_safety END,
    CASE WHEN d.before_safety IS NULL THEN d.standards ELSE d.standards - d.before_standards END,
    CASE WHEN d.before_safety IS NULL THEN 1 ELSE 0 END,
    COUNT(*), SUM(d.timed_out)
FROM decisions d
WHERE d.counted = 1 AND {decisions}
GROUP BY {groups}3, 4, 5, 6, 7, 8
"""

TALLY_POSITIONS = """
SELECT {part}, {cohort}, r.scenario_id, CASE WHEN r.finished_at IS NULL THEN 0 ELSE 1 END,
    CASE WHEN r.finished_at IS NULL THEN r.last_safety ELSE r.safety END,
    CASE WHEN r.finished_at IS NULL THEN r.last_standards ELSE r.standards END,
    CASE WHEN r.finished_at IS NULL THEN r.last_trust ELSE r.trust END,
    COUNT(*)
FROM runs r
WHERE r.rewound_from IS NULL AND (r.finished_at IS NOT NULL OR r.last_seq IS NOT NULL) AND {runs}
GROUP BY {groups}3, 4, 5, 6, 7
"""

# Each ending's count, and the runs that last reached it (several when they started at the same moment:
# the one with the greatest run id is the latest).
TALLY_ENDINGS = """
SELECT {part}, {cohort}, g.scenario_id, g.ending_scene, g.reached, r.started_at, r.run_id, r.ending_title,
    r.ending_tone
FROM (
    SELECT {by}r.scenario_id, r.ending_scene, COUNT(*) AS reached, MAX(r.started_at) AS latest
    FROM runs r WHERE r.rewound_from IS NULL AND r.finished_at IS NOT NULL AND {runs}
    GROUP BY {by}r.scenario_id, r.ending_scene
) AS g
JOIN runs r ON r.scenario_id = g.scenario_id AND r.ending_scene = g.ending_scene
    AND r.started_at = g.latest{same}
WHERE r.rewound_from IS NULL AND r.finished_at IS NOT NULL AND {runs}
"""

COHORTS = """
SELECT r.cohort, COUNT(*), SUM(r.decision_count), SUM(CASE WHEN r.finished_at IS NULL THEN 0 ELSE 1 END)
FROM runs r WHERE {runs} GROUP BY r.cohort ORDER BY r.cohort
"""

RUNS_NOW = (
    f"SELECT {run_columns('r')}, {_of('d', DECISION_FIELDS)} "
    "FROM runs r LEFT JOIN decisions d ON d.run_id = r.run_id AND d.seq = r.last_seq "
    "WHERE {runs} ORDER BY r.started_at, r.run_id"
)

# The scenarios played, each found from an index by the one before it: DISTINCT would read every run.
PLAYED = """
WITH RECURSIVE played (scenario_id) AS (
    SELECT MIN(r.scenario_id) FROM runs r WHERE {runs}
    UNION ALL
    SELECT (SELECT MIN(r.scenario_id) FROM runs r WHERE r.scenario_id > played.scenario_id AND {runs})
    FROM played WHERE played.scenario_id IS NOT NULL
)
SELECT scenario_id FROM played WHERE scenario_id IS NOT NULL
"""

LATEST_RUNS = (
    "SELECT run_id FROM (SELECT r.run_id FROM runs r WHERE r.scenario_id = ? AND {runs} "
    "ORDER BY r.started_at DESC, r.run_id DESC LIMIT ?) AS latest_{n}"
)


def run_filters(
    cohort: str | None,
    scenario_id: str | None,
    table: str = "r",
    cohorts: Collection[str] | CohortRange | None = None,
) -> tuple[str, list[Any]]:
    """The condition on `table` for the filters given, and its values: an alias of `runs`, or of
    `decisions`, which carry their run's cohort and scenario. `cohorts`: any of those (none if empty)."""
    filters = [("cohort =", cohort), ("scenario_id =", scenario_id)]
    if isinstance(cohorts, CohortRange):
        filters += [("cohort >=", cohorts.first), ("cohort <=", cohorts.last)]
    where = [f"{table}.{column} ?" for column, value in filters if value is not None]
    values: list[Any] = [value for _, value in filters if value is not None]
    if cohorts is not None and not isinstance(cohorts, CohortRange):
        where.append(f"{table}.cohort IN ({', '.join('?' * len(cohorts))})" if cohorts else "1 = 0")
        values.extend(cohorts)
    return " AND ".join(where) or "1 = 1", values


def tally_rows(read: Callable[[str, Values], Rows], cohort: str | None, scenario_id: str | None) -> RoomTally:
    """The room counted by the database behind `read`."""
    (counted,) = _count(read, [_Query.of(cohort, scenario_id)])
    room = counted.get(None)
    return room.tally() if room else EMPTY_TALLY


def tallies_rows(
    read: Callable[[str, Values], Rows],
    groups: Sequence[Collection[str] | CohortRange],
    scenario_id: str | None,
) -> list[RoomTally]:
    """Each group of cohorts counted as one room by the database behind `read`, every group at once:
    a query for each group but those of one cohort, and one for all of those, which counts each of them
    on its own (each query has a cost of its own, and there may be many cohorts alone)."""
    ones = [_only(group) for group in groups]
    alone = sorted({cohort for cohort in ones if cohort is not None})
    queries = [
        _Query.of(None, scenario_id, group) for group, one in zip(groups, ones, strict=True) if one is None
    ]
    if alone:
        queries.append(_Query.of(None, scenario_id, alone, by_cohort=True))
    counted = _count(read, queries)
    each = counted.pop() if alone else {}
    together = iter(counted)
    tallies = []
    for one in ones:
        room = each.get(one) if one is not None else next(together).get(None)
        tallies.append(room.tally() if room else EMPTY_TALLY)
    return tallies


def _only(group: Collection[str] | CohortRange) -> str | None:
    """The cohort a group has, if it names just one."""
    if isinstance(group, CohortRange) or len(group) != 1:
        return None
    (cohort,) = group
    return cohort


@dataclass(frozen=True)
class _Query:
    """What one of the queries joined in a statement counts: its filter on the runs (`r`) and on the
    decisions (`d`), their values, and whether it counts each cohort on its own."""

    runs: str
    decisions: str
    values: list[Any]
    by_cohort: bool

    @classmethod
    def of(
        cls,
        cohort: str | None,
        scenario_id: str | None,
        cohorts: Collection[str] | CohortRange | None = None,
        *,
        by_cohort: bool = False,
    ) -> _Query:
        runs, values = run_filters(cohort, scenario_id, "r", cohorts)
        decisions, _ = run_filters(cohort, scenario_id, "d", cohorts)
        return cls(runs, decisions, values, by_cohort)

    def format(self, sql: str, part: int) -> str:
        by = self.by_cohort
        return sql.format(
            part=part,
            runs=self.runs,
            decisions=self.decisions,
            cohort="r.cohort" if by else "NULL",
            d_cohort="d.cohort" if by else "NULL",
            by="r.cohort, " if by else "",
            same=" AND r.cohort = g.cohort" if by else "",
            groups="2, " if by else "",
        )


@dataclass
class _Counted:
    """One room's tally as its rows come in."""

    first: dict[str, tuple[tuple[str, str], ScenarioTally]] = field(default_factory=dict)
    choices: list[ChoiceTally] = field(default_factory=list)
    positions: list[PositionTally] = field(default_factory=list)
    latest: dict[tuple[str, str], EndingTally] = field(default_factory=dict)

    def tally(self) -> RoomTally:
        scenarios = tuple(tally for _, tally in sorted(self.first.values(), key=lambda item: item[0]))
        return RoomTally(scenarios, tuple(self.choices), tuple(self.positions), tuple(self.latest.values()))


def _count(
    read: Callable[[str, Values], Rows], queries: Sequence[_Query]
) -> list[dict[str | None, _Counted]]:
    """The rooms each query counts (by cohort, or all as one under None), every query in one statement
    for each of the four parts of a tally."""
    if not queries:
        return []
    counted: list[dict[str | None, _Counted]] = [{} for _ in queries]

    def rows(sql: str, twice: bool = False) -> Iterator[tuple[_Counted, tuple[Any, ...]]]:
        text = " UNION ALL ".join(query.format(sql, n) for n, query in enumerate(queries))
        values = [v for query in queries for v in (query.values * 2 if twice else query.values)]
        for n, cohort, *row in read(text, values):
            room = counted[n].get(cohort)
            if room is None:
                room = counted[n][cohort] = _Counted()
            yield room, tuple(row)

    for room, (sid, count, rewinds, finished, started_at, run_id, title) in rows(TALLY_SCENARIOS, twice=True):
        key = (started_at, run_id)
        if sid not in room.first or key < room.first[sid][0]:
            room.first[sid] = (key, ScenarioTally(sid, title, count, rewinds, finished, key))
    for room, (sid, scene, choice, safety, standards, first, decided, timed_out) in rows(TALLY_CHOICES):
        room.choices.append(
            ChoiceTally(sid, scene, choice, bool(first), (safety, standards), decided, timed_out)
        )
    for room, (sid, finished, safety, standards, trust, count) in rows(TALLY_POSITIONS):
        room.positions.append(PositionTally(sid, bool(finished), safety, standards, trust, count))
    for room, (sid, scene, reached, started_at, run_id, title, tone) in rows(TALLY_ENDINGS, twice=True):
        if (sid, scene) not in room.latest or (started_at, run_id) > room.latest[(sid, scene)].latest:
            room.latest[(sid, scene)] = EndingTally(sid, scene, title, tone, reached, (started_at, run_id))
    return counted


def runs_now_rows(
    read: Callable[[str, Values], Rows], cohort: str | None, scenario_id: str | None, latest: int | None
) -> list[RunNow]:
    runs, values = run_filters(cohort, scenario_id)
    if latest is not None:
        ids = [sid for (sid,) in read(PLAYED.format(runs=runs), [*values, *values])]
        if not ids:
            return []
        chosen = " UNION ALL ".join(LATEST_RUNS.format(runs=runs, n=n) for n in range(len(ids)))
        runs = f"{runs} AND r.run_id IN ({chosen})"
        values = [*values, *(v for sid in ids for v in (sid, *values, latest))]
    found = []
    for row in read(RUNS_NOW.format(runs=runs), values):
        run = run_row(row[:20])
        found.append(RunNow(run, decision_row(row[20:]) if row[20] is not None else None))
    return found


def run_row(row: tuple[Any, ...]) -> RunRow:
    run_id, player_id, name, cohort, scenario_id, title, started_at, resume_code, rewound_from = row[:9]
    start = RunStart(
        run_id,
        player_id,
        name,
        cohort,
        scenario_id,
        title,
        started_at,
        resume_code,
        rewound_from,
        bool(row[18]),
    )
    finish = RunFinish(row[0], *row[9:18]) if row[9] is not None else None
    return RunRow(start, finish, row[19])


def decision_row(row: tuple[Any, ...]) -> DecisionRow:
    return DecisionRow(row[0], row[1], row[2], row[3], bool(row[4]), *row[5:])


class SqlStore(ABC):
    """The `ResultsStore` interface over SQL, for a backend that supplies the hooks below."""

    @property
    @abstractmethod
    def name(self) -> str:
        """The store as named in messages: a path, or a URL without its password."""

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[Execute]:
        """A transaction that commits when the block ends and rolls back if it raises."""

    @abstractmethod
    def _write(self, write: Write) -> None: ...

    @abstractmethod
    def _read(self, sql: str, values: Values) -> Rows: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def _lock_schema(self, execute: Execute) -> None:
        """Keep other processes out of the schema while this one migrates it; the transaction ends it."""

    @abstractmethod
    def _stored_version(self) -> int | None:
        """The schema version the store holds (None before its first migration), read without taking the
        lock that writers and migrations take."""

    def _migrate(self) -> None:
        # Every session process opens the store (and again for each reckoning): at the current schema a
        # read says so, where the migration's transaction would queue behind the whole room's writes.
        if self._stored_version() == LATEST:
            return
        with self._transaction() as execute:
            self._lock_schema(execute)
            execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", ())
            rows = execute("SELECT version FROM schema_version", ())
            version = rows[0][0] if rows else 0
            if version > LATEST:
                raise StoreError(
                    f"the results store {self.name} was written by a newer Tightrope "
                    f"(schema {version}, this one knows {LATEST}): upgrade Tightrope"
                )
            for statements in MIGRATIONS[version:]:
                for migration in statements:
                    execute(migration, ())
            if not rows:
                execute("INSERT INTO schema_version (version) VALUES (?)", (LATEST,))
            else:
                execute("UPDATE schema_version SET version = ?", (LATEST,))

    def start_run(self, run: RunStart) -> None:
        self._write(run)

    def record_decision(self, decision: DecisionRow) -> None:
        self._write(decision)

    def finish_run(self, finish: RunFinish) -> None:
        self._write(finish)

    def list_player(self, listing: Listing) -> None:
        self._write(listing)

    def runs(
        self,
        *,
        cohort: str | None = None,
        scenario_id: str | None = None,
        player_id: str | None = None,
    ) -> list[RunRow]:
        filters = [("cohort", cohort), ("scenario_id", scenario_id), ("player_id", player_id)]
        where = [f"{column} = ?" for column, value in filters if value is not None]
        sql = f"SELECT {RUN_COLUMNS} FROM runs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started_at, run_id"
        values = [value for _, value in filters if value is not None]
        return [run_row(row) for row in self._read(sql, values)]

    def run_by_resume_code(self, code: str) -> RunRow | None:
        rows = self._read(f"SELECT {RUN_COLUMNS} FROM runs WHERE resume_code = ?", [code])
        return run_row(rows[0]) if rows else None

    def decisions(self, run_ids: Sequence[str]) -> list[DecisionRow]:
        if not run_ids:
            return []
        marks = ", ".join("?" * len(run_ids))
        rows = self._read(
            f"SELECT {DECISION_FIELDS} FROM decisions WHERE run_id IN ({marks}) ORDER BY run_id, seq",
            list(run_ids),
        )
        return [decision_row(row) for row in rows]

    def tally(self, *, cohort: str | None = None, scenario_id: str | None = None) -> RoomTally:
        return tally_rows(self._read, cohort, scenario_id)

    def tallies(
        self, groups: Sequence[Collection[str] | CohortRange], *, scenario_id: str | None = None
    ) -> list[RoomTally]:
        return tallies_rows(self._read, groups, scenario_id)

    def cohorts(self, *, scenario_id: str | None = None) -> dict[str, tuple[int, int, int]]:
        runs, values = run_filters(None, scenario_id)
        rows = self._read(COHORTS.format(runs=runs), values)
        return {cohort: (runs, decisions, finished) for cohort, runs, decisions, finished in rows}

    def runs_now(
        self, *, cohort: str | None = None, scenario_id: str | None = None, latest: int | None = None
    ) -> list[RunNow]:
        return runs_now_rows(self._read, cohort, scenario_id, latest)
