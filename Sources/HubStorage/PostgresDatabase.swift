import Foundation
import HubProtocol
import Logging
import Metrics
import PostgresNIO
import Synchronization

/// One service's tables in their own PostgreSQL schema.
///
/// A `PostgresClient` pool runs in a task started by `open` and cancelled by `close`.
/// Every pooled connection starts with `search_path=<schema>` (a startup parameter), so
/// unqualified table names resolve to the service's schema only. SQL is written with
/// `?` placeholders, rewritten to `$1…$n`. Server durability defaults are left alone
/// (fsync and synchronous_commit on): a commit returns once the WAL is on disk.
public final class PostgresDatabase: HubDatabase {
    public var dialect: SQLDialect { .postgres }
    /// The schema holding this service's tables.
    public let schema: String

    /// The most connections this process keeps open to the schema.
    public let poolSize: Int
    let client: PostgresClient
    let logger: Logger
    private let runTask: Task<Void, Never>
    private let closed = Atomic<Bool>(false)
    /// How long a statement or transaction waited for a pooled connection
    /// (`hub_db_pool_wait_seconds{schema}`); `hub_db_pool_waits_total{schema}` counts the
    /// waits longer than a millisecond, i.e. the times the pool was the bottleneck.
    private let poolWait: Metrics.Timer
    private let poolWaits: Counter

    private init(schema: String, poolSize: Int, client: PostgresClient, runTask: Task<Void, Never>, logger: Logger) {
        self.schema = schema
        self.poolSize = poolSize
        self.client = client
        self.runTask = runTask
        self.logger = logger
        poolWait = Metrics.Timer(label: "hub_db_pool_wait_seconds", dimensions: [("schema", schema)], preferredDisplayUnit: .seconds)
        poolWaits = Counter(label: "hub_db_pool_waits_total", dimensions: [("schema", schema)])
    }

    /// Connects to `url` (`postgres://user:pass@host:port/db`, optional `?sslmode=disable|prefer|require`)
    /// and creates `schema` when missing. `schema` must be 1–63 of [a-z0-9_].
    public static func open(
        url: String,
        schema: String,
        logger: Logger,
        maximumConnections: Int = DatabasePoolSize.hostDefault,
        connectTimeout: Duration = .seconds(15)
    ) async throws(HubError) -> PostgresDatabase {
        guard SQLText.isValidSchemaName(schema) else {
            throw HubError(.storage, "The database schema name is not valid.")
        }
        var configuration = try clientConfiguration(url: url)
        configuration.options.additionalStartupParameters = [("search_path", schema)]
        configuration.options.maximumConnections = max(1, maximumConnections)
        configuration.options.connectTimeout = connectTimeout
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runTask = Task { await client.run() }
        let database = PostgresDatabase(schema: schema, poolSize: max(1, maximumConnections), client: client, runTask: runTask, logger: logger)
        do {
            try await withTimeout(connectTimeout) { () async throws(HubError) in
                try await database.createSchema()
            }
        } catch {
            await database.close()
            throw error
        }
        logger.debug("Opened PostgreSQL database", metadata: ["schema": "\(schema)"])
        return database
    }

    private func createSchema() async throws(HubError) {
        // Two processes may create the schema at once; the loser sees a unique violation.
        for attempt in 0..<3 {
            do {
                try await execute("CREATE SCHEMA IF NOT EXISTS \"\(schema)\"", [])
                return
            } catch where error.code == .conflict && attempt < 2 {
                continue
            }
        }
    }

    // MARK: DatabaseExecutor

