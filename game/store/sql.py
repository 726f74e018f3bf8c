"""What the SQL backends share: the statements, the mapping between rows and records, and migrating.

Statements are written once, with `?` for each parameter; a backend whose driver wants another mark
translates it (so no statement here may contain a literal `?` or `%`). A backend supplies four hooks —
`_transaction`, `_write`, `_read` and `close` — and inherits the whole `ResultsStore` interface.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager
from typing import Any

from game.store.base import (
    ChoiceTally,
    DecisionRow,
    EndingTally,
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

Write = RunStart | DecisionRow | RunFinish
"""One write a store is asked for; a backend that cannot write it yet may keep it and write it later."""

RUN_FIELDS = (
    "run_id, player_id, player_name, cohort, scenario_id, scenario_title, started_at, resume_code, "
    "rewound_from, finished_at, ending_scene, ending_title, ending_tone, zone, score, safety, standards, "
    "trust"
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
DECISION_COLUMNS = DECISION_FIELDS

START_RUN = (
    "INSERT INTO runs (run_id, player_id, player_name, cohort, scenario_id, scenario_title, "
    "started_at, resume_code, rewound_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (run_id) DO NOTHING"
)

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
                    ),
                )
            ]
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

TALLY_SCENARIOS = """
SELECT g.scenario_id, g.runs, g.rewinds, g.finished, r.started_at, r.run_id, r.scenario_title
FROM (
    SELECT scenario_id, COUNT(*) AS runs,
        SUM(CASE WHEN rewound_from IS NULL THEN 0 ELSE 1 END) AS rewinds,
        SUM(CASE WHEN rewound_from IS NULL AND finished_at IS NOT NULL THEN 1 ELSE 0 END) AS finished,
        MIN(started_at) AS first
    FROM runs r WHERE {runs} GROUP BY scenario_id
) AS g
JOIN runs r ON r.scenario_id = g.scenario_id AND r.started_at = g.first
WHERE {runs}
"""

# First decisions are grouped by the meters they led to, later ones by how much they moved them: a choice
# moves the meters by the same amounts (unless the clamp at 0 or 100 cuts it short), so groups are few.
TALLY_CHOICES = """
SELECT d.scenario_id, d.scene_id, d.choice_id,
    CASE WHEN d.before_safety IS NULL THEN d.safety ELSE d.safety - d.before_safety END,
    CASE WHEN d.before_safety IS NULL THEN d.standards ELSE d.standards - d.before_standards END,
    CASE WHEN d.before_safety IS NULL THEN 1 ELSE 0 END,
    COUNT(*), SUM(d.timed_out)
FROM decisions d {join}
WHERE d.counted = 1 AND {decisions}
GROUP BY 1, 2, 3, 4, 5, 6
"""

TALLY_POSITIONS = """
SELECT r.scenario_id, CASE WHEN r.finished_at IS NULL THEN 0 ELSE 1 END,
    CASE WHEN r.finished_at IS NULL THEN r.last_safety ELSE r.safety END,
    CASE WHEN r.finished_at IS NULL THEN r.last_standards ELSE r.standards END,
    CASE WHEN r.finished_at IS NULL THEN r.last_trust ELSE r.trust END,
    COUNT(*)
FROM runs r
WHERE r.rewound_from IS NULL AND (r.finished_at IS NOT NULL OR r.last_seq IS NOT NULL) AND {runs}
GROUP BY 1, 2, 3, 4, 5
"""

# Each ending's count, and the runs that last reached it (several when they started at the same moment:
# the one with the greatest run id is the latest).
TALLY_ENDINGS = """
SELECT g.scenario_id, g.ending_scene, g.reached, r.started_at, r.run_id, r.ending_title, r.ending_tone
FROM (
    SELECT scenario_id, ending_scene, COUNT(*) AS reached, MAX(started_at) AS latest
    FROM runs r WHERE r.rewound_from IS NULL AND r.finished_at IS NOT NULL AND {runs}
    GROUP BY scenario_id, ending_scene
) AS g
JOIN runs r ON r.scenario_id = g.scenario_id AND r.ending_scene = g.ending_scene AND r.started_at = g.latest
WHERE r.rewound_from IS NULL AND r.finished_at IS NOT NULL AND {runs}
"""

COHORTS = """
SELECT r.cohort, COUNT(*), SUM(r.decision_count), SUM(CASE WHEN r.finished_at IS NULL THEN 0 ELSE 1 END)
FROM runs r WHERE {runs} GROUP BY r.cohort
"""

RUNS_NOW = (
    f"SELECT {run_columns('r')}, {_of('d', DECISION_FIELDS)} "
    "FROM runs r LEFT JOIN decisions d ON d.run_id = r.run_id AND d.seq = r.last_seq "
    "WHERE {runs} ORDER BY r.started_at, r.run_id"
)

LATEST_RUNS = (
    "SELECT run_id FROM (SELECT r.run_id FROM runs r WHERE r.scenario_id = ? AND {runs} "
    "ORDER BY r.started_at DESC, r.run_id DESC LIMIT ?) AS latest_{n}"
)


def run_filters(
    cohort: str | None, scenario_id: str | None, leave_out: Collection[str] = (), table: str = "r"
) -> tuple[str, list[Any]]:
    """The condition on `table` for the filters given, and its values: an alias of `runs`, or of
    `decisions`, which carry their run's cohort and scenario."""
    filters = [("cohort", cohort), ("scenario_id", scenario_id)]
    where = [f"{table}.{column} = ?" for column, value in filters if value is not None]
    values: list[Any] = [value for _, value in filters if value is not None]
    if leave_out:
        where.append(f"{table}.cohort NOT IN ({', '.join('?' * len(leave_out))})")
        values.extend(leave_out)
    return " AND ".join(where) or "1 = 1", values


