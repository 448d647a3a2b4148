// A SQLite file of retrieval calls: what each engine answered to each query.
import Foundation
import GRDB
import SearchLabCore

/// One recorded call: a query, the `topK` it was sent with, and the ranked answer.
public struct RecordedCall: Hashable, Sendable {
    public var query: String
    public var topK: Int
    public var hits: [SearchHit]

    public init(query: String, topK: Int, hits: [SearchHit]) {
        self.query = query
        self.topK = topK
        self.hits = hits
    }
}

/// A retrieval log: every call keyed by (engine fingerprint, query text exactly as sent,
/// top-k), with its ranked results (id, contents, score, rank).
///
/// The file is opened in WAL mode, so readers and the single writer never block each
/// other and concurrent requests of a server can record safely. A key is recorded once:
/// the first answer stays, so replays are stable even if a live engine is not.
public final class RetrievalLog: Sendable {
    /// The file, as the user named it.
    public let path: String
    let pool: DatabasePool

    /// Opens the log at `path`.
    /// - Parameter create: make a new, empty log if the file does not exist (for recording);
    ///   when `false` a missing file is an error (for replaying).
    /// - Throws: ``SearchLabError`` when the file is missing, is not SQLite, or is a SQLite
    ///   file of something other than a retrieval log (or of a newer SearchLab).
    public init(path: String, create: Bool) throws {
        self.path = path
        if !create && !FileManager.default.fileExists(atPath: path) {
            throw SearchLabError("\(path): the retrieval log does not exist")
        }
        do {
            pool = try DatabasePool(path: path)
            try pool.read { db in try RetrievalLog.checkIsRetrievalLog(db, path: path) }
            try RetrievalLogSchema.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw SearchLabError("\(path): not a usable retrieval log (\(error.message ?? error.description))")
        }
    }

    /// Refuses a SQLite file that has tables but not ours, or migrations newer than ours;
    /// an empty file is fine (it is about to become a log).
    static func checkIsRetrievalLog(_ db: Database, path: String) throws {
        let migrator = RetrievalLogSchema.migrator
        let hasTables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") ?? 0
        if hasTables > 0 {
            let applied = try db.tableExists("grdb_migrations") ? try migrator.appliedIdentifiers(db) : []
            guard applied.contains(RetrievalLogSchema.firstMigration) else {
                throw SearchLabError("\(path): this SQLite file is not a retrieval log")
            }
            guard try !migrator.hasBeenSuperseded(db) else {
                throw SearchLabError("\(path): the retrieval log was written by a newer SearchLab")
            }
        }
    }

    /// Records `calls` answered by the engine with `fingerprint`, in one transaction.
    /// Calls whose key is already in the log are left as they are.
    public func record(fingerprint: String, calls: [RecordedCall]) throws {
        try pool.write { db in
            let engineID = try RetrievalLog.engineID(db, fingerprint: fingerprint)
            let insertCall = try db.cachedStatement(sql: """
                INSERT INTO call (engine_id, query, topk, result_count) VALUES (?, ?, ?, ?)
                ON CONFLICT (engine_id, query, topk) DO NOTHING
                """)
            let insertResult = try db.cachedStatement(sql: """
                INSERT INTO result (call_id, rank, doc_id, contents, score) VALUES (?, ?, ?, ?, ?)
                """)
            for call in calls {
                try insertCall.execute(arguments: [engineID, call.query, call.topK, call.hits.count])
                guard db.changesCount == 1 else { continue }
                let callID = db.lastInsertedRowID
                for (index, hit) in call.hits.enumerated() {
                    try insertResult.execute(arguments: [callID, index + 1, hit.document.id, hit.document.contents, hit.score])
                }
            }
        }
    }

    /// The recorded answer for each query (in order), `nil` where none is recorded.
    public func lookup(fingerprint: String, queries: [String], topK: Int) throws -> [[SearchHit]?] {
        try pool.read { db in
            guard let engineID = try Int64.fetchOne(db, sql: "SELECT id FROM engine WHERE fingerprint = ?",
                                                    arguments: [fingerprint]) else {
                return queries.map { _ in nil }
            }
            let findCall = try db.cachedStatement(sql: "SELECT id FROM call WHERE engine_id = ? AND query = ? AND topk = ?")
            let results = try db.cachedStatement(sql: "SELECT doc_id, contents, score FROM result WHERE call_id = ? ORDER BY rank")
            return try queries.map { query -> [SearchHit]? in
                guard let callID = try Int64.fetchOne(findCall, arguments: [engineID, query, topK]) else { return nil }
                return try Row.fetchAll(results, arguments: [callID]).map { row in
                    SearchHit(document: CorpusDocument(id: row[0], contents: row[1]), score: row[2])
                }
            }
        }
    }

    /// Fingerprints of the engines recorded in the log, in the order they first answered.
    public func fingerprints() throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "SELECT fingerprint FROM engine ORDER BY id") }
    }

    /// How many calls are recorded.
    public func callCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM call") ?? 0 }
    }

    static func engineID(_ db: Database, fingerprint: String) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM engine WHERE fingerprint = ?", arguments: [fingerprint]) {
            return id
        }
        // Fingerprints SearchLab writes are split into their parts; any other string is
        // kept whole as the name, so engines outside SearchLab can be recorded too.
        let parts = EngineFingerprint(parsing: fingerprint)
        let parameters = try CanonicalJSON.string(parts?.parameters ?? [:])
        try db.execute(sql: "INSERT INTO engine (fingerprint, name, index_digest, parameters) VALUES (?, ?, ?, ?)",
                       arguments: [fingerprint, parts?.engine ?? fingerprint, parts?.indexDigest, parameters])
        return db.lastInsertedRowID
    }
}
