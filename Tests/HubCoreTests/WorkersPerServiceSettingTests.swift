import Foundation
import HubCore
import HubProtocol
import Testing

/// Issue 16, item 4: how many processes of each service `hub up` starts is configuration,
/// checked at start: a clear error naming the setting, and more than one only on PostgreSQL.
@Suite("Workers per service setting")
struct WorkersPerServiceSettingTests {
    static let url = "postgres://hub:hub@127.0.0.1:5432/hub"

    func refusal(_ json: String, _ environment: [String: String]) throws -> HubError? {
        let dir = try configFolder(json)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return #expect(throws: HubError.self) { try HubConfiguration.load(configDir: dir, environment: environment) }
    }

    @Test("Default 1; hub.json sets it with a database URL, and HUB_WORKERS_PER_SERVICE overrides it")
    func fileThenEnvironment() throws {
        let unset = try configFolder("{}")
        defer { try? FileManager.default.removeItem(atPath: unset) }
        #expect(try HubConfiguration.load(configDir: unset, environment: [:]).workersPerService == 1)
        let dir = try configFolder(#"{"workersPerService": 2}"#)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try HubConfiguration.load(configDir: dir, environment: ["HUB_DATABASE_URL": Self.url]).workersPerService == 2)
        #expect(try HubConfiguration.load(configDir: dir, environment: ["HUB_DATABASE_URL": Self.url, "HUB_WORKERS_PER_SERVICE": "3"])
            .workersPerService == 3)
        #expect(try HubConfiguration.load(configDir: dir, environment: ["HUB_WORKERS_PER_SERVICE": "1"]).workersPerService == 1)
    }

    @Test("0, negative, too many or not a number is refused, naming the setting", arguments: ["0", "-1", "17"])
    func outOfRange(_ n: String) throws {
        let e = try refusal(#"{"workersPerService": \#(n)}"#, ["HUB_DATABASE_URL": Self.url])
        #expect(e?.field == "hub.json:workersPerService")
        #expect(e?.message.contains("1–16") == true)
        let env = try refusal("{}", ["HUB_DATABASE_URL": Self.url, "HUB_WORKERS_PER_SERVICE": n])
        #expect(env?.field == "HUB_WORKERS_PER_SERVICE")
        let word = try refusal("{}", ["HUB_WORKERS_PER_SERVICE": "two"])
        #expect(word?.field == "HUB_WORKERS_PER_SERVICE")
    }

    @Test("More than one worker on SQLite is refused, saying why")
    func moreThanOneNeedsPostgreSQL() throws {
        let inFile = try refusal(#"{"workersPerService": 2}"#, [:])
        #expect(inFile?.field == "hub.json:workersPerService")
        #expect(inFile?.message.contains("PostgreSQL") == true)
        #expect(inFile?.message.contains("SQLite") == true)
        let inEnvironment = try refusal("{}", ["HUB_WORKERS_PER_SERVICE": "2"])
        #expect(inEnvironment?.field == "HUB_WORKERS_PER_SERVICE")
        #expect(inEnvironment?.message.contains("SQLite") == true)
    }
}
