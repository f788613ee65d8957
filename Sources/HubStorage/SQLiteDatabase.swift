import Foundation
import HubProtocol
import Logging
import SQLiteNIO
import Synchronization

/// One service's SQLite file (the embedded default).
///
/// Opened in WAL mode with `synchronous=FULL`, foreign keys on and a 5 s busy timeout.
/// There is one connection, and every statement and transaction goes through one FIFO
/// async lock, so a transaction never interleaves with other statements. Do not call
/// `transaction` on the database from inside a transaction body (use the executor
/// passed to the body): it would wait for itself.
///
/// **Group commit.** Transactions that queue up behind each other share one
/// `BEGIN IMMEDIATE … COMMIT` (one fsync): each runs in its own savepoint, so a body
/// that throws rolls back only its own work, and each caller returns only after the
/// shared COMMIT has succeeded — if it fails, every member gets the error and nothing
/// of the batch is stored. A plain statement (outside a transaction) first commits an
/// open batch, so it never sees or joins uncommitted work.
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
    /// The open group-commit batch and its size; only touched while holding the lock.
    private let openBatch = Mutex<(batch: CommitBatch?, size: Int)>((nil, 0))
    /// The most transactions one COMMIT carries (bounds the wait of the first).
    static let maxBatch = 64

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
            try await self.run(sql, binds, countChanges: false).rows
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
        let batch: CommitBatch
        do {
            try checkOpen()
            batch = try await joinBatch()
            _ = try await run("SAVEPOINT hub_tx", [])
        } catch {
            await abortBatch(error)
            lock.unlock()
            throw error
        }
        let executor = SQLiteTransactionExecutor(database: self)
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await body(executor))
        } catch {
            outcome = .failure(error)
        }
        executor.validity.invalidate()
        await executor.lock.lock() // let a statement the body left running finish
        executor.lock.unlock()
        do {
            if case .failure = outcome { _ = try await run("ROLLBACK TO hub_tx", []) }
            _ = try await run("RELEASE hub_tx", [])
        } catch {
            // The savepoint could not be closed: the whole batch is unsafe to commit.
            await abortBatch(error)
            lock.unlock()
            throw error
        }
        // Leave the batch open for the next waiting transaction, or commit it now.
        let size = openBatch.withLock { $0.size }
        if lock.hasWaiters && size < Self.maxBatch {
            lock.unlock()
        } else {
            await commitBatch()
            lock.unlock()
        }
        switch outcome {
        case .failure(let error):
            throw error
        case .success(let value):
            try await batch.wait() // durable before anyone hears of it
            return value
        }
    }

    /// The open batch, or a new one (`BEGIN IMMEDIATE`). Holding the lock.
    private func joinBatch() async throws(HubError) -> CommitBatch {
        if let open = openBatch.withLock({ state -> CommitBatch? in
            if let b = state.batch { state.size += 1; return b }
            return nil
        }) { return open }
        _ = try await run("BEGIN IMMEDIATE", [])
        let batch = CommitBatch()
        openBatch.withLock { $0 = (batch, 1) }
        return batch
    }

    /// Commits the open batch, if any, and tells its members. Holding the lock.
    private func commitBatch() async {
        guard let batch = openBatch.withLock({ state -> CommitBatch? in
            defer { state = (nil, 0) }
            return state.batch
        }) else { return }
        do {
            _ = try await run("COMMIT", [])
            batch.finish(nil)
        } catch {
            await rollback()
            batch.finish(error)
        }
    }

    /// Rolls the open batch back and fails its members. Holding the lock.
    private func abortBatch(_ error: HubError) async {
        guard let batch = openBatch.withLock({ state -> CommitBatch? in
            defer { state = (nil, 0) }
            return state.batch
        }) else { return }
        await rollback()
        batch.finish(HubError(.storage, "The transaction was rolled back with others in its batch; nothing was stored.", field: error.field))
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
        await commitBatch()
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
            // A plain statement never joins uncommitted work: commit an open batch first.
            await commitBatch()
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

    /// Runs one statement; the caller holds the lock. `countChanges: false` skips the
    /// second round trip that reads how many rows the statement changed (for reads).
    func run(_ sql: String, _ binds: [DatabaseValue], countChanges: Bool = true) async throws(HubError) -> (rows: [DatabaseRow], changed: Int) {
        let collector = RowCollector()
        do {
            try await connection.query(sql, binds.map(Self.sqliteData)) { row in
                collector.append(row)
            }
            if !countChanges { return (collector.rows, 0) }
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
            return try await database.run(sql, binds, countChanges: false).rows
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

/// One group commit: members wait until the shared COMMIT has succeeded or failed.
final class CommitBatch: Sendable {
    private let state = Mutex<(done: Bool, error: (any Error)?, waiters: [CheckedContinuation<Void, any Error>])>((false, nil, []))

    func wait() async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            let finished = state.withLock { s -> (Bool, (any Error)?) in
                if s.done { return (true, s.error) }
                s.waiters.append(c)
                return (false, nil)
            }
            if finished.0 {
                if let e = finished.1 { c.resume(throwing: e) } else { c.resume() }
            }
        }
    }

    func finish(_ error: (any Error)?) {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.done = true
            s.error = error
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { if let error { w.resume(throwing: error) } else { w.resume() } }
    }
}
