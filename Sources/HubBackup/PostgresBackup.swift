import Foundation
import HubProtocol

/// Backup and restore of the hub's PostgreSQL schemas with the server's own tools: one
/// `pg_dump` (custom format, one consistent snapshot) per component schema, and `pg_restore`
/// into a database whose schemas are empty. The connection comes from the database URL as
/// libpq environment variables (PGHOST, PGPASSWORD, …), so the password is never on a
/// command line that `ps` shows.
public enum PostgresBackup {
    /// The full path of a PostgreSQL client program, or an error saying how to get it.
    public static func tool(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(HubError) -> String {
        let folders = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        for folder in folders where FileManager.default.isExecutableFile(atPath: folder + "/" + name) {
            return folder + "/" + name
        }
        throw HubError(.notFound, "\(name) is not installed or not on PATH; install the PostgreSQL client programs (apt-get install postgresql-client, the server's major version or newer).",
                       field: name)
    }

    /// libpq's environment for `url` (`postgres://user:password@host:port/database?sslmode=…`).
    public static func connectionEnvironment(_ url: String) throws(HubError) -> (environment: [String: String], database: String) {
        guard let c = URLComponents(string: url), ["postgres", "postgresql"].contains(c.scheme ?? ""),
              let host = c.host, !host.isEmpty else {
            throw HubError(.validation, "Not a postgres:// URL.", field: "HUB_DATABASE_URL")
        }
        let database = String(c.path.drop(while: { $0 == "/" }))
        var env: [String: String] = ["PGHOST": host, "PGDATABASE": database.isEmpty ? (c.user ?? "postgres") : database,
                                     "PGCONNECT_TIMEOUT": "10"]
        if let port = c.port { env["PGPORT"] = String(port) }
        if let user = c.user { env["PGUSER"] = user.removingPercentEncoding ?? user }
        if let password = c.password { env["PGPASSWORD"] = password.removingPercentEncoding ?? password }
        for item in c.queryItems ?? [] {
            switch item.name {
            case "sslmode": env["PGSSLMODE"] = item.value
            case "sslrootcert": env["PGSSLROOTCERT"] = item.value
            default: break
            }
        }
        return (env, env["PGDATABASE"]!)
    }

    /// Dumps each schema that has tables into `<target>/pg/<schema>.dump`; schemas with none
    /// are skipped and returned in `skipped`.
    public static func dump(url: String, schemas: [String], to target: String,
                            say: (String) -> Void = { _ in }) throws(HubError) -> (entries: [BackupManifest.Entry], skipped: [String]) {
        let pgDump = try tool("pg_dump")
        let psql = try tool("psql")
        let (env, _) = try connectionEnvironment(url)
        try DataFolderBackup.makeFolder(target + "/pg")
        var entries: [BackupManifest.Entry] = []
        var skipped: [String] = []
        for schema in schemas {
            guard try tableCount(schema, psql: psql, env: env) > 0 else { skipped.append(schema); continue }
            let path = "pg/\(schema).dump"
            say("\(path): pg_dump --schema=\(schema)…")
            _ = try run(pgDump, ["--format=custom", "--schema=\(schema)", "--no-owner", "--no-privileges", "--file=\(target)/\(path)"],
                        env: env, field: schema)
            chmod(target + "/" + path, 0o600)
            var entry = try DataFolderBackup.describe(path, in: target, kind: "pg_dump")
            entry.component = schema
            entry.schemaVersion = Int(try run(psql, ["-XAtq", "-v", "ON_ERROR_STOP=1", "-c",
                                                     "SELECT max(version) FROM \(schema).schema_migrations"], env: env, field: schema)
                .trimmingCharacters(in: .whitespacesAndNewlines))
            entries.append(entry)
        }
        return (entries, skipped)
    }

    /// Restores every `pg_dump` entry into its schema, refusing a schema that has tables.
    /// Each schema is restored in one transaction (`--single-transaction --exit-on-error`).
    public static func restore(_ manifest: BackupManifest, from backup: String, url: String,
                               say: (String) -> Void = { _ in }) throws(HubError) {
        let dumps = manifest.files.filter { $0.kind == "pg_dump" }
        guard !dumps.isEmpty else { return }
        let pgRestore = try tool("pg_restore")
        let psql = try tool("psql")
        let (env, database) = try connectionEnvironment(url)
        for entry in dumps {
            guard let schema = entry.component, schema.allSatisfy({ ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "_" }) else {
                throw HubError(.validation, "The manifest names no valid schema for this dump.", field: entry.path)
            }
            if try tableCount(schema, psql: psql, env: env) > 0 {
                throw HubError(.conflict, "Schema \(schema) in the target database already has tables; restore into an empty database.", field: "HUB_DATABASE_URL")
            }
        }
        for entry in dumps {
            let schema = entry.component!
            say("\(entry.path): pg_restore into schema \(schema)…")
            // The schema may exist already, empty (deploy/postgres/setup.sql makes it with its
            // owner): make it when missing and restore everything but the CREATE SCHEMA.
            _ = try run(psql, ["-XAtq", "-v", "ON_ERROR_STOP=1", "-c", "CREATE SCHEMA IF NOT EXISTS \(schema)"], env: env, field: schema)
            let list = try run(pgRestore, ["--list", backup + "/" + entry.path], env: env, field: entry.path)
            let kept = list.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains(" SCHEMA - ") }.joined(separator: "\n")
            let listPath = NSTemporaryDirectory() + "hub-restore-\(UUID().uuidString).list"
            try DataFolderBackup.write(Data(kept.utf8), to: listPath, field: entry.path)
            defer { unlink(listPath) }
            _ = try run(pgRestore, ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                                    "--use-list=\(listPath)", "--dbname=\(database)", backup + "/" + entry.path], env: env, field: schema)
        }
    }

    static func tableCount(_ schema: String, psql: String, env: [String: String]) throws(HubError) -> Int {
        let out = try run(psql, ["-XAtq", "-v", "ON_ERROR_STOP=1", "-c",
                                 "SELECT count(*) FROM information_schema.tables WHERE table_schema = '\(schema)'"], env: env, field: schema)
        return Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// Runs a client program; its standard output, or an error with the last line it wrote
    /// on standard error (connection and object names only: the tools never print rows).
    @discardableResult
    static func run(_ program: String, _ arguments: [String], env: [String: String], field: String) throws(HubError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(env) { _, new in new }
        // Standard error to a private temporary file, standard output through a pipe read
        // to its end before waiting (so a full pipe cannot stall the child).
        let errPath = NSTemporaryDirectory() + "hub-\(UUID().uuidString).stderr"
        let errFD = open(errPath, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard errFD >= 0 else { throw HubError(.storage, "A temporary file could not be made.", field: field) }
        defer { unlink(errPath) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(fileDescriptor: errFD, closeOnDealloc: true)
        process.standardInput = FileHandle.nullDevice
        let name = (program as NSString).lastPathComponent
        do { try process.run() } catch { throw HubError(.storage, "\(name) could not be started.", field: name) }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
            let last = text.split(separator: "\n").last.map { String($0.prefix(300)) } ?? "exit status \(process.terminationStatus)"
            throw HubError(.storage, "\(name) failed: \(last)", field: field)
        }
        return String(decoding: output, as: UTF8.self)
    }
}

