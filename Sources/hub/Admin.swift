import ArgumentParser
import Foundation
import HubBus
import HubCore
import HubGateway
import HubProtocol
import HubStorage
import Logging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage CURVE keys and the data keys that seal personal data.",
                                                    subcommands: [Generate.self, GenerateData.self, RotateData.self])

    struct GenerateData: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "generate-data",
            abstract: "Make <data-dir>/keys/data-keys.json (AES-256-GCM key and blind-index key) unless it exists.")
        @OptionGroup var options: CommonOptions
        func run() async throws {
            do {
                let wrote = try DataKeyRing.ensureFile(keysDirectory: options.layout.keys)
                print(wrote ? "wrote \(options.layout.keys)/\(DataKeyRing.fileName)" : "\(DataKeyRing.fileName) exists; nothing changed")
            } catch { exitWith(error) }
        }
    }

    struct RotateData: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rotate-data",
            abstract: "Add a new current data key; services re-seal personal data under it at their next start. Old keys stay to decrypt.")
        @OptionGroup var options: CommonOptions
        func run() async throws {
            do {
                let path = options.layout.keys + "/" + DataKeyRing.fileName
                let file = try ConfigFile.decode(DataKeyRing.File.self, path: path)
                let next = DataKeyRing.rotated(file)
                try DataKeyRing.write(next, to: path)
                print("current data key is now \(next.current); restart the services to re-seal stored data")
            } catch { exitWith(error) }
        }
    }

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a key pair for a principal (broker, gateway, service:<name>, adapter:<agency>).")
        @Argument(help: "The principal, e.g. adapter:police.")
        var principal: String
        @Option(help: "Where to write the key files (default: <data-dir>/keys).")
        var out: String?
        @Flag(help: "Replace an existing key pair (key rotation).")
        var overwrite = false
        @OptionGroup var options: CommonOptions

        func run() async throws {
            do {
                let file = try KeyStore.generate(principal: Principal(principal), directory: out ?? options.layout.keys, overwrite: overwrite)
                print("\(file.principal) \(file.publicKey)")
            } catch { exitWith(error) }
        }
    }
}

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage web users.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user; the password is read from standard input.")
        @Option var username: String
        @Option(help: "admin, staff, agency or board.") var role: String
        @Option(help: "For role agency: the agency id from config/agencies.json.") var agency: String?
        @Option(help: "For roles staff and board: the centre id from config/centres.json.") var centre: String?
        @OptionGroup var options: CommonOptions

        func run() async throws {
            options.bootstrap()
            do {
                let config = try options.loadConfiguration()
                let data = try ReferenceData.load(configDir: options.config)
                if let agency, !data.agencies.contains(where: { $0.id == agency }) {
                    throw HubError(.validation, "Unknown agency; see config/agencies.json.", field: "agency")
                }
                if let centre, !data.centres.contains(where: { $0.id == centre }) {
                    throw HubError(.validation, "Unknown centre; see config/centres.json.", field: "centre")
                }
                guard let line = readLine(strippingNewline: true) else {
                    throw HubError(.validation, "Give the password on standard input.", field: "password")
                }
                let db = try await Databases.open(.forComponent("gateway", dataDir: options.dataDir, databaseURL: config.databaseURL), logger: Logger(label: "hub.users"))
                try await db.migrate(UserStore.migrations)
                do {
                    let user = try await UserStore(database: db).create(username: username, password: line, role: role, agency: agency, centre: centre)
                    print("created \(user.username) (\(user.role))")
                } catch {
                    await db.close()
                    throw error
                }
                await db.close()
            } catch { exitWith(error) }
        }
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show every component's state as the gateway's /healthz reports it.")
    @OptionGroup var options: CommonOptions

    func run() async throws {
        do {
            let config = try options.loadConfiguration()
            let url = "http://\(config.gateway.host):\(config.gateway.port)/healthz"
            guard let u = URL(string: url), let (data, _) = try? await URLSession.shared.data(from: u),
                  let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw HubError(.timeout, "The gateway at \(url) does not answer. Is the hub running (`hub up`)?")
            }
            print("hub: \(obj["status"] ?? "?")  broker: \(obj["broker"] ?? "?")")
            for key in ["services", "adapters"] {
                for item in (obj[key] as? [[String: Any]]) ?? [] {
                    let workers = item["workers"].map { "  workers: \($0)" } ?? ""
                    let storage = item["storage"].map { "  storage: \($0)" } ?? ""
                    print("  \(key.dropLast()) \(item["name"] ?? "?"): \(item["status"] ?? "?")\(workers)\(storage)")
                }
            }
            if obj["status"] as? String != "ok" { throw ExitCode(1) }
        } catch let e as ExitCode { throw e } catch { exitWith(error) }
    }
}
