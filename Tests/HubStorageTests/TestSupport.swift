import Foundation
import HubProtocol
import HubStorage
@_exported import HubTestSupport
import Logging
import Testing

let testLogger = TestLogging.quiet("hub.storage.tests")

/// A fresh database for the storage tests: its SQLite file one folder deeper than usual,
/// so that opening also proves the parent folders are made.
typealias Scratch = ScratchDatabase

extension ScratchDatabase {
    init(_ backend: Backend) { self.init(backend, name: "hubstorage", file: "nested/test.sqlite") }
}

/// Runs `body` with a fresh database of `backend`, closing and removing it afterwards.
func withScratchDatabase(
    _ backend: Backend,
    _ body: (any HubDatabase, Scratch) async throws -> Void
) async throws {
    let scratch = Scratch(backend)
    let db = try await scratch.open()
    do {
        try await body(db, scratch)
    } catch {
        await db.close()
        await scratch.remove()
        throw error
    }
    await db.close()
    await scratch.remove()
}

struct CanaryError: Error, Equatable {
    let tag: Int
}

extension HubDatabase {
    func appliedVersions() async throws -> [Int] {
        switch self {
        case let db as SQLiteDatabase: try await db.appliedMigrations()
        case let db as PostgresDatabase: try await db.appliedMigrations()
        default: []
        }
    }
}
