import HubProtocol
import Logging

/// A value bound to or read from SQL, the same for SQLite and PostgreSQL.
public enum DatabaseValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// Types that bind as SQL parameters.
public protocol DatabaseValueConvertible: Sendable {
    var databaseValue: DatabaseValue { get }
}

/// Which SQL dialect a database speaks; migrations may differ per dialect.
public enum SQLDialect: String, Sendable {
    case sqlite
    case postgres
}

/// Runs statements. SQL is written with `?` placeholders for both backends (the
/// PostgreSQL implementation rewrites them to `$1…$n`).
public protocol DatabaseExecutor: Sendable {
    var dialect: SQLDialect { get }
    /// Runs a statement that returns rows.
    func query(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> [DatabaseRow]
    /// Runs a statement and returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ binds: [DatabaseValue]) async throws(HubError) -> Int
    /// Runs data-changing statements that return nothing, in order, in as few round trips
    /// as the backend allows. PostgreSQL sends them as one statement (`WITH s1 AS (…), …
    /// last`), so they must not depend on each other's effects beyond foreign keys (which
    /// are checked at its end): inserts of new rows, typically. SQLite runs them one by one
    /// (no round trips to save). A failure in any of them fails the call.
    func execute(all statements: [SQLStatement]) async throws(HubError)
}

/// One statement with its values, for `DatabaseExecutor.execute(all:)`.
public struct SQLStatement: Sendable {
    public var sql: String
    public var binds: [DatabaseValue]
    public init(_ sql: String, _ binds: [DatabaseValue]) { self.sql = sql; self.binds = binds }
}

extension DatabaseExecutor {
    /// One statement after another (the backends without round trips to save).
    public func execute(all statements: [SQLStatement]) async throws(HubError) {
        for statement in statements { try await execute(statement.sql, statement.binds) }
    }
}

extension DatabaseExecutor {
    /// Inside a transaction: waits until no other process holds `name` for this schema, and
    /// holds it until the transaction ends. For work that several processes of one service
    /// (workers on one PostgreSQL schema) may start at once and that must not interleave,
    /// such as replacing reference tables at start. PostgreSQL: `pg_advisory_xact_lock` on a
    /// key from the schema and `name`; SQLite: nothing to do, a writing transaction already
    /// holds the file's write lock.
    public func lockForTransaction(_ name: String) async throws(HubError) {
        guard dialect == .postgres else { return }
        _ = try await query("SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':' || ?, 0))", [.text(name)])
    }
}

extension SQLStatement {
    /// The statements as one PostgreSQL statement: every one but the last in a `WITH`
    /// clause (data-changing statements there run exactly once, to completion).
    static func folded(_ statements: [SQLStatement]) -> SQLStatement {
        guard statements.count > 1, let last = statements.last else { return statements.first ?? SQLStatement("SELECT 1", []) }
        let head = statements.dropLast().enumerated().map { "s\($0.offset) AS (\($0.element.sql))" }.joined(separator: ", ")
        return SQLStatement("WITH \(head) \(last.sql)", statements.flatMap(\.binds))
    }
}

/// One service's database: SQLite file (embedded default) or a PostgreSQL schema.
///
/// Storage behind a protocol, one implementation per backend (STYLE.md §1).
/// Errors are `HubError` with code `.storage` (or `.conflict` for a unique
/// violation) and a generic message: never SQL values, which may be personal data.
public protocol HubDatabase: DatabaseExecutor {
    /// Runs `body` in one transaction: committed (and durable) when it returns,
    /// rolled back when it throws. Transactions on one database are serialised on
    /// SQLite; on PostgreSQL they run on pooled connections.
    func transaction<T: Sendable>(_ body: @Sendable (any DatabaseExecutor) async throws -> T) async throws -> T
    /// Applies the migrations not yet applied, in version order, each in its own transaction.
    func migrate(_ migrations: [Migration]) async throws(HubError)
    /// Closes connections; the database may not be used afterwards.
    func close() async
    /// Bytes free for this database's files on their volume, when the files are local
    /// (SQLite); nil when a server keeps them (PostgreSQL). Health reports use it to say
    /// "the disk is full" before a write has to fail.
    func availableBytes() -> Int64?
    /// After a purge of personal data: makes sure deleted rows are gone from every file
    /// the database keeps (SQLite: a `wal_checkpoint(TRUNCATE)`, so the write-ahead log no
    /// longer holds the old pages; `secure_delete` has already zeroed the freed pages).
    /// PostgreSQL reclaims through its own vacuum; nothing to do here.
    func reclaimDeletedData() async
}

extension HubDatabase {
    public func availableBytes() -> Int64? { nil }
    public func reclaimDeletedData() async {}
}

/// A versioned schema change owned by one service.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    /// Statements separated by `;` for SQLite.
    public var sqlite: String
    /// Statements for PostgreSQL.
    public var postgres: String
    /// A migration whose SQL is the same on both backends.
    public init(version: Int, name: String, sql: String) {
        self.init(version: version, name: name, sqlite: sql, postgres: sql)
    }
    public init(version: Int, name: String, sqlite: String, postgres: String) {
        self.version = version; self.name = name; self.sqlite = sqlite; self.postgres = postgres
    }
}

/// A result row, read by column name.
public struct DatabaseRow: Sendable {
    public var columns: [String]
    public var values: [DatabaseValue]
    public init(columns: [String], values: [DatabaseValue]) {
        self.columns = columns; self.values = values
    }
}

/// Where a service's data lives.
public enum DatabaseConfiguration: Sendable {
    /// An SQLite file (WAL, synchronous=FULL).
    case sqlite(path: String)
    /// A PostgreSQL database; the service's tables live in `schema`.
    case postgres(url: String, schema: String)
}
