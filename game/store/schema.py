"""The results store's versioned schema: migrations in order, in SQL that SQLite and PostgreSQL both run."""

from __future__ import annotations

# Each entry moves the schema from version N to N + 1. Never edit a released entry: add another.
# (One portability fix was made in place: `decisions.seconds` said REAL, which is 4 bytes in PostgreSQL
# but 8 in SQLite. DOUBLE PRECISION is 8 bytes in both, and SQLite gives both names the same REAL
# affinity, so a store already at version 1 stores and reads exactly what a new one does.)
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE runs (
            run_id TEXT PRIMARY KEY,
            player_id TEXT NOT NULL,
            player_name TEXT NOT NULL,
            cohort TEXT NOT NULL,
            scenario_id TEXT NOT NULL,
            scenario_title TEXT NOT NULL,
            started_at TEXT NOT NULL,
            resume_code TEXT NOT NULL UNIQUE,
            rewound_from TEXT,
            finished_at TEXT,
            ending_scene TEXT,
            ending_title TEXT,
            ending_tone TEXT,
            zone TEXT,
            score INTEGER,
            safety INTEGER,
            standards INTEGER,
            trust INTEGER
        )""",
        "CREATE INDEX runs_by_cohort ON runs (cohort, scenario_id)",
        "CREATE INDEX runs_by_player ON runs (player_id)",
        """CREATE TABLE decisions (
            run_id TEXT NOT NULL REFERENCES runs (run_id),
            seq INTEGER NOT NULL,
            scene_id TEXT NOT NULL,
            choice_id TEXT NOT NULL,
            timed_out INTEGER NOT NULL,
            seconds DOUBLE PRECISION,
            safety INTEGER NOT NULL,
            standards INTEGER NOT NULL,
            trust INTEGER NOT NULL,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (run_id, seq)
        )""",
    ),
)

LATEST = len(MIGRATIONS)
