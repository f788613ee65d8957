import HubProtocol
import Logging

/// Opens the database a `DatabaseConfiguration` describes.
public enum Databases {
    public static func open(_ configuration: DatabaseConfiguration, logger: Logger) async throws(HubError) -> any HubDatabase {
        switch configuration {
        case .sqlite(let path):
            return try await SQLiteDatabase.open(path: path, logger: logger)
        case .postgres(let url, let schema):
            return try await PostgresDatabase.open(url: url, schema: schema, logger: logger)
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
