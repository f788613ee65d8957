import Foundation
import HubCore
import HubProtocol
import Testing

/// Issue 16: the hub may run several brokers, listed in hub.json or HUB_BROKER_ENDPOINTS.
@Suite("Broker endpoints setting")
struct BrokerEndpointsSettingTests {
    @Test("One broker by default; a list names every broker and its component; one endpoint named outright wins")
    func oneOrSeveral() throws {
        let plain = try configFolder("{}")
        defer { try? FileManager.default.removeItem(atPath: plain) }
        let one = try HubConfiguration.load(configDir: plain, environment: [:]).broker
        #expect(one.all == ["tcp://127.0.0.1:7600"] && one.endpoint(ofComponent: "broker") == "tcp://127.0.0.1:7600")
        #expect(one.endpoint(ofComponent: "broker-2") == nil)
        let two = try HubConfiguration.load(configDir: plain, environment: ["HUB_BROKER_ENDPOINTS": "tcp://10.0.0.1:7600, tcp://10.0.0.2:7600"]).broker
        #expect(two.all == ["tcp://10.0.0.1:7600", "tcp://10.0.0.2:7600"])
        #expect(two.endpoint(ofComponent: "broker-2") == "tcp://10.0.0.2:7600")
        let listed = try configFolder(#"{"broker": {"endpoints": ["tcp://a:1", "tcp://b:2"]}}"#)
        defer { try? FileManager.default.removeItem(atPath: listed) }
        #expect(try HubConfiguration.load(configDir: listed, environment: [:]).broker.all == ["tcp://a:1", "tcp://b:2"])
        #expect(try HubConfiguration.load(configDir: listed, environment: ["HUB_BROKER_ENDPOINT": "tcp://c:3"]).broker.all == ["tcp://c:3"])
    }

    @Test("A repeated, foreign or overlong list is refused, naming the setting")
    func badListsNameTheSetting() throws {
        for json in [#"{"broker": {"endpoints": ["tcp://a:1", "tcp://a:1"]}}"#, #"{"broker": {"endpoints": ["http://a:1"]}}"#,
                     #"{"broker": {"endpoints": ["tcp://a:1", "tcp://a:2", "tcp://a:3", "tcp://a:4", "tcp://a:5", "tcp://a:6"]}}"#] {
            let dir = try configFolder(json)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            #expect(throws: HubError.self) { try HubConfiguration.load(configDir: dir, environment: [:]) }
            do { _ = try HubConfiguration.load(configDir: dir, environment: [:]) } catch { #expect(error.field == "hub.json:broker.endpoints") }
        }
    }
}
