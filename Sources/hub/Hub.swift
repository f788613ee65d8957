import ArgumentParser
import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import Logging

/// `hub`: one binary for every component and every operator task.
@main
struct Hub: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub",
        abstract: "Utväg Hub — collaboration hub for Utväg centres and their partner agencies.",
        subcommands: [Up.self, Run.self, Keys.self, Users.self, Status.self, BackupCommand.self, RestoreCommand.self, Bench.self, Import.self, AdapterCommand.self]
    )
}

/// Options every command takes.
struct CommonOptions: ParsableArguments {
    @Option(help: "Folder for databases, keys and logs.")
    var dataDir: String = "./data"
    @Option(help: "Folder with hub.json, policy.json, reference data and public keys.")
    var config: String = "./config"
    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    var layout: DataLayout { DataLayout(root: dataDir) }

    func loadConfiguration() throws -> HubConfiguration {
        try HubConfiguration.load(configDir: config)
    }
    func bootstrap() {
        // Everything the hub writes (databases, WAL, logs, keys, adapter folders) is the
        // service account's alone: folders 0700, files 0600.
        umask(0o077)
        HubLogging.bootstrap(level: Logger.Level(rawValue: logLevel) ?? .info)
        HubMetrics.bootstrap()
    }

    /// Creates the data folder 0700 when it is missing, and warns when an existing one
    /// (or a folder or file directly in it) can be read or entered by others: it holds
    /// personal data and keys.
    func preparePrivateDataFolder(logger: Logger) throws {
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        var open: [String] = []
        for path in [dataDir] + ((try? FileManager.default.contentsOfDirectory(atPath: dataDir)) ?? []).map({ dataDir + "/" + $0 }) {
            var info = stat()
            if lstat(path, &info) == 0, info.st_mode & 0o077 != 0 { open.append(path) }
        }
        if !open.isEmpty {
            logger.warning("the data folder is readable by others; it holds personal data and keys: chmod -R go-rwx it",
                           metadata: ["hub.data_dir": "\(dataDir)", "hub.open_paths": "\(open.count)"])
        }
    }
    /// Folders searched for key files: the data folder's (dev, secrets) then config's (public).
    var keyDirectories: [String] { [layout.keys, config + "/keys"] }
}

/// Prints a `HubError` for people and exits non-zero.
func exitWith(_ error: any Error) -> Never {
    let text = (error as? HubError)?.description ?? "\(error)"
    FileHandle.standardError.write(Data("hub: \(text)\n".utf8))
    exit(2)
}
