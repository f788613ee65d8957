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
        subcommands: [Up.self, Run.self, Keys.self, Users.self, Status.self, Bench.self, Import.self]
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
        HubLogging.bootstrap(level: Logger.Level(rawValue: logLevel) ?? .info)
        HubMetrics.bootstrap()
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
