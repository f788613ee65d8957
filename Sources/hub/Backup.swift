import ArgumentParser
import Foundation
import HubBackup
import HubCore
import HubProtocol
import HubStorage

/// `hub backup --to DIR`: a consistent copy of every component's data while the hub runs.
/// SQLite: each `db/*.sqlite` through the online backup API; PostgreSQL: `pg_dump` per
/// component schema. Plus the adapters' folders. Never the keys (deploy/README.md §7).
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backup",
        abstract: "Copy every service's data into a new folder while the hub runs (keys are backed up apart).")

    @Option(help: "A new or empty folder for the backup (made 0700).")
    var to: String
    @OptionGroup var options: CommonOptions

    func run() async throws {
        umask(0o077)
        do {
            let config = try options.loadConfiguration()
            try DataFolderBackup.prepareEmptyTarget(to)
            let started = Timestamp.now()
            let showProgress = isatty(STDERR_FILENO) == 1
            var entries: [BackupManifest.Entry]
            let backend: String
            if let url = config.databaseURL, !url.isEmpty {
                backend = "postgres"
                let schemas = Self.components(config).map { DatabaseConfiguration.schemaName(for: $0) }
                let (dumps, skipped) = try PostgresBackup.dump(url: url, schemas: schemas, to: to, say: { if showProgress { say($0) } })
                if !skipped.isEmpty { say("no tables, not dumped: \(skipped.joined(separator: ", "))") }
                entries = dumps
            } else {
                backend = "sqlite"
                var lastShown = ContinuousClock.now
                entries = try DataFolderBackup.backUpSQLite(dataDir: options.dataDir, to: to) { file, copied, total in
                    guard showProgress, copied == total || ContinuousClock.now - lastShown > .milliseconds(200) else { return }
                    lastShown = .now
                    FileHandle.standardError.write(Data("\r\(file): \(copied)/\(total) pages\u{1B}[K\(copied == total ? "\n" : "")".utf8))
                }
            }
            entries += try DataFolderBackup.backUpAdapterFiles(dataDir: options.dataDir, to: to)
            let manifest = BackupManifest(createdAt: started, backend: backend,
                                          hubBinarySHA256: DataFolderBackup.sha256(ofFile: Up.selfPath()), files: entries)
            try DataFolderBackup.writeManifest(manifest, to: to)
            for e in entries where e.kind != "file" {
                say("\(e.path)  \(Self.size(e.bytes))" + (e.pages.map { "  \($0) pages" } ?? "") + (e.schemaVersion.map { "  schema \($0)" } ?? ""))
            }
            let files = entries.filter { $0.kind == "file" }.count
            say("backup of \(backend) data taken at \(started) in \(to): \(entries.count - files) databases, \(files) adapter files, \(Self.size(entries.reduce(0) { $0 + $1.bytes })); keys are not in it")
        } catch {
            exitWith(error)
        }
    }

    /// Every component with a database, in the order work flows (as the SQLite snapshots):
    /// the adapters, the gateway, the services.
    static func components(_ config: HubConfiguration) -> [String] {
        config.adapters.map { "adapter_\($0)" } + ["gateway"] + config.services
    }

    static func size(_ bytes: Int64) -> String {
        bytes >= 1 << 20 ? String(format: "%.1f MB", Double(bytes) / 1_048_576) : String(format: "%.1f kB", Double(bytes) / 1024)
    }
}

/// `hub restore --from DIR --data-dir EMPTY`: checks the backup against its manifest, then
/// brings it back into an empty data folder (SQLite files and adapter folders) and, on
/// PostgreSQL, into empty schemas. The keys are restored apart, by the operator.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restore",
        abstract: "Restore a backup made by `hub backup` into an empty data folder (and empty PostgreSQL schemas).")

    @Option(help: "The backup folder.")
    var from: String
    @OptionGroup var options: CommonOptions

    func run() async throws {
        umask(0o077)
        do {
            let config = try options.loadConfiguration()
            let manifest = try DataFolderBackup.verify(backup: from)
            say("backup of \(manifest.createdAt) checked: \(manifest.files.count) files match the manifest")
            let url = config.databaseURL.flatMap { $0.isEmpty ? nil : $0 }
            if manifest.backend == "postgres", url == nil {
                throw HubError(.validation, "This is a PostgreSQL backup; set HUB_DATABASE_URL (or databaseURL in hub.json) to the database to restore into.", field: "HUB_DATABASE_URL")
            }
            if manifest.backend == "sqlite", url != nil {
                throw HubError(.validation, "This is a SQLite backup, but HUB_DATABASE_URL is set; unset it to restore into the data folder.", field: "HUB_DATABASE_URL")
            }
            try DataFolderBackup.prepareEmptyDataFolder(options.dataDir)
            if let url { try PostgresBackup.restore(manifest, from: from, url: url, say: say) }
            try DataFolderBackup.restoreFiles(manifest, from: from, to: options.dataDir)
            let keys = FileManager.default.fileExists(atPath: options.layout.keys)
            say("restored into \(options.dataDir)" + (keys ? "" : "; now restore the keys folder apart (deploy/README.md §7) before starting the hub"))
        } catch {
            exitWith(error)
        }
    }
}
