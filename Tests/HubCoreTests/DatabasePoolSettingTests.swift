import Foundation
import HubCore
import HubProtocol
import Testing

/// Issue 17: the PostgreSQL pool size is configuration, from hub.json or the environment.
@Suite("Database pool size setting")
struct DatabasePoolSettingTests {
    @Test("Unset, the size is left to the host default; hub.json sets it and HUB_DATABASE_POOL_SIZE overrides it")
    func fileThenEnvironment() throws {
        let unset = try configFolder("{}")
        defer { try? FileManager.default.removeItem(atPath: unset) }
        #expect(try HubConfiguration.load(configDir: unset, environment: [:]).databasePoolSize == nil)
        let dir = try configFolder(#"{"databasePoolSize": 6}"#)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try HubConfiguration.load(configDir: dir, environment: [:]).databasePoolSize == 6)
        #expect(try HubConfiguration.load(configDir: dir, environment: ["HUB_DATABASE_POOL_SIZE": "12"]).databasePoolSize == 12)
    }

    @Test("A size out of range or not a number is refused, naming the setting")
    func badSizesNameTheSetting() throws {
        let dir = try configFolder(#"{"databasePoolSize": 0}"#)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let inFile = #expect(throws: HubError.self) { try HubConfiguration.load(configDir: dir, environment: [:]) }
        #expect(inFile?.field == "hub.json:databasePoolSize")
        let inEnvironment = #expect(throws: HubError.self) {
            try HubConfiguration.load(configDir: dir, environment: ["HUB_DATABASE_POOL_SIZE": "many"])
        }
        #expect(inEnvironment?.field == "HUB_DATABASE_POOL_SIZE")
    }
}
