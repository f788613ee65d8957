import Foundation
import HubProtocol
import Logging
import SQLiteNIO
import Synchronization

/// One service's SQLite file (the embedded default).
///
/// Opened in WAL mode with `synchronous=FULL`, foreign keys on and a 5 s busy timeout.
/// There is one connection, and every statement and transaction goes through one FIFO
/// async lock, so a transaction (`BEGIN IMMEDIATE … COMMIT`) never interleaves with
/// other statements. Do not call `transaction` on the database from inside a
/// transaction body (use the executor passed to the body): it would wait for itself.
public final class SQLiteDatabase: HubDatabase {
    public var dialect: SQLDialect { .sqlite }
    /// The database file.
    public let path: String

    let connection: SQLiteConnection
    let logger: Logger
    private let lock = AsyncLock()
    private let closed = Atomic<Bool>(false)
    /// `total_changes()` after the last statement; only touched while holding the lock.
    private let lastTotalChanges = Mutex<Int64>(0)

    private init(path: String, connection: SQLiteConnection, logger: Logger) {
        self.path = path
        self.connection = connection
        self.logger = logger
    }

    /// Opens (creating when needed) the SQLite file at `path`, creating its parent folders.
    public static func open(path: String, logger: Logger) async throws(HubError) -> SQLiteDatabase {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            logger.error("Could not create the database folder", metadata: ["folder": "\(directory)"])
            throw HubError(.storage, "The database folder could not be created.")
        }
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        } catch {
            logger.error("Could not open the SQLite database", metadata: [
                "path": "\(path)", "reason": "\(Self.reason(error))",
            ])
            throw HubError(.storage, "The database could not be opened.")
        }
        let database = SQLiteDatabase(path: path, connection: connection, logger: logger)
        do {
            _ = try await database.run("PRAGMA busy_timeout=5000", [])
            let mode = try await database.run("PRAGMA journal_mode=WAL", []).rows.first?.values.first
            if mode != .text("wal") {
                logger.error("SQLite did not switch to WAL", metadata: ["path": "\(path)"])
                throw HubError(.storage, "The database could not be opened in WAL mode.")
            }
            _ = try await database.run("PRAGMA synchronous=FULL", [])
            _ = try await database.run("PRAGMA foreign_keys=ON", [])
        } catch let error as HubError {
            try? await connection.close()
            throw error
        } catch {
            try? await connection.close()
            throw HubError(.storage, "The database could not be opened.")
        }
        logger.debug("Opened SQLite database", metadata: ["path": "\(path)"])
        return database
    }

    // MARK: DatabaseExecutor

    public func query(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> [DatabaseRow] {
        try await locked { () async throws(HubError) -> [DatabaseRow] in
            try await self.run(sql, binds).rows
        }
    }

    @discardableResult
    public func execute(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> Int {
        try await locked { () async throws(HubError) -> Int in
            try await self.run(sql, binds).changed
        }
    }

    // MARK: HubDatabase

    public func transaction<T: Sendable>(
        _ body: @Sendable (any DatabaseExecutor) async throws -> T
    ) async throws -> T {
        try checkOpen()
        await lock.lock()
        defer { lock.unlock() }
        try checkOpen()
        _ = try await run("BEGIN IMMEDIATE", [])
        let executor = SQLiteTransactionExecutor(database: self)
        let result: T
        do {
            result = try await body(executor)
        } catch {
            executor.validity.invalidate()
            await executor.lock.lock() // let a statement the body left running finish
            executor.lock.unlock()
            await rollback()
            throw error
        }
        executor.validity.invalidate()
        await executor.lock.lock()
        executor.lock.unlock()
        do {
            _ = try await run("COMMIT", [])
        } catch {
            await rollback()
            throw error
        }
        return result
    }

    public func migrate(_ migrations: [Migration]) async throws(HubError) {
        try await MigrationRunner.migrate(migrations, on: self, lockKey: nil)
    }

    /// The versions recorded in `schema_migrations`, ascending.
    public func appliedMigrations() async throws(HubError) -> [Int] {
        try await MigrationRunner.appliedVersions(on: self, lockKey: nil)
    }

    public func close() async {
        await lock.lock()
        defer { lock.unlock() }
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        do {
            try await connection.close()
        } catch {
            logger.warning("Closing the SQLite database failed", metadata: ["reason": "\(Self.reason(error))"])
        }
    }

    // MARK: Internals

    private func checkOpen() throws(HubError) {
        if closed.load(ordering: .acquiring) { throw HubError(.storage, "The database is closed.") }
    }

    private func locked<T>(_ body: () async throws(HubError) -> T) async throws(HubError) -> T {
        try checkOpen()
        return try await lock.withLock { () async throws(HubError) -> T in
            try checkOpen()
            return try await body()
        }
    }

    private func rollback() async {
        do {
            _ = try await run("ROLLBACK", [])
        } catch {
            // SQLite may already have rolled back (e.g. after SQLITE_FULL); nothing else to do.
            logger.debug("ROLLBACK failed", metadata: ["error": "\(error)"])
        }
    }

    /// Runs one statement; the caller holds the lock.
    func run(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> (rows: [DatabaseRow], changed: Int) {
        let collector = RowCollector()
        do {
            try await connection.query(sql, binds.map(Self.sqliteData)) { row in
                collector.append(row)
            }
            let counters = RowCollector()
            try await connection.query("SELECT changes(), total_changes()", []) { counters.append($0) }
            var changed = 0
            if let row = counters.rows.first, row.values.count == 2,
               case .integer(let changes) = row.values[0], case .integer(let total) = row.values[1] {
                changed = lastTotalChanges.withLock { last in
                    defer { last = total }
                    return total != last ? Int(changes) : 0
                }
            }
            return (collector.rows, changed)
        } catch {
            throw mapError(error, sql: sql)
        }
    }

    private func mapError(_ error: any Error, sql: String) -> HubError {
        let reason = Self.reason(error)
        logger.debug("SQLite statement failed", metadata: ["sql": "\(SQLText.logText(sql))", "reason": "\(reason)"])
        if let error = error as? SQLiteError {
            switch error.reason {
            case .constraintUniqueFailed, .constraintPrimaryKeyFailed, .constraintUniqueRowIDFailed:
                return HubError(.conflict, "A record with the same key already exists.")
            case .constraint where error.message.hasPrefix("UNIQUE constraint failed"):
                return HubError(.conflict, "A record with the same key already exists.")
            case .full, .ioError, .ioErrorFailedWrite, .ioErrorFailedSync, .ioErrorFailedDirSync:
                logger.error("SQLite could not write", metadata: ["path": "\(path)", "reason": "\(reason)"])
                return HubError(.storage, "The database could not store the data.")
            case .busy, .busyTimeout, .locked:
                return HubError(.storage, "The database is busy.")
            default:
                break
            }
        }
        return HubError(.storage, "The database could not run the statement.")
    }

    /// The error's kind only (never its message, which may quote values).
    static func reason(_ error: any Error) -> String {
        if let error = error as? SQLiteError { return "\(error.reason)" }
        return "\(type(of: error))"
    }

    static func sqliteData(_ value: DatabaseValue) -> SQLiteData {
        switch value {
        case .null: .null
        case .integer(let integer): .integer(SQLiteInt64(integer))
        case .real(let real): .float(real)
        case .text(let text): .text(text)
        case .blob(let bytes): .blob(ByteBuffer(bytes: bytes))
        }
    }

    static func databaseValue(_ data: SQLiteData) -> DatabaseValue {
        switch data {
        case .null: .null
        case .integer(let integer): .integer(Int64(integer))
        case .float(let real): .real(real)
        case .text(let text): .text(text)
        case .blob(let buffer): .blob(Array(buffer.readableBytesView))
        }
    }
}

/// The executor handed to a transaction body; runs on the connection without taking
/// the database lock (the transaction holds it).
final class SQLiteTransactionExecutor: DatabaseExecutor {
    let database: SQLiteDatabase
    let validity = ValidityFlag()
    /// Keeps a statement and its change count together if the body runs statements concurrently.
    let lock = AsyncLock()
    var dialect: SQLDialect { .sqlite }

    init(database: SQLiteDatabase) { self.database = database }

    func query(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> [DatabaseRow] {
        try await lock.withLock { () async throws(HubError) -> [DatabaseRow] in
            try checkValid()
            return try await database.run(sql, binds).rows
        }
    }

    @discardableResult
    func execute(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> Int {
        try await lock.withLock { () async throws(HubError) -> Int in
            try checkValid()
            return try await database.run(sql, binds).changed
        }
    }

    private func checkValid() throws(HubError) {
        guard validity.isValid else {
            throw HubError(.storage, "The transaction has already ended.")
        }
    }
}

/// Collects rows delivered by SQLiteNIO's row callback.
final class RowCollector: Sendable {
    private let storage = Mutex<[DatabaseRow]>([])
    func append(_ row: SQLiteRow) {
        let columns = row.columns
        let converted = DatabaseRow(
            columns: columns.map(\.name),
            values: columns.map { SQLiteDatabase.databaseValue($0.data) }
        )
        storage.withLock { $0.append(converted) }
    }
    var rows: [DatabaseRow] { storage.withLock { $0 } }
}
