// An INSERT of the import hot path, bound and stepped through SQLite's C API.
//
// GRDB's `execute(arguments:)` boxes every value in an existential, builds an argument
// array and checks it against the statement on each call: a third of the write time for
// rows of a dozen short columns. Here each value is bound in place, in column order, and
// the statement stepped and reset. Values are still bound, never interpolated.
import GRDB
import GRDBSQLite

/// A prepared INSERT bound value by value; call ``run()`` after binding every parameter.
final class RowInsert {
    private let statement: Statement
    private let handle: OpaquePointer
    private let connection: OpaquePointer?
    private var position: Int32 = 0

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
            // An empty buffer may have no address, and a NULL pointer would bind SQL NULL.
            let pointer = bytes.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(Self.empty)
            _ = sqlite3_bind_text(handle, position, pointer.assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient)
        }
    }

    func bind(_ value: Int?) { if let value { bind(value) } else { bindNull() } }
    func bind(_ value: Double?) { if let value { bind(value) } else { bindNull() } }
    func bind(_ value: String?) { if let value { bind(value) } else { bindNull() } }
    func bindNull() { position += 1; sqlite3_bind_null(handle, position) }

    /// Executes the statement with the values bound since the last run.
    /// - Throws: `DatabaseError` with SQLite's extended result code (e.g. a UNIQUE violation).
    func run() throws {
        position = 0
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            let error = DatabaseError(resultCode: ResultCode(rawValue: code),
                                      message: connection.map { String(cString: sqlite3_errmsg($0)) }, sql: statement.sql)
            sqlite3_reset(handle)
            throw error
        }
        sqlite3_reset(handle)
    }

    /// SQLite copies each text before `bind` returns (the Swift buffer is only borrowed).
    nonisolated(unsafe) private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
    nonisolated(unsafe) private static let empty: UnsafeMutablePointer<CChar> = {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return pointer
    }()
}
