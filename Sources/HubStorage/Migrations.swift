import Foundation
import HubProtocol

/// Applies migrations the same way on both backends: each missing migration runs in
/// one transaction together with its `schema_migrations` row. On PostgreSQL the
/// transaction first takes `pg_advisory_xact_lock(lockKey)`, so two processes
/// migrating one schema at once wait for each other; on SQLite `BEGIN IMMEDIATE`
/// already holds the file's write lock.
enum MigrationRunner {
    static let createTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )
        """

    static func migrate(_ migrations: [Migration], on database: some HubDatabase, lockKey: Int64?) async throws(HubError) {
        var seen = Set<Int>()
        for migration in migrations where !seen.insert(migration.version).inserted {
            throw HubError(.storage, "Migration version \(migration.version) appears more than once.")
        }
        let applied = Set(try await appliedVersions(on: database, lockKey: lockKey))
        for migration in migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(migration.version) {
            let sql = database.dialect == .sqlite ? migration.sqlite : migration.postgres
            let statements = SQLText.splitStatements(sql)
            let version = migration.version
            let name = migration.name
            do {
                try await database.transaction { executor in
                    try await prepare(executor, lockKey: lockKey)
                    // Another process may have applied it while we waited for the lock.
                    guard try await executor.query(
                        "SELECT version FROM schema_migrations WHERE version = ?", [.integer(Int64(version))]
                    ).isEmpty else { return }
                    for statement in statements {
                        try await executor.execute(statement, [])
                    }
                    try await executor.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                        [.integer(Int64(version)), .text(name), .text(Date().ISO8601Format())]
                    )
                }
            } catch {
                throw HubError(.storage, "Migration \(version) (\(name)) failed; nothing of it was applied.")
            }
        }
    }

    static func appliedVersions(on database: some HubDatabase, lockKey: Int64?) async throws(HubError) -> [Int] {
        do {
            return try await database.transaction { executor in
                try await prepare(executor, lockKey: lockKey)
                return try await executor.query("SELECT version FROM schema_migrations ORDER BY version", [])
                    .map { row throws(HubError) in try row.int("version") }
            }
        } catch let error as HubError {
            throw error
        } catch {
            throw HubError(.storage, "The applied migrations could not be read.")
        }
    }

    private static func prepare(_ executor: any DatabaseExecutor, lockKey: Int64?) async throws(HubError) {
        if let lockKey {
            _ = try await executor.query("SELECT pg_advisory_xact_lock(?)", [.integer(lockKey)])
        }
        try await executor.execute(createTable, [])
    }
}
