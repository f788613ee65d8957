import Foundation
import HubProtocol

/// The hub's runtime configuration, read from `config/hub.json` and the environment
/// in one place (STYLE.md §5). Every field has a documented default so that a
/// missing file still gives a working development hub.
public struct HubConfiguration: Sendable, Codable, Equatable {
    /// Broker settings.
    public struct Broker: Sendable, Codable, Equatable {
        /// Where the broker binds its ROUTER socket and peers connect.
        public var endpoint: String = "tcp://127.0.0.1:7600"
        /// Every broker's endpoint when the hub runs several (no single point of failure):
        /// `hub up` starts one broker per entry (`broker`, `broker-2`, …), and every worker,
        /// gateway and adapter connects to all of them. Omitted: the one `endpoint`.
        public var endpoints: [String]?

        /// The brokers, in order: `endpoints` when given, else `endpoint`.
        public var all: [String] { (endpoints?.isEmpty == false ? endpoints : nil) ?? [endpoint] }

        /// The component name of broker number `index` (0-based): `broker`, `broker-2`, …
        public static func componentName(_ index: Int) -> String { index == 0 ? "broker" : "broker-\(index + 1)" }

        /// The broker a component name stands for, nil when it is not one of them.
        public func endpoint(ofComponent name: String) -> String? {
            let brokers = all
            for index in brokers.indices where Self.componentName(index) == name { return brokers[index] }
            return nil
        }
        /// How long a request may wait for and run on a worker before the caller gets `timeout`.
        public var requestTimeoutMs: Int = 5000
        /// Heartbeat interval both ways; a peer silent for `heartbeatLiveness` intervals is dead.
        public var heartbeatMs: Int = 1000
        public var heartbeatLiveness: Int = 3
        /// Largest envelope the broker accepts (bytes). Larger ones get `too_large`.
        public var maxMessageBytes: Int = 256 * 1024
        /// Requests queued per service before new ones get `busy`.
        public var maxQueuedPerService: Int = 10_000
        /// ZeroMQ high-water mark on every socket (messages).
        public var highWaterMark: Int = 20_000
        public init() {}

