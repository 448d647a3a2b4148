// The run database schema: frozen, string-named migrations in raw SQL.
//
// A migration, once released, is never edited: a database written by an older build must
// migrate to exactly the schema a fresh database gets (tests check this against the
// committed v1 fixture, fixtures/db/v1.sqlite). New columns and tables go in new migrations.
import GRDB

/// The schema of the run database, and the check that refuses newer databases.
public enum StoreSchema {
    /// The schema version this build writes (`PRAGMA user_version`).
    public static let version = 5

    /// Migration identifiers in order. Frozen: append only.
    public static let migrationIDs = ["v1-runs-trajectories", "v2-count-by-step-index", "v3-lean-rows", "v4-phases-nonfinite-ids",
                                      "v5-token-views"]

    static func makeMigrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(migrationIDs[0]) { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration(migrationIDs[1]) { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration(migrationIDs[2]) { db in
            try db.execute(sql: v3)
        }
        migrator.registerMigration(migrationIDs[3]) { db in
            try db.execute(sql: v4)
        }
        migrator.registerMigration(migrationIDs[4]) { db in
            try db.execute(sql: v5)
        }
        return migrator
    }

    /// The v1 schema. Booleans are 0/1 integers; `*_json` columns hold canonical JSON.
    static let v1 = """
        CREATE TABLE run (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          source TEXT NOT NULL,
          config_json TEXT NOT NULL,
          seed INTEGER,
          code_version TEXT NOT NULL,
          world_digest TEXT,
          created_order INTEGER NOT NULL UNIQUE
        );
        CREATE TABLE step (
          run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
          step INTEGER NOT NULL,
          PRIMARY KEY (run_id, step)
        ) WITHOUT ROWID;
        CREATE TABLE metric (
          run_id INTEGER NOT NULL,
          step INTEGER NOT NULL,
          name TEXT NOT NULL,
          value REAL NOT NULL,
          PRIMARY KEY (run_id, step, name),
          FOREIGN KEY (run_id, step) REFERENCES step(run_id, step) ON DELETE CASCADE
        ) WITHOUT ROWID;
        CREATE TABLE trajectory (
          id INTEGER PRIMARY KEY,
          run_id INTEGER NOT NULL,
          step INTEGER NOT NULL,
          sample_index INTEGER NOT NULL,
          hops INTEGER,
          exact_match INTEGER NOT NULL,
          format_valid INTEGER NOT NULL,
          retrieval_hit INTEGER NOT NULL,
          reward REAL NOT NULL,
          search_count INTEGER NOT NULL,
          valid_action_count INTEGER NOT NULL,
          turn_count INTEGER NOT NULL,
          search_actions INTEGER NOT NULL,
          invalid_actions INTEGER NOT NULL,
          repeated_queries INTEGER NOT NULL,
          answer_retrieved INTEGER NOT NULL,
          searches_after_hit INTEGER NOT NULL,
          status TEXT NOT NULL,
          data_source TEXT NOT NULL,
          question_id TEXT NOT NULL,
          group_id TEXT NOT NULL,
          extracted_answer TEXT,
          golden_answers_json TEXT NOT NULL,
          question TEXT NOT NULL,
          content_digest TEXT NOT NULL,
          provenance_json TEXT,
          FOREIGN KEY (run_id, step) REFERENCES step(run_id, step) ON DELETE CASCADE,
          UNIQUE (run_id, step, question_id, sample_index)
        );
        CREATE TABLE trajectory_text (
          trajectory_id INTEGER PRIMARY KEY REFERENCES trajectory(id) ON DELETE CASCADE,
          prompt TEXT NOT NULL,
          trailing TEXT NOT NULL,
          canonical_json TEXT NOT NULL
        );
        CREATE INDEX trajectory_by_run_question ON trajectory(run_id, question_id);
        CREATE INDEX trajectory_by_run_group ON trajectory(run_id, group_id, step);
        CREATE INDEX trajectory_by_group ON trajectory(group_id);
        CREATE TABLE turn (
          trajectory_id INTEGER NOT NULL REFERENCES trajectory(id) ON DELETE CASCADE,
          turn_index INTEGER NOT NULL,
          raw_generation TEXT NOT NULL,
          text TEXT NOT NULL,
          action_kind TEXT NOT NULL,
          action_content TEXT,
          observation_kind TEXT,
          observation_text TEXT,
          observation_truncated INTEGER NOT NULL,
          generated_tokens INTEGER,
          kept_tokens INTEGER,
          observation_tokens INTEGER,
          malformations_json TEXT NOT NULL,
          PRIMARY KEY (trajectory_id, turn_index)
        ) WITHOUT ROWID;
        CREATE TABLE retrieved_document (
          trajectory_id INTEGER NOT NULL,
          turn_index INTEGER NOT NULL,
          rank INTEGER NOT NULL,
          doc_id TEXT,
          title TEXT NOT NULL,
          text TEXT NOT NULL,
          score REAL,
          PRIMARY KEY (trajectory_id, turn_index, rank),
          FOREIGN KEY (trajectory_id, turn_index) REFERENCES turn(trajectory_id, turn_index) ON DELETE CASCADE
        ) WITHOUT ROWID;
        CREATE TABLE retrieval_log (
          id INTEGER PRIMARY KEY,
          run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
          step INTEGER,
          engine_fingerprint TEXT NOT NULL,
          query TEXT NOT NULL,
          top_k INTEGER NOT NULL,
          hits_json TEXT NOT NULL
        );
        CREATE INDEX retrieval_log_by_query ON retrieval_log(run_id, engine_fingerprint, query, top_k);
        CREATE TABLE checkpoint (
          run_id INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
          step INTEGER NOT NULL,
          path TEXT NOT NULL,
          digest TEXT NOT NULL,
          PRIMARY KEY (run_id, step)
        ) WITHOUT ROWID;
        PRAGMA user_version = 1;
        """

    /// v2: a covering index in `count --by step` order. The per-step count then reads only
    /// this index, already grouped by (run, step, searches), instead of looking every row up
    /// in the table and sorting (about half the CPU on a million trajectories).
    static let v2 = """
        CREATE INDEX trajectory_count_by_step ON trajectory(run_id, step, search_count, exact_match, reward,
          search_actions, invalid_actions, repeated_queries, searches_after_hit, answer_retrieved, turn_count,
          status, valid_action_count);
        PRAGMA user_version = 2;
        """

    /// v3: each text stored once. A trajectory's rows (`trajectory`, `trajectory_text`, `turn`,
    /// `retrieved_document`) now rebuild it exactly, so `canonical_json` is kept only for
    /// the rare trajectory they cannot (see ``PreparedTrajectory``) and is NULL otherwise;
    /// `turn.raw_generation` is NULL when it equals `text`, and `turn.observation_text` is
    /// NULL for an information block that is exactly what Search-R1 renders from the turn's
    /// documents; `trajectory_text.malformations_json` is new (NULL: none).
    /// Rows stored before v3 keep their texts and JSON: a non-NULL
    /// value always wins, so they read back as before. SQLite cannot relax NOT NULL in place,
    /// hence the copy-and-rename of the two tables. `trajectory_by_group` goes: a group is
    /// found through `trajectory_by_run_group` run by run (there are few runs), and each
    /// index whose keys are spread over the questions dirties thousands of pages per batch.
    static let v3 = """
        CREATE TABLE trajectory_text_v3 (
          trajectory_id INTEGER PRIMARY KEY REFERENCES trajectory(id) ON DELETE CASCADE,
          prompt TEXT NOT NULL,
          trailing TEXT NOT NULL,
          malformations_json TEXT,
          canonical_json TEXT
        );
        INSERT INTO trajectory_text_v3 (trajectory_id, prompt, trailing, malformations_json, canonical_json)
          SELECT trajectory_id, prompt, trailing,
            CASE WHEN json_valid(canonical_json) THEN NULLIF(json_extract(canonical_json, '$.malformations'), '[]') END,
            canonical_json FROM trajectory_text;
        DROP TABLE trajectory_text;
        ALTER TABLE trajectory_text_v3 RENAME TO trajectory_text;
        CREATE TABLE turn_v3 (
          trajectory_id INTEGER NOT NULL REFERENCES trajectory(id) ON DELETE CASCADE,
          turn_index INTEGER NOT NULL,
          raw_generation TEXT,
          text TEXT NOT NULL,
          action_kind TEXT NOT NULL,
          action_content TEXT,
          observation_kind TEXT,
          observation_text TEXT,
          observation_truncated INTEGER NOT NULL,
          generated_tokens INTEGER,
          kept_tokens INTEGER,
          observation_tokens INTEGER,
          malformations_json TEXT NOT NULL,
          PRIMARY KEY (trajectory_id, turn_index)
        ) WITHOUT ROWID;
        INSERT INTO turn_v3 SELECT trajectory_id, turn_index, raw_generation, text, action_kind, action_content,
          observation_kind, observation_text, observation_truncated, generated_tokens, kept_tokens,
          observation_tokens, malformations_json FROM turn;
        DROP TABLE turn;
        ALTER TABLE turn_v3 RENAME TO turn;
        DROP INDEX trajectory_by_group;
        PRAGMA user_version = 3;
        """

    /// v4, three additions that keep a run's record whole and honest:
    /// - `retrieval_log.phase`: `rollout` for the calls of a step's training rollouts (what
    ///   replay answers from), `validation` for the calls of the validation that ran in the
    ///   same step. Rows written before v4 were rollout calls.
    /// - `metric_nonfinite`: a metric whose value was NaN or ±∞ (a diverged run), as text
    ///   (`nan`, `inf`, `-inf`). `metric.value` stays a finite REAL, so every reader of
    ///   `metric` keeps working; such a metric has a row here instead.
    /// - `id_high_water`: the largest id ever given in a table whose rows a resume deletes,
    ///   so a deleted trajectory's public `#id` is never handed out again.
    static let v4 = """
        ALTER TABLE retrieval_log ADD COLUMN phase TEXT NOT NULL DEFAULT 'rollout';
        CREATE TABLE metric_nonfinite (
          run_id INTEGER NOT NULL,
          step INTEGER NOT NULL,
          name TEXT NOT NULL,
          value TEXT NOT NULL CHECK (value IN ('nan', 'inf', '-inf')),
          PRIMARY KEY (run_id, step, name),
          FOREIGN KEY (run_id, step) REFERENCES step(run_id, step) ON DELETE CASCADE
        ) WITHOUT ROWID;
        CREATE TABLE id_high_water (
          table_name TEXT PRIMARY KEY,
          high INTEGER NOT NULL
        ) WITHOUT ROWID;
        PRAGMA user_version = 4;
        """

    /// v5, `token_view`: each trained trajectory's response tokens as the update saw them —
    /// byte lengths (uint16), log-probabilities under the sampling policy (float32, NaN where
    /// not scored) and the loss mask (one byte each), little-endian blobs, one row a trajectory.
    static let v5 = """
        CREATE TABLE token_view (
          trajectory_id INTEGER PRIMARY KEY REFERENCES trajectory(id) ON DELETE CASCADE,
          token_count INTEGER NOT NULL,
          byte_lengths BLOB NOT NULL,
          log_probs BLOB NOT NULL,
          trained BLOB NOT NULL
        );
        PRAGMA user_version = 5;
        """
}
