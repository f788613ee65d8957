import HubCore
@testable import HubGateway
import HubProtocol
import Testing

/// /healthz with several brokers (issue 16): each is listed from the gateway's own
/// connections, and one that is down leaves the hub working but reported degraded.
@Suite("Health report")
struct HealthReportTests {
    static let status = BrokerStatus(peers: HubConfiguration().adapters.map { "adapter:" + $0 },
                                     services: HubConfiguration().services.map { .init(name: $0, workers: 1, queued: 0) }, uptimeSeconds: 5)

    @Test func withTwoBrokersOneDownTheHubIsDegradedAndSaysWhich() {
        let config = HubConfiguration()
        let storage = Dictionary(uniqueKeysWithValues: config.services.map { ($0, "ok") })
        let both = HealthReport(configuration: config, brokerStatus: Self.status, storage: storage,
                                links: [BrokerLink(endpoint: "tcp://a:1", connected: true), BrokerLink(endpoint: "tcp://b:2", connected: true)])
        #expect(both.status == "ok" && both.brokers.map(\.name) == ["broker", "broker-2"])
        let one = HealthReport(configuration: config, brokerStatus: Self.status, storage: storage,
                               links: [BrokerLink(endpoint: "tcp://a:1", connected: true), BrokerLink(endpoint: "tcp://b:2", connected: false)])
        #expect(one.status == "degraded" && one.brokers.last?.status == "down")
        #expect(one.json(includeUptime: false)["brokers"]?.arrayValue?.count == 2)
        let single = HealthReport(configuration: config, brokerStatus: Self.status, storage: storage,
                                  links: [BrokerLink(endpoint: "tcp://a:1", connected: true)])
        #expect(single.status == "ok" && single.brokers.isEmpty && single.json(includeUptime: false)["brokers"] == nil, "one broker: as before")
    }
}
