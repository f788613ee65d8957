import HubWeb
import HubCore
import HubProtocol

/// The bus as the gateway reports it on /healthz, /api/v1/status and the start page:
/// every configured service and adapter, up or down, from the broker's own view, and
/// for each service that is up, whether its storage takes writes (`<service>.health`).
struct HealthReport: Sendable, Codable, Equatable {
    struct Component: Sendable, Codable, Equatable {
        var name: String
        var status: String
        var workers: Int?
        /// A service's storage: one of `storageStates`, or "unknown" when it did not say.
        var storage: String?
        /// Its storage is known not to take writes ("failing" or "full").
        var storageTrouble: Bool { storage.map { $0 != "ok" && Self.storageStates.contains($0) } ?? false }
        /// Up, and (for a service) its storage is not known to be failing.
        var healthy: Bool { status == "up" && !storageTrouble }
        /// What a service may answer to `<service>.health` (docs/protocol.md).
        static let storageStates: Set<String> = ["ok", "failing", "full"]
    }
    var status: String
    var broker: String
    /// Each configured broker, from the gateway's own connections (`broker`, `broker-2`, …):
    /// with several, one that is down leaves the hub working but degraded.
    var brokers: [Component] = []
    var services: [Component]
    var adapters: [Component]
    var uptimeSeconds: Double?

    var brokerUp: Bool { broker == "up" }

    /// `storage` holds each service's answer to `<service>.health` (absent: "unknown").
    init(configuration: HubConfiguration, brokerStatus: BrokerStatus?, storage: [String: String] = [:], links: [BrokerLink] = []) {
        brokers = links.count > 1 ? links.enumerated().map { index, link in
            Component(name: HubConfiguration.Broker.componentName(index), status: link.connected ? "up" : "down")
        } : []
        guard let brokerStatus else {
            broker = "down"
            services = configuration.services.map { Component(name: $0, status: "down", workers: 0) }
            adapters = configuration.adapters.map { Component(name: $0, status: "down") }
            status = "degraded"
            return
        }
        broker = "up"
        uptimeSeconds = brokerStatus.uptimeSeconds
        services = configuration.services.map { name in
            let workers = brokerStatus.services.first { $0.name == name }?.workers ?? 0
            return Component(name: name, status: workers > 0 ? "up" : "down", workers: workers,
                             storage: workers > 0 ? storage[name] ?? "unknown" : nil)
        }
        let peers = Set(brokerStatus.peers)
        adapters = configuration.adapters.map { Component(name: $0, status: peers.contains("adapter:" + $0) ? "up" : "down") }
        status = (brokers + services + adapters).allSatisfy(\.healthy) ? "ok" : "degraded"
    }

    /// JSON for /healthz (no uptime) or /api/v1/status (with uptime).
    func json(includeUptime: Bool) -> JSONValue {
        func comp(_ c: Component) -> JSONValue {
            var o: [String: JSONValue] = ["name": .string(c.name), "status": .string(c.status)]
            if let w = c.workers { o["workers"] = .number(Double(w)) }
            if let storage = c.storage { o["storage"] = .string(storage) }
            return .object(o)
        }
        var o: [String: JSONValue] = [
            "status": .string(status), "broker": .string(broker),
            "services": .array(services.map(comp)), "adapters": .array(adapters.map(comp)),
        ]
        if !brokers.isEmpty { o["brokers"] = .array(brokers.map(comp)) }
        if includeUptime, let uptimeSeconds { o["uptimeSeconds"] = .number(uptimeSeconds.rounded()) }
        return .object(o)
    }
}
