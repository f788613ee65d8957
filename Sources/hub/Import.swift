import ArgumentParser
import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import Logging
import MeetingsService

/// `hub import …`: bring existing documents into the hub.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Import existing documents.", subcommands: [ImportMinutes.self])
}

/// `hub import minutes FILE…`: management-group minutes written in the centres' style
/// become held meetings with filed minutes, straight into the meetings service's
/// database (the same handler the bus calls, without the bus).
struct ImportMinutes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "minutes",
        abstract: "Import minutes (Markdown or plain text); prints a summary per file and every line that could not be placed.")

    @Argument(help: "Minutes files.")
    var files: [String]
    @Option(help: "The centre id when the minutes do not name a configured centre.")
    var centre: String?
    @OptionGroup var options: CommonOptions

    func run() async throws {
        options.bootstrap()
        let config = try options.loadConfiguration()
        var logger = Logger(label: "hub.import")
        logger.logLevel = .warning
        let database = try await Databases.open(.forComponent(MeetingsService.name, dataDir: options.dataDir, databaseURL: config.databaseURL), logger: logger)
        let dispatcher = Dispatcher(definition: try MeetingsService.definition(configDir: options.config), database: database,
                                    configDir: options.config, logger: logger)
        var failures = 0
        do {
            try await dispatcher.prepare()
            for file in files {
                guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                    print("\(file): cannot be read as UTF-8 text"); failures += 1; continue
                }
                var body: [String: JSONValue] = ["text": .string(text), "actor": ["user": "import", "role": "admin"]]
                if let centre { body["centre"] = .string(centre) }
                let (reply, _) = await dispatcher.handle(ServiceRequest(envelope: Envelope(type: "meetings.import", body: .object(body)), principal: .gateway))
                if let error = reply.error { print("\(file): \(error.description)"); failures += 1; continue }
                let r = reply.body
                print("\(file): centre \(r["centre"]?.stringValue ?? "?"), date \(r["date"]?.stringValue ?? "?"), "
                      + "present \(Int(r["present"]?.numberValue ?? 0)), regrets \(Int(r["regrets"]?.numberValue ?? 0)), "
                      + "items \(Int(r["items"]?.numberValue ?? 0)), upcoming \((r["upcoming"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " "))")
                for u in r["unplaced"]?.arrayValue ?? [] {
                    print("  line \(Int(u["line"]?.numberValue ?? 0)) not placed: \(u["text"]?.stringValue ?? "")")
                }
            }
        } catch {
            await database.close()
            exitWith(error)
        }
        await database.close()
        if failures > 0 { throw ExitCode(1) }
    }
}
