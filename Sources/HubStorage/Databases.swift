import Foundation
import HubProtocol
import Logging

/// Opens the database a `DatabaseConfiguration` describes.
public enum Databases {
    /// `poolSize` bounds the PostgreSQL connections (nil: `DatabasePoolSize.hostDefault`); SQLite has one.
    public static func open(_ configuration: DatabaseConfiguration, poolSize: Int? = nil, logger: Logger) async throws(HubError) -> any HubDatabase {
        switch configuration {
        case .sqlite(let path):
            return try await SQLiteDatabase.open(path: path, logger: logger)
        case .postgres(let url, let schema):
            return try await PostgresDatabase.open(url: url, schema: schema, logger: logger,
                                                   maximumConnections: poolSize ?? DatabasePoolSize.hostDefault)
        }
    }
}

extension DatabaseConfiguration {
    /// The database of one component (service): `<dataDir>/db/<name>.sqlite` when
    /// `databaseURL` is nil, else schema `<name>` (lower-cased, other characters than
    /// [a-z0-9_] replaced by `_`) in that PostgreSQL database.
    public static func forComponent(_ name: String, dataDir: String, databaseURL: String?) -> DatabaseConfiguration {
        if let databaseURL, !databaseURL.isEmpty {
            return .postgres(url: databaseURL, schema: schemaName(for: name))
        }
        let file = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") ? $0 : "_" })
        let directory = dataDir.hasSuffix("/") ? String(dataDir.dropLast()) : dataDir
        return .sqlite(path: "\(directory)/db/\(file.isEmpty ? "hub" : file).sqlite")
    }

    /// A valid PostgreSQL schema name for a component name.
    public static func schemaName(for name: String) -> String {
        var schema = String(name.lowercased().map { c -> Character in
            (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c == "_" ? c : "_"
        })
        if schema.isEmpty { schema = "hub" }
        if let first = schema.first, first.isNumber || schema.hasPrefix("pg_") { schema = "s_" + schema }
        return String(schema.prefix(63))
    }
}

/// How many PostgreSQL connections each process keeps per schema.
///
/// Set by `databasePoolSize` in config/hub.json or `HUB_DATABASE_POOL_SIZE` (1–200). The
/// default is sized for the host: twice its cores, at least 4. More connections than the
/// server has cores to run them do not make commits faster; they only queue inside
/// PostgreSQL (on row locks and the WAL) instead of in the pool, where the wait is
/// visible as `hub_db_pool_wait_seconds`.
public enum DatabasePoolSize {
    /// Twice the host's cores, at least 4.
    public static var hostDefault: Int { max(4, 2 * ProcessInfo.processInfo.activeProcessorCount) }
    /// The valid range of a configured size.
    public static let range = 1...200
}
