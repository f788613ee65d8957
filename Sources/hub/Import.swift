import ArgumentParser
import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import Logging
import MeetingsAPI
import MeetingsService
import ReferralsAPI
import ReferralsService

/// `hub import …`: bring existing documents into the hub.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Import existing documents.", subcommands: [ImportMinutes.self, ImportStatistics.self])
}

/// `hub import minutes FILE…`: management-group minutes written in the centres' style
/// become held meetings with filed minutes, straight into the meetings service's
/// database (the same handler the bus calls, without the bus).
struct ImportMinutes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "minutes",
        abstract: "Import minutes (Markdown, plain text or Word .docx); prints the counts per file and every line that could not be placed.")

    @Argument(help: "Minutes files.")
    var files: [String]
    @Option(help: "The centre id when the minutes do not name a configured centre.")
    var centre: String?
    @Option(help: "The meeting date (YYYY-MM-DD) when the minutes do not give it.")
    var date: String?
    @Option(help: "The group whose minutes these are (management) when the title names another meeting.")
    var group: String?
    @Flag(help: "Read and check the minutes and print what would be imported; store nothing.")
    var dryRun = false
    @OptionGroup var options: CommonOptions

    func run() async throws {
        try await withImportDispatcher(MeetingsService.name, options: options, { try MeetingsService.definition(configDir: options.config) }) { dispatcher in
            var failures = 0
            for file in files {
                let text: String
                if file.lowercased().hasSuffix(".docx") {
                    guard let data = FileManager.default.contents(atPath: file) else { print("\(file): cannot be read"); failures += 1; continue }
                    do throws(HubError) { text = try DocxText.text(data) } catch { print("\(file): \(error.description)"); failures += 1; continue }
                } else {
                    guard let read = readText(file) else { failures += 1; continue }
                    text = read
                }
                let request = MinutesImport(text: text, dryRun: dryRun ? true : nil, group: group, centre: centre, date: date)
                let reply = await importCall(dispatcher, MinutesImport.type, try request.body().objectValue ?? [:])
                if let error = reply.error { print("\(file): \(error.description)"); failures += 1; continue }
                let r = try MinutesImport.reply(reply.body)
                print("\(file): \(dryRun ? "would import" : "imported") centre \(r.centre), date \(r.date)")
                print("  present: \(r.present)")
                print("  regrets: \(r.regrets)")
                print("  items: \(r.items)")
                print("  action items: \(r.actionItems)")
                print("  upcoming: \(r.upcoming.joined(separator: " "))")
                for u in r.unplaced {
                    print("  line \(u.line) not placed: \(u.text)")
                }
            }
            return failures == 0
        }
    }
}

/// The text of `file`, or nil after saying why not.
func readText(_ file: String) -> String? {
    guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
        print("\(file): cannot be read as UTF-8 text"); return nil
    }
    return text
}

/// Runs `body` with a service's dispatcher on the service's own database (no bus): the
/// import commands call the same handlers the bus would. Exits 1 when `body` says it failed.
func withImportDispatcher(_ name: String, options: CommonOptions, _ definition: () throws -> ServiceDefinition,
                          _ body: (Dispatcher) async throws -> Bool) async throws {
    options.bootstrap()
    let config = try options.loadConfiguration()
    var logger = Logger(label: "hub.import")
    logger.logLevel = .warning
    let definition = try definition()
    let database = try await Databases.open(.forComponent(name, dataDir: options.dataDir, databaseURL: config.databaseURL), logger: logger)
    let dispatcher = Dispatcher(definition: definition, database: database, configDir: options.config, logger: logger)
    let ok: Bool
    do {
        try await dispatcher.prepare()
        ok = try await body(dispatcher)
    } catch {
        await database.close()
        exitWith(error)
    }
    await database.close()
    if !ok { throw ExitCode(1) }
}

/// One request to an import handler as an administrator named "import".
func importCall(_ dispatcher: Dispatcher, _ type: String, _ body: [String: JSONValue]) async -> Envelope {
    var body = body
    body["actor"] = ["user": "import", "role": "admin"]
    return await dispatcher.handle(ServiceRequest(envelope: Envelope(type: type, body: .object(body)), principal: .gateway)).0
}

/// `hub import statistics FILE`: earlier years' figures (`centre;year;table;key;count`)
/// straight into the referrals service's database, through the same handler as
/// `POST /api/v1/statistics/import`.
struct ImportStatistics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "statistics",
        abstract: "Import earlier years' statistics (CSV: centre;year;table;key;count); a bad row is refused with its line and field and nothing is stored.")

    @Argument(help: "The CSV file.")
    var file: String
    @Flag(help: "Use the imported figures for a year the hub already has referrals for.")
    var replace = false
    @OptionGroup var options: CommonOptions

    func run() async throws {
        guard let text = readText(file) else { throw ExitCode(1) }
        try await withImportDispatcher(ReferralsService.name, options: options, {
            try ReferralsService.definition(configDir: options.config, keys: DataKeyRing.load(keysDirectory: options.layout.keys))
        }) { dispatcher in
            let reply = await importCall(dispatcher, ImportReferralStatistics.type, try JSONValue.from(ImportReferralStatistics(csv: text, replace: replace)).objectValue ?? [:])
            if let error = reply.error {
                print("\(file): \(error.description)")
                for d in error.details ?? [] { print("  \(d.message)") }
                return false
            }
            for year in try ImportReferralStatistics.reply(reply.body).years {
                print("\(file): \(year.centre) \(year.year): \(year.rows) rows")
            }
            return true
        }
    }
}