    public func query(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> [DatabaseRow] {
        try await run(sql, binds).rows
    }

    @discardableResult
    public func execute(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> Int {
        try await run(sql, binds).changed
    }

    private func run(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> (rows: [DatabaseRow], changed: Int) {
        try checkOpen()
        let query = try Self.makeQuery(sql, binds)
        let asked = ContinuousClock.now
        do {
            return try await client.withConnection { connection in
                self.recordPoolWait(since: asked)
                return try await Self.run(query, on: connection, logger: self.logger)
            }
        } catch {
            throw mapError(error, sql: sql)
        }
    }

    public func execute(all statements: [SQLStatement]) async throws(HubError) {
        guard !statements.isEmpty else { return }
        let one = SQLStatement.folded(statements)
        try await execute(one.sql, one.binds)
    }

    // MARK: HubDatabase

    public func transaction<T: Sendable>(
        _ body: @Sendable (any DatabaseExecutor) async throws -> T
    ) async throws -> T {
        try checkOpen()
        let asked = ContinuousClock.now
        do {
            return try await client.withConnection { connection in
                self.recordPoolWait(since: asked)
                return try await self.transaction(on: connection, body)
            }
        } catch let error as BodyError {
            throw error.underlying
        } catch let error as HubError {
            throw error
        } catch {
            throw mapError(error, sql: "BEGIN")
        }
    }

    private func transaction<T: Sendable>(
        on connection: PostgresConnection,
        _ body: @Sendable (any DatabaseExecutor) async throws -> T
    ) async throws -> T {
        _ = try await runMapped("BEGIN", on: connection)
        let executor = PostgresTransactionExecutor(connection: connection, database: self)
        let result: T
        do {
            result = try await body(executor)
        } catch {
            executor.validity.invalidate()
            do {
                _ = try await runMapped("ROLLBACK", on: connection)
            } catch {
                logger.warning("ROLLBACK failed; closing the connection", metadata: ["error": "\(error)"])
                try? await connection.close()
            }
            throw BodyError(underlying: error)
        }
        executor.validity.invalidate()
        let commit = try await runMapped("COMMIT", on: connection)
        if commit.command == "ROLLBACK" {
            // A statement failed inside the body and the body went on; PostgreSQL rolled back.
            throw HubError(.storage, "The transaction was rolled back.")
        }
        return result
    }

    public func migrate(_ migrations: [Migration]) async throws(HubError) {
        try await MigrationRunner.migrate(migrations, on: self, lockKey: advisoryLockKey)
    }

    /// The versions recorded in `schema_migrations`, ascending.
    public func appliedMigrations() async throws(HubError) -> [Int] {
        try await MigrationRunner.appliedVersions(on: self, lockKey: advisoryLockKey)
    }

    /// The `pg_advisory_xact_lock` key serialising migrations of this schema (FNV-1a of its name).
    var advisoryLockKey: Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "utvag-hub.migrations.\(schema)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return Int64(bitPattern: hash)
    }

    public func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        runTask.cancel()
        await runTask.value
    }

    // MARK: Internals

    private func recordPoolWait(since asked: ContinuousClock.Instant) {
        let waited = ContinuousClock.now - asked
        poolWait.recordNanoseconds(waited.components.seconds * 1_000_000_000 + waited.components.attoseconds / 1_000_000_000)
        if waited > .milliseconds(1) { poolWaits.increment() }
    }

    private func checkOpen() throws(HubError) {
        if closed.load(ordering: .acquiring) { throw HubError(.storage, "The database is closed.") }
    }

    func runMapped(_ sql: String, _ binds: [DatabaseValue] = [], on connection: PostgresConnection)
        async throws(HubError) -> (rows: [DatabaseRow], changed: Int, command: String) {
        let query = try Self.makeQuery(sql, binds)
        do {
            let result: EventLoopFuture<PostgresQueryResult> = connection.query(query, logger: logger)
            let value = try await result.get()
            return (try value.rows.map(Self.databaseRow), value.metadata.rows ?? 0, value.metadata.command)
        } catch {
            throw mapError(error, sql: sql)
        }
    }

    private static func run(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger)
        async throws -> (rows: [DatabaseRow], changed: Int) {
        let future: EventLoopFuture<PostgresQueryResult> = connection.query(query, logger: logger)
        let result = try await future.get()
        return (try result.rows.map(databaseRow), result.metadata.rows ?? 0)
    }

    static func makeQuery(_ sql: String, _ binds: [DatabaseValue]) throws(HubError) -> PostgresQuery {
        let (text, count) = SQLText.numberPlaceholders(sql)
        guard count == binds.count else {
            throw HubError(.storage, "The statement has \(count) placeholders but \(binds.count) values.")
        }
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let integer): bindings.append(integer)
            case .real(let real): bindings.append(real)
            case .text(let text): bindings.append(text)
            case .blob(let bytes): bindings.append(ByteBuffer(bytes: bytes))
            }
        }
        return PostgresQuery(unsafeSQL: text, binds: bindings)
    }

    static func databaseRow(_ row: PostgresRow) throws -> DatabaseRow {
        var columns: [String] = []
        var values: [DatabaseValue] = []
        for cell in row {
            columns.append(cell.columnName)
            values.append(try databaseValue(cell))
        }
        return DatabaseRow(columns: columns, values: values)
    }

    static func databaseValue(_ cell: PostgresCell) throws -> DatabaseValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8:
            return .integer(try cell.decode(Int64.self))
        case .float4, .float8:
            return .real(try cell.decode(Double.self))
        case .numeric:
            let decimal = try cell.decode(Decimal.self)
            guard let double = Double(decimal.description) else { throw HubError(.storage, "A numeric value could not be read.") }
            return .real(double)
        case .bool:
            return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .bytea:
            return .blob(Array(try cell.decode(ByteBuffer.self).readableBytesView))
        case .timestamptz, .timestamp:
            let date = try cell.decode(Date.self)
            return .text(Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date))
        default:
            return .text(try cell.decode(String.self))
        }
    }

    func mapError(_ error: any Error, sql: String) -> HubError {
        if let error = error as? HubError { return error }
        var metadata: Logger.Metadata = ["sql": "\(SQLText.logText(sql))", "schema": "\(schema)"]
        if let error = error as? PSQLError {
            let state = error.serverInfo?[.sqlState]
            metadata["sqlstate"] = "\(state ?? "-")"
            metadata["code"] = "\(error.code)"
            logger.debug("PostgreSQL statement failed", metadata: metadata)
            switch state {
            case "23505":
                return HubError(.conflict, "A record with the same key already exists.")
            case .some(let state) where state.hasPrefix("53"):
                logger.error("PostgreSQL has insufficient resources", metadata: ["sqlstate": "\(state)"])
                return HubError(.storage, "The database could not store the data.")
            case .some(let state) where state.hasPrefix("40"):
                return HubError(.storage, "The database could not finish the transaction.")
            case .some:
                return HubError(.storage, "The database could not run the statement.")
            case .none:
                logger.error("PostgreSQL is unavailable", metadata: ["code": "\(error.code)"])
                return HubError(.storage, "The database is unavailable.")
            }
        }
        metadata["error"] = "\(type(of: error))"
        logger.error("PostgreSQL is unavailable", metadata: ["error": "\(type(of: error))", "schema": "\(schema)"])
        logger.debug("PostgreSQL statement failed", metadata: metadata)
        return HubError(.storage, "The database is unavailable.")
    }

    static func clientConfiguration(url: String) throws(HubError) -> PostgresClient.Configuration {
        let invalid = HubError(.storage, "The database URL is not valid.")
        guard let components = URLComponents(string: url),
              let scheme = components.scheme, scheme == "postgres" || scheme == "postgresql",
              let host = components.host, !host.isEmpty,
              let user = components.user, !user.isEmpty else { throw invalid }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !database.isEmpty else { throw invalid }
        let sslmode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
        switch sslmode {
        case "disable":
            tls = .disable
        case "allow", "prefer":
            tlsConfiguration.certificateVerification = .none
            tls = .prefer(tlsConfiguration)
        case "require":
            tlsConfiguration.certificateVerification = .none
            tls = .require(tlsConfiguration)
        case "verify-ca", "verify-full":
            tls = .require(tlsConfiguration)
        default:
            throw invalid
        }
        return PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.removingPercentEncoding ?? database,
            tls: tls
        )
    }
}

