import Foundation
import HubProtocol
import Logging
import Synchronization

/// One service's SQLite file (the embedded default).
///
/// Opened in WAL mode with `synchronous=FULL`, foreign keys on and a 5 s busy timeout.
/// There is one connection, and every statement and transaction goes through one FIFO
/// async lock, so a transaction never interleaves with other statements. Do not call
/// `transaction` on the database from inside a transaction body (use the executor
/// passed to the body): it would wait for itself.
///
/// **Where statements run.** Statements are prepared once and cached, and run on the
/// caller's thread (microseconds of work on pages in memory). What can wait on the disk
/// or on another process — opening, `BEGIN IMMEDIATE`, `COMMIT` (the fsync), a plain
/// write outside a transaction (its own commit) — runs on the database's own thread,
/// so the shared concurrency threads never block on I/O.
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

    let connection: SQLiteConnectionHandle
    /// Where the calls that may wait on the disk run (one thread per database).
    private let io: DispatchQueue
    let logger: Logger
    private let lock = AsyncLock()
    private let closed = Atomic<Bool>(false)
    /// The open group-commit batch and its size; only touched while holding the lock.
    private let openBatch = Mutex<(batch: CommitBatch?, size: Int)>((nil, 0))
    /// The most transactions one COMMIT carries (bounds the wait of the first).
    static let maxBatch = 64

    /// Free bytes on the volume of the database file (statvfs of its folder; the
    /// journal and WAL live beside it), for an unprivileged writer.
    public func availableBytes() -> Int64? {
        guard path != ":memory:" else { return nil }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var info = statvfs()
        guard statvfs(folder, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// Checkpoints and truncates the write-ahead log, so rows a purge deleted are no longer
    /// in it (with `secure_delete` on, their pages in the main file are already zeroed).
    public func reclaimDeletedData() async {
        do {
            _ = try await locked { () async throws(HubError) -> Int in
                try await self.run("PRAGMA wal_checkpoint(TRUNCATE)", [], blocking: true).changed
            }
        } catch {
            logger.notice("WAL checkpoint after a purge did not complete; the next one will", metadata: ["hub.code": "\(error.code)"])
        }
    }

    private init(path: String, connection: SQLiteConnectionHandle, io: DispatchQueue, logger: Logger) {
        self.path = path
        self.connection = connection
        self.io = io
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
        let io = DispatchQueue(label: "hub.sqlite")
        let connection: SQLiteConnectionHandle
        do {
            connection = try await Self.onQueue(io) { () throws(SQLiteConnectionHandle.Failure) in try SQLiteConnectionHandle(path: path) }
        } catch {
            logger.error("Could not open the SQLite database", metadata: [
                "path": "\(path)", "reason": "\(Self.reason(error))",
            ])
            throw HubError(.storage, "The database could not be opened.")
        }
        let database = SQLiteDatabase(path: path, connection: connection, io: io, logger: logger)
        do throws(HubError) {
            _ = try await database.run("PRAGMA busy_timeout=5000", [])
            let mode = try await database.run("PRAGMA journal_mode=WAL", [], blocking: true).rows.first?.values.first
            if mode != .text("wal") {
                logger.error("SQLite did not switch to WAL", metadata: ["path": "\(path)"])
                throw HubError(.storage, "The database could not be opened in WAL mode.")
            }
            _ = try await database.run("PRAGMA synchronous=FULL", [])
            _ = try await database.run("PRAGMA foreign_keys=ON", [])
            // Deleted rows are overwritten with zeros, so purged personal data does not
            // linger in free pages (a WAL checkpoint after a purge clears the log too).
            _ = try await database.run("PRAGMA secure_delete=ON", [])
        } catch {
            await Self.onQueue(io) { connection.close() }
            throw error
        }
        logger.debug("Opened SQLite database", metadata: ["path": "\(path)"])
        return database
    }

    // MARK: DatabaseExecutor

    public func query(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> [DatabaseRow] {
        try await locked { () async throws(HubError) -> [DatabaseRow] in
            // A plain read runs here; anything else may commit (an fsync): off the shared threads.
            try await self.run(sql, binds, blocking: !SQLText.isPlainRead(sql)).rows
        }
    }

    @discardableResult
    public func execute(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> Int {
        try await locked { () async throws(HubError) -> Int in
            // Outside a transaction a write is its own commit (an fsync): off the shared threads.
            try await self.run(sql, binds, blocking: true).changed
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
        _ = try await run("BEGIN IMMEDIATE", [], blocking: true)
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
            _ = try await run("COMMIT", [], blocking: true)
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
        let connection = self.connection
        await Self.onQueue(io) { connection.close() }
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
            _ = try await run("ROLLBACK", [], blocking: true)
        } catch {
            // SQLite may already have rolled back (e.g. after SQLITE_FULL); nothing else to do.
            logger.debug("ROLLBACK failed", metadata: ["error": "\(error)"])
        }
    }

    /// Runs one statement; the caller holds the lock. `blocking` sends it to the
    /// database's own thread (a statement that may wait on the disk or on a lock).
    func run(_ sql: String, _ binds: [DatabaseValue], blocking: Bool = false) async throws(HubError) -> (rows: [DatabaseRow], changed: Int) {
        let connection = self.connection
        do {
            if blocking {
                return try await Self.onQueue(io) { () throws(SQLiteConnectionHandle.Failure) in try connection.run(sql, binds) }
            }
            return try connection.run(sql, binds)
        } catch {
            throw mapError(error, sql: sql)
        }
    }

    /// Runs `body` on `queue` and waits for it without holding a shared thread.
    static func onQueue<T: Sendable, E: Error>(_ queue: DispatchQueue, _ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(E) { continuation.resume(returning: .success(try body())) } catch { continuation.resume(returning: .failure(error)) }
            }
        }
        return try result.get()
    }

    private func mapError(_ failure: SQLiteConnectionHandle.Failure, sql: String) -> HubError {
        let reason = Self.reason(failure)
        logger.debug("SQLite statement failed", metadata: ["sql": "\(SQLText.logText(sql))", "reason": "\(reason)"])
        switch failure.primary {
        case SQLITE_CONSTRAINT_CODE where [Self.constraintUnique, Self.constraintPrimaryKey, Self.constraintRowID].contains(failure.extended):
            return HubError(.conflict, "A record with the same key already exists.")
        case SQLITE_FULL_CODE, SQLITE_IOERR_CODE:
            logger.error("SQLite could not write", metadata: ["path": "\(path)", "reason": "\(reason)"])
            return HubError(.storage, "The database could not store the data.")
        case SQLITE_BUSY_CODE, SQLITE_LOCKED_CODE:
            return HubError(.storage, "The database is busy.")
        default:
            return HubError(.storage, "The database could not run the statement.")
        }
    }

    // SQLite's result codes (sqlite3.h), kept here so the mapping reads plainly.
    private static let constraintUnique: Int32 = 2067      // SQLITE_CONSTRAINT_UNIQUE
    private static let constraintPrimaryKey: Int32 = 1555  // SQLITE_CONSTRAINT_PRIMARYKEY
    private static let constraintRowID: Int32 = 2579       // SQLITE_CONSTRAINT_ROWID

    /// The error's kind only: SQLite's name for its result code (never its message,
    /// which may quote values).
    static func reason(_ error: any Error) -> String {
        if let failure = error as? SQLiteConnectionHandle.Failure { return SQLiteConnectionHandle.codeName(failure.extended) }
        return "\(type(of: error))"
    }
}

private let SQLITE_CONSTRAINT_CODE: Int32 = 19
private let SQLITE_FULL_CODE: Int32 = 13
private let SQLITE_IOERR_CODE: Int32 = 10
private let SQLITE_BUSY_CODE: Int32 = 5
private let SQLITE_LOCKED_CODE: Int32 = 6

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
