import AgencyAdapters
import ArgumentParser
import Foundation
import HubCore
import HubProtocol

/// Operator tasks on an agency adapter's own data.
struct AdapterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "adapter", abstract: "Work with an agency adapter's own data.",
                                                    subcommands: [OpenRejected.self, ListRejected.self])

    /// Lists the refused documents an adapter keeps sealed, with their reports.
    struct ListRejected: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list-rejected",
            abstract: "List the refused documents a folder adapter keeps sealed (kept rejectedRetentionDays, then removed).")
        @Argument(help: "The adapter: municipality or kriminalvarden.") var adapter: String
        @OptionGroup var options: CommonOptions

        func run() async throws {
            do {
                for folder in try AdapterCommand.folders(adapter, options) {
                    let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.rejected)) ?? []).sorted()
                    for name in names where name.hasSuffix(".sealed") { print(folder.rejected + "/" + name) }
                }
            } catch { exitWith(error) }
        }
    }

    /// Prints a sealed refused document, so staff can see what the agency sent. Opening it
    /// is the one place its content appears in clear: to this terminal, never to a log.
    struct OpenRejected: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "open-rejected",
            abstract: "Print a refused document that a folder adapter keeps sealed (see list-rejected).")
        @Argument(help: "The adapter: municipality or kriminalvarden.") var adapter: String
        @Argument(help: "The sealed file, as list-rejected prints it.") var file: String
        @OptionGroup var options: CommonOptions

        func run() async throws {
            do {
                let path = URL(fileURLWithPath: file).standardizedFileURL.path
                let folder = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
                guard let watched = try AdapterCommand.folders(adapter, options).first(where: {
                    URL(fileURLWithPath: $0.rejected).standardizedFileURL.path == folder
                }) else {
                    throw HubError(.notFound, "The file is not in one of the adapter's rejected/ folders.", field: "file")
                }
                let keys = try AdapterDataKeys.load(adapter: adapter, dataDir: options.dataDir)
                let content = try watched.openSealed(name, protector: DataProtector(ring: keys))
                FileHandle.standardOutput.write(content)
            } catch { exitWith(error) }
        }
    }

    /// The adapter's watched folders: the one folder, or one per municipality.
    static func folders(_ adapter: String, _ options: CommonOptions) throws -> [WatchedFolder] {
        guard adapter == "municipality" || adapter == "kriminalvarden" else {
            throw HubError(.validation, "Only the folder adapters keep refused documents: municipality or kriminalvarden.", field: "adapter")
        }
        let settings = try AdapterSettings.load(adapter: adapter, configDir: options.config)
        let root = (settings.folder ?? "adapters/\(adapter)").hasPrefix("/") ? (settings.folder ?? "") : options.dataDir + "/" + (settings.folder ?? "adapters/\(adapter)")
        if adapter == "kriminalvarden" { return [WatchedFolder(root: root)] }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
        return names.map { WatchedFolder(root: root + "/" + $0) }
    }
}
