import Foundation
import HubProtocol
import HubStorage
import Testing

@Suite("Migrations")
struct MigrationTests {
    static let migrations = [
        Migration(version: 2, name: "add notes", sql: """
            -- a comment; with a semicolon
            CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL DEFAULT 'a;b');
            INSERT INTO log (entry) VALUES ('2');
            """),
        Migration(version: 1, name: "create log", sql: "CREATE TABLE log (entry TEXT NOT NULL); INSERT INTO log (entry) VALUES ('1')"),
        Migration(
            version: 3, name: "dialects",
            sqlite: "CREATE TABLE d (id TEXT PRIMARY KEY, dialect TEXT NOT NULL); INSERT INTO d VALUES ('x', 'sqlite')",
            postgres: "CREATE TABLE d (id TEXT PRIMARY KEY, dialect TEXT NOT NULL); INSERT INTO d VALUES ('x', 'postgres')"
        ),
    ]

    @Test(arguments: Backend.available)
    func migrationsApplyOnceInVersionOrderAndAreIdempotentOnReopen(backend: Backend) async throws {
        let scratch = Scratch(backend)
        defer { Task { await scratch.remove() } }
        let db = try await scratch.open()
        #expect(try await db.appliedVersions() == [])
        try await db.migrate(Self.migrations)
        try await db.migrate(Self.migrations)
        #expect(try await db.appliedVersions() == [1, 2, 3])
        #expect(try await db.query("SELECT entry FROM log", []).map { try $0.string("entry") } == ["1", "2"])
        #expect(try await db.query("SELECT dialect FROM d", []).first?.string("dialect") == backend.rawValue)
        await db.close()

        let reopened = try await scratch.open()
        try await reopened.migrate(Self.migrations)
        let more = Self.migrations + [Migration(version: 4, name: "four", sql: "INSERT INTO log (entry) VALUES ('4')")]
        try await reopened.migrate(more)
        #expect(try await reopened.appliedVersions() == [1, 2, 3, 4])
        #expect(try await reopened.query("SELECT entry FROM log", []).map { try $0.string("entry") } == ["1", "2", "4"])
        let names = try await reopened.query("SELECT name, applied_at FROM schema_migrations ORDER BY version", [])
        #expect(try names.map { try $0.string("name") } == ["create log", "add notes", "dialects", "four"])
        await reopened.close()
        await scratch.remove()
    }

    @Test(arguments: Backend.available)
    func aFailingMigrationLeavesNeitherItsTablesNorItsVersionRow(backend: Backend) async throws {
        try await withScratchDatabase(backend) { db, _ in
            let broken = Migration(version: 2, name: "broken", sql: """
                CREATE TABLE half (id TEXT PRIMARY KEY);
                INSERT INTO half (id) VALUES ('x');
                INSERT INTO no_such_table (id) VALUES ('x');
                """)
            let error = await #expect(throws: HubError.self) {
                try await db.migrate([Self.migrations[1], broken])
            }
            #expect(error?.code == .storage)
            #expect(error?.message.contains("2") == true)
            #expect(try await db.appliedVersions() == [1])
            let probe = await #expect(throws: HubError.self) { try await db.query("SELECT id FROM half", []) }
            #expect(probe?.code == .storage)
            // Fixing the migration applies it.
            let fixed = Migration(version: 2, name: "fixed", sql: "CREATE TABLE half (id TEXT PRIMARY KEY)")
            try await db.migrate([Self.migrations[1], fixed])
            #expect(try await db.appliedVersions() == [1, 2])
        }
    }

    @Test(arguments: Backend.available)
    func duplicateVersionsAreRefusedBeforeAnythingRuns(backend: Backend) async throws {
        try await withScratchDatabase(backend) { db, _ in
            let error = await #expect(throws: HubError.self) {
                try await db.migrate([
                    Migration(version: 1, name: "a", sql: "CREATE TABLE a (id TEXT)"),
                    Migration(version: 5, name: "b", sql: "CREATE TABLE b (id TEXT)"),
                    Migration(version: 5, name: "c", sql: "CREATE TABLE c (id TEXT)"),
                ])
            }
            #expect(error?.code == .storage)
            #expect(error?.message.contains("5") == true)
            let applied = try await db.appliedVersions()
            #expect(applied.isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func twoProcessesMigratingTheSameDatabaseAtOnceApplyEachMigrationOnce(backend: Backend) async throws {
        let scratch = Scratch(backend)
        let first = try await scratch.open()
        let second = try await scratch.open()
        let migrations = (1...8).map { v in
            Migration(version: v, name: "m\(v)", sql: "CREATE TABLE t\(v) (id TEXT PRIMARY KEY); ")
        }
        async let a: Void = first.migrate(migrations)
        async let b: Void = second.migrate(migrations)
        _ = try await (a, b)
        #expect(try await first.appliedVersions() == Array(1...8))
        #expect(try await second.appliedVersions() == Array(1...8))
        await first.close()
        await second.close()
        await scratch.remove()
    }
}