def tally_rows(
    read: Callable[[str, Values], Rows],
    cohort: str | None,
    scenario_id: str | None,
    leave_out: Collection[str] = (),
) -> RoomTally:
    """The room counted by the database behind `read`."""
    runs, values = run_filters(cohort, scenario_id, leave_out)
    first: dict[str, tuple[tuple[str, str], ScenarioTally]] = {}
    for sid, count, rewinds, finished, started_at, run_id, title in read(
        TALLY_SCENARIOS.format(runs=runs), [*values, *values]
    ):
        key = (started_at, run_id)
        if sid not in first or key < first[sid][0]:
            first[sid] = (key, ScenarioTally(sid, title, count, rewinds, finished, key))
    scenarios = tuple(tally for _, tally in sorted(first.values(), key=lambda item: item[0]))

    # Decisions carry their run's cohort and scenario; one cohort's are found through its runs (indexed).
    join = "JOIN runs r ON r.run_id = d.run_id" if cohort is not None else ""
    decisions, choice_values = run_filters(cohort, scenario_id, leave_out, table="r" if join else "d")
    choices = tuple(
        ChoiceTally(sid, scene, choice, bool(first), (safety, standards), decided, timed_out)
        for sid, scene, choice, safety, standards, first, decided, timed_out in read(
            TALLY_CHOICES.format(join=join, decisions=decisions), choice_values
        )
    )
    positions = tuple(
        PositionTally(sid, bool(finished), safety, standards, trust, count)
        for sid, finished, safety, standards, trust, count in read(TALLY_POSITIONS.format(runs=runs), values)
    )
    latest: dict[tuple[str, str], EndingTally] = {}
    for sid, scene, reached, started_at, run_id, title, tone in read(
        TALLY_ENDINGS.format(runs=runs), [*values, *values]
    ):
        if (sid, scene) not in latest or (started_at, run_id) > latest[(sid, scene)].latest:
            latest[(sid, scene)] = EndingTally(sid, scene, title, tone, reached, (started_at, run_id))
    endings = tuple(latest.values())
    return RoomTally(scenarios, choices, positions, endings)


def runs_now_rows(
    read: Callable[[str, Values], Rows], cohort: str | None, scenario_id: str | None, latest: int | None
) -> list[RunNow]:
    runs, values = run_filters(cohort, scenario_id)
    if latest is not None:
        ids = [sid for (sid,) in read(f"SELECT DISTINCT r.scenario_id FROM runs r WHERE {runs}", values)]
        if not ids:
            return []
        chosen = " UNION ALL ".join(LATEST_RUNS.format(runs=runs, n=n) for n in range(len(ids)))
        runs = f"{runs} AND r.run_id IN ({chosen})"
        values = [*values, *(v for sid in ids for v in (sid, *values, latest))]
    found = []
    for row in read(RUNS_NOW.format(runs=runs), values):
        run = run_row(row[:19])
        found.append(RunNow(run, decision_row(row[19:]) if row[19] is not None else None))
    return found


def run_row(row: tuple[Any, ...]) -> RunRow:
    start = RunStart(*row[:9])
    finish = RunFinish(row[0], *row[9:18]) if row[9] is not None else None
    return RunRow(start, finish, row[18])


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

    def _migrate(self) -> None:
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
            f"SELECT {DECISION_COLUMNS} FROM decisions WHERE run_id IN ({marks}) ORDER BY run_id, seq",
            list(run_ids),
        )
        return [decision_row(row) for row in rows]

    def tally(
        self, *, cohort: str | None = None, scenario_id: str | None = None, leave_out: Collection[str] = ()
    ) -> RoomTally:
        return tally_rows(self._read, cohort, scenario_id, leave_out)

    def cohorts(self, *, scenario_id: str | None = None) -> dict[str, tuple[int, int, int]]:
        runs, values = run_filters(None, scenario_id)
        rows = self._read(COHORTS.format(runs=runs), values)
        return {cohort: (runs, decisions, finished) for cohort, runs, decisions, finished in rows}

    def runs_now(
        self, *, cohort: str | None = None, scenario_id: str | None = None, latest: int | None = None
    ) -> list[RunNow]:
        return runs_now_rows(self._read, cohort, scenario_id, latest)