/// Carries a transaction body's own error through `withConnection` unchanged.
private struct BodyError: Error {
    let underlying: any Error
}

/// The executor handed to a transaction body; runs on the transaction's connection.
final class PostgresTransactionExecutor: DatabaseExecutor {
    let connection: PostgresConnection
    let database: PostgresDatabase
    let validity = ValidityFlag()
    var dialect: SQLDialect { .postgres }

    init(connection: PostgresConnection, database: PostgresDatabase) {
        self.connection = connection
        self.database = database
    }

    func query(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> [DatabaseRow] {
        try checkValid()
        return try await database.runMapped(sql, binds, on: connection).rows
    }

    @discardableResult
    func execute(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> Int {
        try checkValid()
        return try await database.runMapped(sql, binds, on: connection).changed
    }

    func execute(all statements: [SQLStatement]) async throws(HubError) {
        guard !statements.isEmpty else { return }
        let one = SQLStatement.folded(statements)
        try await execute(one.sql, one.binds)
    }

    private func checkValid() throws(HubError) {
        guard validity.isValid else { throw HubError(.storage, "The transaction has already ended.") }
    }
}

/// Runs `body`, failing with a `.storage` error when it takes longer than `timeout`.
func withTimeout(_ timeout: Duration, _ body: @escaping @Sendable () async throws(HubError) -> Void) async throws(HubError) {
    let outcome: Result<Void, HubError> = await withTaskGroup(of: Result<Void, HubError>?.self) { group in
        group.addTask {
            do throws(HubError) { try await body(); return .success(()) } catch { return .failure(error) }
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return Task.isCancelled ? nil : .failure(HubError(.storage, "The database is unavailable."))
        }
        var outcome: Result<Void, HubError> = .failure(HubError(.storage, "The database is unavailable."))
        while let next = await group.next() {
            if let next { outcome = next; break }
        }
        group.cancelAll()
        return outcome
    }
    try outcome.get()
}
