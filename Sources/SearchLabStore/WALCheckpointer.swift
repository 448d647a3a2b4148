// Checkpointing the WAL of a bulk import on a second connection, off the writing thread.
//
// A commit normally copies the WAL back into the database file itself once the WAL passes
// 1,000 pages: for a batch of 50,000 trajectories that is ~60 MB copied and synced by the
// writer, about a fifth of its time. A PASSIVE checkpoint on another connection runs beside
// the writer (SQLite lets one checkpointer and one writer work at once: the writer appends
// frames while the checkpointer copies the committed ones).
import Dispatch
import GRDB

final class WALCheckpointer: @unchecked Sendable {
    private let path: String
    private let configuration: Configuration
    private let queue = DispatchQueue(label: "searchlab.wal-checkpoint")
    /// Opened on first use, touched only on `queue`.
    private var connection: DatabaseQueue?

    init(path: String, configuration: Configuration) {
        self.path = path
        self.configuration = configuration
    }

    /// Starts a checkpoint in the background. A failure is harmless here (the frames stay in
    /// the WAL, and ``finish()`` or the next open checkpoints them) and surfaces in `finish`.
    func request() {
        queue.async { try? self.checkpoint() }
    }

    /// Waits for requested checkpoints, then checkpoints once more and reports its error.
    func finish() throws {
        try queue.sync { try checkpoint() }
    }

    private func checkpoint() throws {
        if connection == nil { connection = try DatabaseQueue(path: path, configuration: configuration) }
        try connection!.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
    }
}
