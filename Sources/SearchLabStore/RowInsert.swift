// An INSERT of the import hot path, bound and stepped through SQLite's C API.
//
// GRDB's `execute(arguments:)` boxes every value in an existential, builds an argument
// array and checks it against the statement on each call: a third of the write time for
// rows of a dozen short columns. Here each value is bound in place, in column order, and
// the statement stepped and reset. Values are still bound, never interpolated.
import GRDB
import GRDBSQLite
import SearchLabCore

/// A prepared INSERT bound value by value; call ``run()`` after binding every parameter.
final class RowInsert {
    private let statement: Statement
    private let handle: OpaquePointer
    private let connection: OpaquePointer?
    private var position: Int32 = 0
    /// The bytes of the texts bound since the last run.
    private let texts = TextArena()

    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
        handle = statement.sqliteStatement
        connection = db.sqliteConnection
    }

    func bind(_ value: Int64) { position += 1; sqlite3_bind_int64(handle, position, value) }
    func bind(_ value: Int) { bind(Int64(value)) }
    func bind(_ value: Bool) { bind(Int64(value ? 1 : 0)) }
    func bind(_ value: Double) { position += 1; sqlite3_bind_double(handle, position, value) }

    func bind(_ value: String) {
        position += 1
        var text = value
        text.withUTF8 { bytes in
            // SQLITE_STATIC: SQLite reads the bytes in place until the statement has run,
            // so they are copied into `texts`, which keeps them until then (SQLITE_TRANSIENT
            // would have SQLite malloc and free a copy of every value).
            let pointer = texts.store(bytes)
            _ = sqlite3_bind_text(handle, position, pointer, Int32(bytes.count), nil)  // nil: SQLITE_STATIC
        }
    }

    func bind(_ value: Int?) { if let value { bind(value) } else { bindNull() } }
    func bind(_ value: Double?) { if let value { bind(value) } else { bindNull() } }
    func bind(_ value: String?) { if let value { bind(value) } else { bindNull() } }
    func bindNull() { position += 1; sqlite3_bind_null(handle, position) }

    /// Executes the statement with the values bound since the last run.
    /// - Throws: `DatabaseError` with SQLite's extended result code (e.g. a UNIQUE violation).
    /// - Throws: ``SearchLabError`` when not every parameter was bound since the last run
    ///   (SQLite would store NULL for the rest, or a value meant for another column).
    func run() throws {
        let bound = position
        position = 0
        defer { texts.reset() }
        let expected = sqlite3_bind_parameter_count(handle)
        guard bound == expected else {
            sqlite3_clear_bindings(handle)
            throw SearchLabError("internal error: \(bound) of the \(expected) values of `\(statement.sql.prefix(60))…` were bound; nothing was stored")
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            let error = DatabaseError(resultCode: ResultCode(rawValue: code),
                                      message: connection.map { String(cString: sqlite3_errmsg($0)) }, sql: statement.sql)
            sqlite3_reset(handle)
            throw error
        }
        sqlite3_reset(handle)
    }
}

/// An INSERT of many rows per statement (`VALUES (…), (…), …`), prepared once per row count.
///
/// Each `sqlite3_step` of a one-row INSERT sets up the whole program again: it opens a
/// cursor on the table and on every index, and checks each foreign key. A statement of up
/// to ``maxRows`` rows does that once for all of them.
///
/// `OR FAIL`: a constraint error stops the statement without undoing its earlier rows, so
/// SQLite keeps no statement journal (with the default `ABORT` it copies every page a
/// statement touches before changing it: as much work again as the insert). Callers roll
/// the whole transaction back on any error, so nothing partial is ever committed.
final class MultiRowInsert {
    /// `INSERT INTO table (columns) VALUES `.
    private let head: String
    private let row: String
    private let maxRows: Int
    private var byRowCount: [Int: RowInsert] = [:]

    init(table: String, columns: [String], maxRows: Int) {
        head = "INSERT OR FAIL INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        self.maxRows = maxRows
    }

    /// Inserts `rows` rows, `maxRows` per statement; `bind(statement, r)` binds row `r`'s
    /// values in column order.
    /// - Throws: `DatabaseError` from SQLite. The failing statement's earlier rows stay until
    ///   the caller's transaction rolls back (`OR FAIL`, above).
    func run(_ db: Database, rows: Int, bind: (RowInsert, Int) -> Void) throws {
        var start = 0
        while start < rows {
            let count = min(maxRows, rows - start)
            let statement = try self.statement(db, rows: count)
            for r in start..<(start + count) { bind(statement, r) }
            try statement.run()
            start += count
        }
    }

    private func statement(_ db: Database, rows: Int) throws -> RowInsert {
        if let statement = byRowCount[rows] { return statement }
        let statement = try RowInsert(db, sql: head + Array(repeating: row, count: rows).joined(separator: ", "))
        byRowCount[rows] = statement
        return statement
    }
}

/// Bytes that must stay put until a statement has run: blocks of 64 KiB, filled in order and
/// reused after ``reset()``, so binding a text costs a copy and no allocation.
final class TextArena {
    private static let blockSize = 1 << 16
    private var blocks: [UnsafeMutablePointer<CChar>] = []
    /// Texts larger than a block, freed on reset.
    private var large: [UnsafeMutablePointer<CChar>] = []
    private var block = 0
    private var used = 0

    /// A copy of `bytes` (never a NULL pointer: an empty text still binds as text, not NULL).
    func store(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeMutablePointer<CChar> {
        let count = bytes.count
        guard count <= Self.blockSize else {
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: count)
            copy.withMemoryRebound(to: UInt8.self, capacity: count) { _ = UnsafeMutableBufferPointer(start: $0, count: count).initialize(from: bytes) }
            large.append(copy)
            return copy
        }
        if block < blocks.count && used + count > Self.blockSize { (block, used) = (block + 1, 0) }
        if block == blocks.count { blocks.append(.allocate(capacity: Self.blockSize)) }
        let at = blocks[block] + used
        if let base = bytes.baseAddress { UnsafeMutableRawPointer(at).copyMemory(from: base, byteCount: count) }
        used += count
        return at
    }

    /// Makes every block free again (call once the statement that used them has run).
    func reset() {
        (block, used) = (0, 0)
        for pointer in large { pointer.deallocate() }
        large.removeAll(keepingCapacity: true)
    }

    deinit {
        for pointer in blocks + large { pointer.deallocate() }
    }
}
