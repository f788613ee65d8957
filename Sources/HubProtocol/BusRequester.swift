/// Something that can send a request over the bus and wait for its reply.
///
/// The gateway and the adapters depend on this protocol, not on sockets, so their
/// handlers can be tested with an in-process implementation. The real one is
/// `BusClient` in HubBus (a CURVE-authenticated DEALER to the broker).
public protocol BusRequester: Sendable {
    /// Sends `type` with `body` and returns the reply's result, or throws the reply's
    /// structured `HubError` (including `.timeout` when no reply came within `timeout`).
    func request(_ type: String, body: JSONValue, id: String, timeout: Duration) async throws(HubError) -> JSONValue

    /// The broker's view of the bus: each service and how many live workers it has.
    func brokerStatus(timeout: Duration) async throws(HubError) -> BrokerStatus

    /// This peer's own connection to each configured broker, in configuration order
    /// (empty when the implementation has no sockets, as in tests).
    var brokerLinks: [BrokerLink] { get }
}

/// Whether a peer is connected to one of the brokers (`broker.endpoints`).
public struct BrokerLink: Sendable, Equatable {
    public var endpoint: String
    public var connected: Bool
    public init(endpoint: String, connected: Bool) { self.endpoint = endpoint; self.connected = connected }
}

extension BusRequester {
    public var brokerLinks: [BrokerLink] { [] }

    public func request(_ type: String, body: JSONValue, timeout: Duration = .seconds(5)) async throws(HubError) -> JSONValue {
        try await request(type, body: body, id: MessageID.make(), timeout: timeout)
    }
}

/// The answer to `broker.status`.
public struct BrokerStatus: Sendable, Codable, Equatable {
    public struct Service: Sendable, Codable, Equatable {
        public var name: String
        public var workers: Int
        public var queued: Int
        public init(name: String, workers: Int, queued: Int) {
            self.name = name; self.workers = workers; self.queued = queued
        }
    }
    /// Connected peers that are not workers (gateway, adapters), by principal.
    public var peers: [String]
    public var services: [Service]
    public var uptimeSeconds: Double
    public init(peers: [String], services: [Service], uptimeSeconds: Double) {
        self.peers = peers; self.services = services; self.uptimeSeconds = uptimeSeconds
    }
}