        /// Every field may be left out (its default applies): a section that only lists
        /// `endpoints` is complete.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Broker()
            endpoint = try c.decodeIfPresent(String.self, forKey: .endpoint) ?? d.endpoint
            endpoints = try c.decodeIfPresent([String].self, forKey: .endpoints)
            requestTimeoutMs = try c.decodeIfPresent(Int.self, forKey: .requestTimeoutMs) ?? d.requestTimeoutMs
            heartbeatMs = try c.decodeIfPresent(Int.self, forKey: .heartbeatMs) ?? d.heartbeatMs
            heartbeatLiveness = try c.decodeIfPresent(Int.self, forKey: .heartbeatLiveness) ?? d.heartbeatLiveness
            maxMessageBytes = try c.decodeIfPresent(Int.self, forKey: .maxMessageBytes) ?? d.maxMessageBytes
            maxQueuedPerService = try c.decodeIfPresent(Int.self, forKey: .maxQueuedPerService) ?? d.maxQueuedPerService
            highWaterMark = try c.decodeIfPresent(Int.self, forKey: .highWaterMark) ?? d.highWaterMark
        }
    }
    /// Gateway (HTTP) settings.
    public struct Gateway: Sendable, Codable, Equatable {
        public var host: String = "127.0.0.1"
        public var port: Int = 8080
        /// Set `Secure` on cookies even without an https `publicURL` (they are Secure
        /// whenever `publicURL` is https).
        public var secureCookies: Bool = false
        /// Session lifetime in minutes.
        public var sessionMinutes: Int = 480
        /// The address people and agencies reach the hub at (`https://hub.example.se`): every
        /// link the hub makes (registration, personal links, invitations) and the origin that
        /// state-changing requests must come from. Never taken from a request's Host header.
        /// Default `http://<host>:<port>`; overridden by `HUB_PUBLIC_URL`.
        public var publicURL: String?
        /// Seconds from connecting (or the last response) until a request's headers are complete.
        public var headerTimeoutSeconds: Int = 10
        /// Seconds from the headers until the whole body has arrived (else 408 and the connection closes).
        public var bodyTimeoutSeconds: Int = 30
        /// Open connections from one client address.
        public var maxConnectionsPerAddress: Int = 128
        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Gateway()
            host = try c.decodeIfPresent(String.self, forKey: .host) ?? d.host
            port = try c.decodeIfPresent(Int.self, forKey: .port) ?? d.port
            secureCookies = try c.decodeIfPresent(Bool.self, forKey: .secureCookies) ?? d.secureCookies
            sessionMinutes = try c.decodeIfPresent(Int.self, forKey: .sessionMinutes) ?? d.sessionMinutes
            publicURL = try c.decodeIfPresent(String.self, forKey: .publicURL)
            headerTimeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .headerTimeoutSeconds) ?? d.headerTimeoutSeconds
            bodyTimeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .bodyTimeoutSeconds) ?? d.bodyTimeoutSeconds
            maxConnectionsPerAddress = try c.decodeIfPresent(Int.self, forKey: .maxConnectionsPerAddress) ?? d.maxConnectionsPerAddress
        }

        /// `publicURL` without a trailing slash, or `http://<host>:<port>`.
        public var publicBaseURL: String {
            if let u = publicURL, !u.isEmpty { return u.hasSuffix("/") ? String(u.dropLast()) : u }
            return "http://\(host):\(port)"
        }

        /// Cookies are `Secure` when the public address is https (or when asked to be).
        public var cookiesAreSecure: Bool { secureCookies || publicBaseURL.lowercased().hasPrefix("https://") }
    }

    public var broker = Broker()
    public var gateway = Gateway()
    /// The domain services `hub up` starts.
    public var services: [String] = ["referrals", "meetings", "networks", "training"]
    /// The agency adapters `hub up` starts.
    public var adapters: [String] = ["police", "municipality", "psychiatry", "kriminalvarden"]
    /// PostgreSQL URL; when nil every service uses its own SQLite file in the data folder.
    /// Overridden by the environment variable `HUB_DATABASE_URL`.
    public var databaseURL: String?
    /// PostgreSQL connections each process keeps per schema (1–200); nil: twice the host's
    /// cores, at least 4 (`DatabasePoolSize`). Overridden by `HUB_DATABASE_POOL_SIZE`.
    /// Unused on SQLite. docs/operations.md §database pool.
    public var databasePoolSize: Int?
    /// Processes of each service that `hub up` starts (1–16; default 1). More than one needs
    /// PostgreSQL (`databaseURL`): an SQLite file takes one writing process. The broker
    /// balances requests over the workers; only worker 1 runs the timed work.
    /// Overridden by `HUB_WORKERS_PER_SERVICE`. deploy/README §3.
    public var workersPerService: Int = 1
    /// The most `workersPerService` may be: each worker keeps its own connection pool.
    public static let maxWorkersPerService = 16
    /// How long each service keeps its idempotency records (`hub_processed`: message id →
    /// first reply) before purging them. Longer than any retry window, so a redelivered
    /// command still gets its first reply; short, because a reply may name people.
    /// Overridden by `HUB_IDEMPOTENCY_RETENTION_DAYS`. docs/protocol.md §idempotency.
    public var idempotencyRetentionDays: Int = 7

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = HubConfiguration()
        broker = try c.decodeIfPresent(Broker.self, forKey: .broker) ?? d.broker
        gateway = try c.decodeIfPresent(Gateway.self, forKey: .gateway) ?? d.gateway
        services = try c.decodeIfPresent([String].self, forKey: .services) ?? d.services
        adapters = try c.decodeIfPresent([String].self, forKey: .adapters) ?? d.adapters
        databaseURL = try c.decodeIfPresent(String.self, forKey: .databaseURL)
        databasePoolSize = try c.decodeIfPresent(Int.self, forKey: .databasePoolSize)
        workersPerService = try c.decodeIfPresent(Int.self, forKey: .workersPerService) ?? d.workersPerService
        idempotencyRetentionDays = try c.decodeIfPresent(Int.self, forKey: .idempotencyRetentionDays) ?? d.idempotencyRetentionDays
    }

    /// Reads `<configDir>/hub.json` (if present) and applies environment overrides:
    /// `HUB_DATABASE_URL`, `HUB_DATABASE_POOL_SIZE`, `HUB_WORKERS_PER_SERVICE`, `HUB_BROKER_ENDPOINT`
    /// (one broker), `HUB_BROKER_ENDPOINTS` (several, comma-separated), `HUB_GATEWAY_PORT`,
    /// `HUB_PUBLIC_URL`, `HUB_IDEMPOTENCY_RETENTION_DAYS`.
    public static func load(configDir: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(HubError) -> HubConfiguration {
        var config = HubConfiguration()
        let path = configDir + "/hub.json"
        if FileManager.default.fileExists(atPath: path) {
            config = try ConfigFile.decode(HubConfiguration.self, path: path)
        }
        if let url = environment["HUB_DATABASE_URL"], !url.isEmpty { config.databaseURL = url }
        if let size = environment["HUB_DATABASE_POOL_SIZE"], !size.isEmpty {
            guard let n = Int(size) else { throw HubError(.validation, "Must be a whole number of connections.", field: "HUB_DATABASE_POOL_SIZE") }
            config.databasePoolSize = n
        }
        if let workers = environment["HUB_WORKERS_PER_SERVICE"], !workers.isEmpty {
            guard let n = Int(workers) else { throw HubError(.validation, "Must be a whole number of processes.", field: "HUB_WORKERS_PER_SERVICE") }
            config.workersPerService = n
        }
        if let list = environment["HUB_BROKER_ENDPOINTS"], !list.isEmpty {
            config.broker.endpoints = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            config.broker.endpoint = config.broker.endpoints?.first ?? config.broker.endpoint
        }
        // One broker named outright wins over a list (a component started by hand beside a hub).
        if let ep = environment["HUB_BROKER_ENDPOINT"], !ep.isEmpty { config.broker.endpoint = ep; config.broker.endpoints = nil }
        if let p = environment["HUB_GATEWAY_PORT"], let port = Int(p) { config.gateway.port = port }
        if let u = environment["HUB_PUBLIC_URL"], !u.isEmpty { config.gateway.publicURL = u }
        if let d = environment["HUB_IDEMPOTENCY_RETENTION_DAYS"], !d.isEmpty {
            guard let days = Int(d) else { throw HubError(.validation, "Must be a whole number of days.", field: "HUB_IDEMPOTENCY_RETENTION_DAYS") }
            config.idempotencyRetentionDays = days
        }
        do {
            try config.validate()
        } catch {
            // A worker count from the environment is named as the operator wrote it.
            var e = error
            if e.field == "hub.json:workersPerService", !(environment["HUB_WORKERS_PER_SERVICE"] ?? "").isEmpty { e.field = "HUB_WORKERS_PER_SERVICE" }
            throw e
        }
        return config
    }

    /// Checks ranges so that a typo in configuration fails at start with the field named.
    public func validate() throws(HubError) {
        func need(_ ok: Bool, _ field: String, _ message: String) throws(HubError) {
            if !ok { throw HubError(.validation, message, field: "hub.json:" + field) }
        }
        try need(broker.endpoint.hasPrefix("tcp://") || broker.endpoint.hasPrefix("ipc://"), "broker.endpoint", "Must be a tcp:// or ipc:// endpoint.")
        if let list = broker.endpoints {
            try need(list.count <= 5, "broker.endpoints", "At most 5 brokers.")
            try need(Set(list).count == list.count, "broker.endpoints", "Each broker needs its own endpoint; one is listed twice.")
            for ep in list { try need(ep.hasPrefix("tcp://") || ep.hasPrefix("ipc://"), "broker.endpoints", "Must be tcp:// or ipc:// endpoints.") }
        }
        try need((100...600_000).contains(broker.requestTimeoutMs), "broker.requestTimeoutMs", "Must be 100–600000.")
        try need((50...60_000).contains(broker.heartbeatMs), "broker.heartbeatMs", "Must be 50–60000.")
        try need((2...20).contains(broker.heartbeatLiveness), "broker.heartbeatLiveness", "Must be 2–20.")
        try need((1024...64 * 1024 * 1024).contains(broker.maxMessageBytes), "broker.maxMessageBytes", "Must be 1 KiB–64 MiB.")
        try need(broker.maxQueuedPerService > 0, "broker.maxQueuedPerService", "Must be positive.")
        try need(broker.highWaterMark > 0, "broker.highWaterMark", "Must be positive.")
        try need((0...65535).contains(gateway.port), "gateway.port", "Must be 0–65535.")
        try need((5...10080).contains(gateway.sessionMinutes), "gateway.sessionMinutes", "Must be 5–10080.")
        if let u = gateway.publicURL, !u.isEmpty {
            let ok = (u.hasPrefix("https://") || u.hasPrefix("http://")) && URL(string: u)?.host != nil && !u.contains("?") && !u.contains("#")
            try need(ok, "gateway.publicURL", "Must be an http:// or https:// address without a query, e.g. https://hub.example.se.")
        }
        try need((1...600).contains(gateway.headerTimeoutSeconds), "gateway.headerTimeoutSeconds", "Must be 1–600.")
        try need((1...3600).contains(gateway.bodyTimeoutSeconds), "gateway.bodyTimeoutSeconds", "Must be 1–3600.")
        try need((1...100_000).contains(gateway.maxConnectionsPerAddress), "gateway.maxConnectionsPerAddress", "Must be 1–100000.")
        if let size = databasePoolSize { try need((1...200).contains(size), "databasePoolSize", "Must be 1–200 connections.") }
        try need((1...Self.maxWorkersPerService).contains(workersPerService), "workersPerService",
                 "Must be 1–\(Self.maxWorkersPerService) processes per service.")
        try need(workersPerService == 1 || !(databaseURL ?? "").isEmpty, "workersPerService",
                 "More than one worker per service needs PostgreSQL (HUB_DATABASE_URL): an SQLite file takes one writing process at a time. Set it to 1, or set a database URL.")
        try need((1...365).contains(idempotencyRetentionDays), "idempotencyRetentionDays", "Must be 1–365 days.")
        for s in services { try need(Principal.isValid(s) && !s.contains(":"), "services", "A service name must be lower-case letters and digits.") }
        for a in adapters { try need(Principal.isValid(a) && !a.contains(":"), "adapters", "An adapter name must be lower-case letters and digits.") }
    }
}

/// Reads JSON configuration files, turning every problem into a `HubError` naming the file and field.
public enum ConfigFile {
    public static func decode<T: Decodable>(_ type: T.Type, path: String) throws(HubError) -> T {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HubError(.validation, "Configuration file cannot be read.", field: name)
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            var e = HubError.from(error, prefix: name)
            e.message = "Configuration file is invalid: " + e.message
            throw e
        } catch {
            throw HubError(.validation, "Configuration file is not valid JSON.", field: name)
        }
    }
}

/// Paths under the data folder, in one place.
public struct DataLayout: Sendable {
    public var root: String
    public init(root: String) { self.root = root }
    public var keys: String { root + "/keys" }
    public var logs: String { root + "/logs" }
    public func database(for component: String) -> String { root + "/db/\(component).sqlite" }
    public var databases: String { root + "/db" }
}
