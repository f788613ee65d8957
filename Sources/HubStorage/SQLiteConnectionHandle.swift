import Foundation
import HubProtocol
// The SQLite library that sqlite-nio vendors (its `VaporCSQLite` module, every symbol
// prefixed `sqlite_nio_`). We call it directly: sqlite-nio runs each statement as a
// separate job on its thread pool and prepares it anew each time, and those thread hops
// and parses were most of the hub's CPU per request (see docs/benchmarks.md). One build
// of SQLite in the process, the one sqlite-nio keeps up to date.
import VaporCSQLite

/// One SQLite connection used synchronously, with a cache of prepared statements.
///
/// Not thread-safe by itself: `SQLiteDatabase` calls it only while holding its lock, so
/// no two calls overlap (the connection is also opened in serialized mode, as a guard).
/// Statements are fast CPU work on pages in memory and run on the caller's thread; the
/// calls that can wait — `BEGIN IMMEDIATE` on another process's lock, `COMMIT`'s fsync,
/// a plain write's commit — are sent to `SQLiteDatabase`'s own thread instead.
final class SQLiteConnectionHandle: @unchecked Sendable {
    private var db: OpaquePointer?
    /// Prepared statements by SQL text, reused (reset and unbound) after each run.
    private var statements: [String: OpaquePointer] = [:]
    /// The most statements kept; past it the cache is emptied (SQL built with a varying
    /// number of `?` would otherwise grow it without end).
    static let cacheLimit = 256

    /// The result code of the last failure, for error mapping and the debug log.
    struct Failure: Error {
        var code: Int32
        var extended: Int32
        var message: String
        var primary: Int32 { extended & 0xff }
    }

