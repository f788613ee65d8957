import Foundation
import HubStorage
import Logging
import Testing

/// The databases the tests run on: SQLite always, PostgreSQL too when
/// `HUB_TEST_DATABASE_URL` is set (scripts/start-postgres.sh prints one; scripts/test.sh sets it).
/// One definition for every test target, so that "which backends" is decided in one place.
public enum Backend: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite, postgres

    /// The PostgreSQL server to test against, if any.
    public static var postgresURL: String? {
        let url = ProcessInfo.processInfo.environment["HUB_TEST_DATABASE_URL"]
        return url?.isEmpty == false ? url : nil
    }

    /// The backends this run can use (the arguments of a parameterised test).
    public static var available: [Backend] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    public var testDescription: String { rawValue }
}

/// A fresh, empty database for one test: a SQLite file in its own temporary folder, or a
/// new PostgreSQL schema. `remove()` deletes the folder or drops the schema afterwards.
public struct ScratchDatabase: Sendable {
    public let backend: Backend
    /// The SQLite file's path, or the PostgreSQL schema's name.
    public let location: String
    /// The temporary folder that holds the SQLite file (nil on PostgreSQL).
    public let folder: String?

    /// `name` names the folder or schema (`meetings` → `…/meetings-<random>/meetings.sqlite`
    /// or schema `meetings_<random>`); `file` is the SQLite file's path inside the folder.
    public init(_ backend: Backend, name: String, file: String? = nil) {
        self.backend = backend
        let token = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        switch backend {
        case .sqlite:
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(token)").path
            folder = dir
            location = dir + "/" + (file ?? "\(name).sqlite")
        case .postgres:
            folder = nil
            location = "\(name)_\(token)"
        }
    }

    public var configuration: DatabaseConfiguration {
        switch backend {
        case .sqlite: .sqlite(path: location)
        case .postgres: .postgres(url: Backend.postgresURL!, schema: location)
        }
    }

    public func open(logger: Logger = TestLogging.quiet("hub.tests")) async throws -> any HubDatabase {
        try await Databases.open(configuration, logger: logger)
    }

    /// Deletes what the test left: the folder, or the schema (through a connection of its own).
    public func remove() async {
        switch backend {
        case .sqlite:
            if let folder { try? FileManager.default.removeItem(atPath: folder) }
        case .postgres:
            if let db = try? await Databases.open(configuration, logger: TestLogging.quiet("hub.tests.cleanup")) {
                _ = try? await db.execute("DROP SCHEMA IF EXISTS \"\(location)\" CASCADE", [])
                await db.close()
            }
        }
    }
}

/// Loggers for tests: warnings and errors only, so test output stays readable.
public enum TestLogging {
    public static func quiet(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = .warning
        return logger
    }
}

/// Where the repository's files are, for tests that read the real configuration.
public enum TestPaths {
    /// The repository's root folder.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// `config/`, the reference data every service reads.
    public static let configDir: String = root.appendingPathComponent("config").path
}
