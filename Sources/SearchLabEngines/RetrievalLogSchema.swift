// The retrieval log's schema. Migrations are frozen: once released, a migration's name
// and SQL never change; a schema change is a new migration appended below.
import GRDB

/// The SQLite schema of a retrieval log (documented in docs/retrieval-log.md).
enum RetrievalLogSchema {
    /// The first migration; its identifier also marks a file as a retrieval log.
    static let firstMigration = "retrieval-log-v1"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(firstMigration) { db in
            // One row per engine configuration that answered (its fingerprint split into parts).
            try db.execute(sql: """
                CREATE TABLE engine (
                    id INTEGER PRIMARY KEY,
                    fingerprint TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    index_digest TEXT,
                    parameters TEXT NOT NULL
                );
                CREATE TABLE call (
                    id INTEGER PRIMARY KEY,
                    engine_id INTEGER NOT NULL REFERENCES engine(id),
                    query TEXT NOT NULL,
                    topk INTEGER NOT NULL,
                    result_count INTEGER NOT NULL,
                    UNIQUE (engine_id, query, topk)
                );
                CREATE TABLE result (
                    call_id INTEGER NOT NULL REFERENCES call(id),
                    rank INTEGER NOT NULL,
                    doc_id TEXT NOT NULL,
                    contents TEXT NOT NULL,
                    score REAL NOT NULL,
                    PRIMARY KEY (call_id, rank)
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }
}