    init(path: String) throws(Failure) {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_EXRESCODE
        let rc = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let failure = Failure(code: rc, extended: rc, message: handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "open failed")
            if let handle { sqlite_nio_sqlite3_close_v2(handle) }
            throw failure
        }
        db = handle
    }

    deinit { close() }

    func close() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        statements.removeAll()
        if let db { sqlite_nio_sqlite3_close_v2(db) }
        db = nil
    }

    var isOpen: Bool { db != nil }

    /// Runs `sql` (one statement, or several separated by `;` without binds) and returns
    /// its rows and how many rows it changed (0 for a statement that changes nothing).
    func run(_ sql: String, _ binds: [DatabaseValue]) throws(Failure) -> (rows: [DatabaseRow], changed: Int) {
        guard let db else { throw Failure(code: SQLITE_MISUSE, extended: SQLITE_MISUSE, message: "closed") }
        let before = sqlite_nio_sqlite3_total_changes64(db)
        let statement = try prepared(sql, on: db)
        defer {
            sqlite_nio_sqlite3_reset(statement.handle)
            sqlite_nio_sqlite3_clear_bindings(statement.handle)
            if !statement.cached { sqlite_nio_sqlite3_finalize(statement.handle) }
        }
        try bind(binds, to: statement.handle, on: db)
        var rows: [DatabaseRow] = []
        var columns: [String]?
        while true {
            let rc = sqlite_nio_sqlite3_step(statement.handle)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw failure(rc, on: db) }
            let names = columns ?? Self.columnNames(statement.handle)
            columns = names
            var values: [DatabaseValue] = []
            values.reserveCapacity(names.count)
            for i in 0..<Int32(names.count) { values.append(Self.value(statement.handle, i)) }
            rows.append(DatabaseRow(columns: names, values: values))
        }
        if let tail = statement.tail {
            // A script (migrations split their own statements; this is a fallback): the rest in turn.
            return (rows, try run(tail, []).changed)
        }
        let after = sqlite_nio_sqlite3_total_changes64(db)
        return (rows, after != before ? Int(sqlite_nio_sqlite3_changes64(db)) : 0)
    }

    private struct Prepared {
        var handle: OpaquePointer
        var cached: Bool
        /// What followed the first statement, when it was not only white space.
        var tail: String?
    }

    private func prepared(_ sql: String, on db: OpaquePointer) throws(Failure) -> Prepared {
        if let cached = statements[sql] { return Prepared(handle: cached, cached: true, tail: nil) }
        var handle: OpaquePointer?
        var tail: String?
        let rc = sql.withCString { text -> Int32 in
            var rest: UnsafePointer<CChar>?
            let rc = sqlite_nio_sqlite3_prepare_v3(db, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, &rest)
            if rc == SQLITE_OK, let rest {
                let remainder = String(cString: rest)
                if !remainder.allSatisfy({ $0.isWhitespace || $0 == ";" }) { tail = remainder }
            }
            return rc
        }
        guard rc == SQLITE_OK, let handle else {
            if rc == SQLITE_OK { // only white space or a comment: nothing to run
                return try prepared("SELECT 1 WHERE 0", on: db)
            }
            throw failure(rc, on: db)
        }
        if tail != nil { return Prepared(handle: handle, cached: false, tail: tail) }
        if statements.count >= Self.cacheLimit {
            for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
            statements.removeAll()
        }
        statements[sql] = handle
        return Prepared(handle: handle, cached: true, tail: nil)
    }

    private func bind(_ binds: [DatabaseValue], to statement: OpaquePointer, on db: OpaquePointer) throws(Failure) {
        let expected = Int(sqlite_nio_sqlite3_bind_parameter_count(statement))
        guard expected == binds.count else {
            throw Failure(code: SQLITE_RANGE, extended: SQLITE_RANGE, message: "expected \(expected) bind values, got \(binds.count)")
        }
        for (offset, value) in binds.enumerated() {
            let i = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null:
                rc = sqlite_nio_sqlite3_bind_null(statement, i)
            case .integer(let integer):
                rc = sqlite_nio_sqlite3_bind_int64(statement, i, integer)
            case .real(let real):
                rc = sqlite_nio_sqlite3_bind_double(statement, i, real)
            case .text(let text):
                var text = text
                rc = text.withUTF8 { bytes in
                    guard let base = bytes.baseAddress else {
                        return sqlite_nio_sqlite3_bind_text64(statement, i, "", 0, Self.transient, UInt8(SQLITE_UTF8))
                    }
                    return sqlite_nio_sqlite3_bind_text64(statement, i, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self),
                                                          UInt64(bytes.count), Self.transient, UInt8(SQLITE_UTF8))
                }
            case .blob(let bytes):
                rc = bytes.withUnsafeBytes { raw in
                    // A zero-length blob is bound as zero bytes, not NULL.
                    sqlite_nio_sqlite3_bind_blob64(statement, i, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), UInt64(raw.count), Self.transient)
                }
            }
            guard rc == SQLITE_OK else { throw failure(rc, on: db) }
        }
    }

    private static func columnNames(_ statement: OpaquePointer) -> [String] {
        (0..<sqlite_nio_sqlite3_column_count(statement)).map { i in
            sqlite_nio_sqlite3_column_name(statement, i).map { String(cString: $0) } ?? ""
        }
    }

    private static func value(_ statement: OpaquePointer, _ i: Int32) -> DatabaseValue {
        switch sqlite_nio_sqlite3_column_type(statement, i) {
        case SQLITE_INTEGER:
            return .integer(sqlite_nio_sqlite3_column_int64(statement, i))
        case SQLITE_FLOAT:
            return .real(sqlite_nio_sqlite3_column_double(statement, i))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, i) else { return .text("") }
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, i))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, i))
            guard count > 0, let blob = sqlite_nio_sqlite3_column_blob(statement, i) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: blob, count: count)))
        default:
            return .null
        }
    }

    private func failure(_ rc: Int32, on db: OpaquePointer) -> Failure {
        Failure(code: rc, extended: sqlite_nio_sqlite3_extended_errcode(db), message: String(cString: sqlite_nio_sqlite3_errmsg(db)))
    }

    /// SQLite's number and generic name for a result code ("database or disk is full"):
    /// never the statement's own message, which may quote values.
    static func codeName(_ code: Int32) -> String {
        "\(code) " + (sqlite_nio_sqlite3_errstr(code).map { String(cString: $0) } ?? "")
    }

    /// SQLite copies the bound bytes (the Swift buffer does not outlive the call).
    nonisolated(unsafe) private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
