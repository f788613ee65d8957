import Foundation
import HubProtocol
import HubStorage
import Logging
import Testing

/// The backends the shared suite runs against: SQLite always, PostgreSQL when
/// `HUB_TEST_DATABASE_URL` is set (e.g. from scripts/start-postgres.sh).
enum Backend: String, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    static var postgresURL: String? {
        let url = ProcessInfo.processInfo.environment["HUB_TEST_DATABASE_URL"]
        return url?.isEmpty == false ? url : nil
    }

    static var available: [Backend] {
        postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    var testDescription: String { rawValue }
}

let testLogger: Logger = {
    var logger = Logger(label: "hub.storage.tests")
    logger.logLevel = .warning
    return logger
}()

/// A fresh, empty database of `backend` (a temp SQLite file or a new PostgreSQL
/// schema), removed after the body.
struct Scratch: Sendable {
    let backend: Backend
    let location: String // SQLite path or PostgreSQL schema

    init(_ backend: Backend) {
        self.backend = backend
        let token = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        switch backend {
        case .sqlite:
            location = FileManager.default.temporaryDirectory
                .appendingPathComponent("hubstorage-\(token)/nested/test.sqlite").path
        case .postgres:
            location = "hubtest_\(token)"
        }
    }

    var configuration: DatabaseConfiguration {
        switch backend {
        case .sqlite: .sqlite(path: location)
        case .postgres: .postgres(url: Backend.postgresURL!, schema: location)
        }
    }

    func open() async throws -> any HubDatabase {
        try await Databases.open(configuration, logger: testLogger)
    }

    func cleanUp() async {
        switch backend {
        case .sqlite:
            let folder = URL(fileURLWithPath: location).deletingLastPathComponent().deletingLastPathComponent()
            try? FileManager.default.removeItem(at: folder)
        case .postgres:
            if let db = try? await PostgresDatabase.open(url: Backend.postgresURL!, schema: location, logger: testLogger) {
                _ = try? await db.execute("DROP SCHEMA IF EXISTS \"\(location)\" CASCADE", [])
                await db.close()
            }
        }
    }
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
        await scratch.cleanUp()
        throw error
    }
    await db.close()
    await scratch.cleanUp()
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
