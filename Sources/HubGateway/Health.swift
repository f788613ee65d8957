import HubCore
import HubProtocol

/// The bus as the gateway reports it on /healthz, /api/v1/status and the start page:
/// every configured service and adapter, up or down, from the broker's own view.
struct HealthReport: Sendable, Codable, Equatable {
    struct Component: Sendable, Codable, Equatable {
        var name: String
        var status: String
        var workers: Int?
    }
    var status: String
    var broker: String
    var services: [Component]
    var adapters: [Component]
    var uptimeSeconds: Double?

    var brokerUp: Bool { broker == "up" }

    init(configuration: HubConfiguration, brokerStatus: BrokerStatus?) {
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
            return Component(name: name, status: workers > 0 ? "up" : "down", workers: workers)
        }
        let peers = Set(brokerStatus.peers)
        adapters = configuration.adapters.map { Component(name: $0, status: peers.contains("adapter:" + $0) ? "up" : "down") }
        status = (services + adapters).allSatisfy { $0.status == "up" } ? "ok" : "degraded"
    }

    /// JSON for /healthz (no uptime) or /api/v1/status (with uptime).
    func json(includeUptime: Bool) -> JSONValue {
        func comp(_ c: Component) -> JSONValue {
            var o: [String: JSONValue] = ["name": .string(c.name), "status": .string(c.status)]
            if let w = c.workers { o["workers"] = .number(Double(w)) }
            return .object(o)
        }
        var o: [String: JSONValue] = [
            "status": .string(status), "broker": .string(broker),
            "services": .array(services.map(comp)), "adapters": .array(adapters.map(comp)),
        ]
        if includeUptime, let uptimeSeconds { o["uptimeSeconds"] = .number(uptimeSeconds.rounded()) }
        return .object(o)
    }
}
