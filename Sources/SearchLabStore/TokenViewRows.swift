// `token_view` rows: a trained trajectory's per-token view as three little-endian blobs.
import Foundation
import GRDB
import SearchLabCore

enum TokenViewRows {
    static func insert(_ view: TokenView, trajectoryID: Int64, _ db: Database) throws {
        var lengths = Data(capacity: 2 * view.count), logProbs = Data(capacity: 4 * view.count)
        for length in view.byteLengths {
            // A token is a few bytes; a longer one would be a tokenizer bug, not data to keep.
            precondition(length >= 0 && length <= Int(UInt16.max), "a token of \(length) bytes")
            withUnsafeBytes(of: UInt16(length).littleEndian) { lengths.append(contentsOf: $0) }
        }
        for value in view.logProbs { withUnsafeBytes(of: value.bitPattern.littleEndian) { logProbs.append(contentsOf: $0) } }
        try db.execute(sql: """
            INSERT INTO token_view (trajectory_id, token_count, byte_lengths, log_probs, trained) VALUES (?, ?, ?, ?, ?)
            """, arguments: [trajectoryID, view.count, lengths, logProbs, Data(view.trained.map { $0 ? 1 : 0 })])
    }

    static func read(trajectoryID: Int64, _ db: Database, path: String) throws -> TokenView? {
        guard let row = try Row.fetchOne(db, sql: "SELECT token_count, byte_lengths, log_probs, trained FROM token_view WHERE trajectory_id = ?",
                                         arguments: [trajectoryID]) else { return nil }
        let count: Int = row["token_count"]
        let lengths: Data = row["byte_lengths"], logProbs: Data = row["log_probs"], trained: Data = row["trained"]
        guard lengths.count == 2 * count, logProbs.count == 4 * count, trained.count == count else {
            throw LocatedError(file: path, line: nil, message: "token_view of trajectory #\(trajectoryID) has blobs of the wrong size; the database is damaged")
        }
        let l = Array(lengths), p = Array(logProbs)
        return TokenView(
            byteLengths: (0..<count).map { Int(UInt16(l[2 * $0]) | UInt16(l[2 * $0 + 1]) << 8) },
            logProbs: (0..<count).map { i in
                Float(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(p[4 * i + $1]) << (8 * UInt32($1)) })
            },
            trained: trained.map { $0 != 0 })
    }
}

extension RunStore {
    /// The token view the update stored for a trajectory; nil for one it did not train on
    /// (eval and imported trajectories, runs before schema v5).
    public func tokenView(trajectoryID: Int64) throws -> TokenView? {
        try read { db in try TokenViewRows.read(trajectoryID: trajectoryID, db, path: path) }
    }
}
