"""The results store's versioned schema: migrations in order, in SQL that SQLite and PostgreSQL both run."""

from __future__ import annotations

# The columns derived from others, for rows that were written without them (by schema 1, or in bulk):
# - runs.decision_count: how many decisions the run has; it changes with every one written, so the
#   runs of a cohort, their decisions and their finishes, counted, tell whether anything has changed;
# - runs.last_seq, .last_safety, .last_standards, .last_trust: the run's last decision (by seq), its seq
#   and meters (None before its first decision);
# - decisions.cohort, .scenario_id and .counted: the run's cohort and scenario, and 1 unless the run is
#   a rewind;
# - decisions.before_safety and .before_standards: the meters of the run's previous decision (by seq),
#   None for its first. The store keeps them true on every write (`game.store.sql`), in any order.
DERIVED: tuple[str, ...] = (
    "UPDATE runs SET decision_count = (SELECT COUNT(*) FROM decisions d WHERE d.run_id = runs.run_id)",
    """UPDATE runs SET (last_seq, last_safety, last_standards, last_trust) = (
        SELECT d.seq, d.safety, d.standards, d.trust FROM decisions d
        WHERE d.run_id = runs.run_id ORDER BY d.seq DESC LIMIT 1)""",
    """UPDATE decisions SET
        cohort = (SELECT r.cohort FROM runs r WHERE r.run_id = decisions.run_id),
        scenario_id = (SELECT r.scenario_id FROM runs r WHERE r.run_id = decisions.run_id),
        counted = (SELECT CASE WHEN r.rewound_from IS NULL THEN 1 ELSE 0 END
                   FROM runs r WHERE r.run_id = decisions.run_id),
        before_safety = (SELECT p.safety FROM decisions p
                         WHERE p.run_id = decisions.run_id AND p.seq < decisions.seq
                         ORDER BY p.seq DESC LIMIT 1),
        before_standards = (SELECT p.standards FROM decisions p
                            WHERE p.run_id = decisions.run_id AND p.seq < decisions.seq
                            ORDER BY p.seq DESC LIMIT 1)""",
)

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
    # 2: what the room report counts, kept beside the rows it comes from so that reading a whole store's
    # room is a few GROUP BYs (no window over every decision, no join of every decision to its run).
    (
        "ALTER TABLE runs ADD COLUMN decision_count INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE runs ADD COLUMN last_seq INTEGER",
        "ALTER TABLE runs ADD COLUMN last_safety INTEGER",
        "ALTER TABLE runs ADD COLUMN last_standards INTEGER",
        "ALTER TABLE runs ADD COLUMN last_trust INTEGER",
        "ALTER TABLE decisions ADD COLUMN cohort TEXT",
        "ALTER TABLE decisions ADD COLUMN scenario_id TEXT",
        "ALTER TABLE decisions ADD COLUMN counted INTEGER",
        "ALTER TABLE decisions ADD COLUMN before_safety INTEGER",
        "ALTER TABLE decisions ADD COLUMN before_standards INTEGER",
        *DERIVED,
        "CREATE INDEX runs_by_scenario ON runs (scenario_id, started_at, run_id)",
        # Covers the room's splits and talking points (`game.store.sql.TALLY_CHOICES`): read from the
        # index alone, they need not touch the decisions' rows.
        "CREATE INDEX decisions_by_choice ON decisions (counted, scenario_id, scene_id, choice_id, "
        "before_safety, safety, before_standards, standards, timed_out)",
    ),
    # 3: the same by cohort, so that some cohorts' decisions (those that have changed since the dashboard
    # last counted them, or a range of the room's) are counted from the index alone too.
    (
        "DROP INDEX decisions_by_choice",
        "CREATE INDEX decisions_by_cohort ON decisions (counted, cohort, scenario_id, scene_id, choice_id, "
        "before_safety, safety, before_standards, standards, timed_out)",
    ),
    # 4: whether the player chose to be on the room's leaderboard (`tightrope serve --leaderboard`);
    # nobody is, unless they say so.
    ("ALTER TABLE runs ADD COLUMN listed INTEGER NOT NULL DEFAULT 0",),
)

LATEST = len(MIGRATIONS)
