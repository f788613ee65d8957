import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import Logging

/// A real broker (CURVE + ZAP + an authorization policy) on an ephemeral tcp port, with a key
/// for each principal in a temporary folder, and helpers to start workers, clients and
/// databases that are closed again by `tearDown()`. Everything runs in the test process,
/// over real sockets. The bus and adapter test fixtures build on it.
open class TestBroker: @unchecked Sendable {
    public let dir: String
    public let keysDir: String
    public let brokerKey: KeyFile
    public let logger = Logger(label: "test")
    public let policy: AuthorizationPolicy
    /// The broker's endpoint once started (kept when it stops, so it starts again on the same port).
    public private(set) var endpoint: String = ""
    public private(set) var broker: Broker?
    /// Peers heartbeat at the broker's interval, as in a real deployment (one setting).
    public let heartbeatMs: Int
    public let maxReconnectDelay: Duration
    private let settings: HubConfiguration.Broker
    private var cleanup: [() async -> Void] = []

    /// Makes keys for the broker and each of `principals`; does not start the broker.
    public init(folder: String, principals: [String], policy: AuthorizationPolicy, requestTimeoutMs: Int = 2000,
                heartbeatMs: Int = 100, maxMessageBytes: Int? = nil, maxReconnectDelay: Duration = .milliseconds(400)) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(folder)-\(UUID().uuidString)").path
        keysDir = dir + "/keys"
        brokerKey = try KeyStore.generate(principal: "broker", directory: keysDir)
        for p in principals { try KeyStore.generate(principal: Principal(p), directory: keysDir) }
        self.policy = policy
        self.heartbeatMs = heartbeatMs
        self.maxReconnectDelay = maxReconnectDelay
        var config = HubConfiguration.Broker()
        config.requestTimeoutMs = requestTimeoutMs
        config.heartbeatMs = heartbeatMs
        if let maxMessageBytes { config.maxMessageBytes = maxMessageBytes }
        settings = config
    }

    /// Starts the broker (again on the same port when it ran before).
    public func startBroker() throws {
        var config = settings
        config.endpoint = endpoint.isEmpty ? "tcp://127.0.0.1:*" : endpoint
        let b = Broker(settings: BrokerSettings(endpoint: config.endpoint, serverKeys: brokerKey.keyPair!,
                                                trustedKeys: try KeyStore.trustedKeys(in: [keysDir]), policy: policy,
                                                configuration: config), logger: logger)
        endpoint = try b.start()
        broker = b
    }

    public func stopBroker() async {
        await broker?.stop()
        broker = nil
    }

    /// How `principal` reaches the broker, with short reconnect delays for tests.
    public func busEndpoint(_ principal: String, heartbeatMs: Int? = nil) throws -> BusEndpoint {
        let key = try KeyStore.secret(for: Principal(principal), in: [keysDir])
        return BusEndpoint(endpoint: endpoint, brokerPublicKey: brokerKey.publicKey, keys: key.keyPair!,
                           heartbeatInterval: .milliseconds(heartbeatMs ?? self.heartbeatMs), reconnectDelay: .milliseconds(100),
                           maxReconnectDelay: maxReconnectDelay)
    }

    public func client(_ principal: String = "gateway") throws -> BusClient {
        let c = BusClient(endpoint: try busEndpoint(principal), logger: logger)
        onTearDown { await c.close() }
        return c
    }

    /// A fresh SQLite database in the fixture's folder.
    public func database(_ name: String) async throws -> any HubDatabase {
        let db = try await Databases.open(.sqlite(path: "\(dir)/\(name)-\(UUID().uuidString).sqlite"), logger: logger)
        onTearDown { await db.close() }
        return db
    }

    /// Starts `definition` as a worker on `database` (a fresh one when nil) as `principal`
    /// (default `service:<name>`).
    @discardableResult
    public func worker(_ definition: ServiceDefinition, principal: String? = nil, database: (any HubDatabase)? = nil, capacity: Int = 16,
                       configDir: String? = nil, redeliveryDelay: Duration = .seconds(10), sweepInterval: Duration = .seconds(5)) async throws -> ServiceWorker {
        let db: any HubDatabase
        if let database { db = database } else { db = try await self.database(definition.name) }
        let dispatcher = Dispatcher(definition: definition, database: db, configDir: configDir ?? dir, logger: logger, redeliveryDelay: redeliveryDelay)
        try await dispatcher.prepare()
        let w = ServiceWorker(dispatcher: dispatcher, endpoint: try busEndpoint(principal ?? "service:\(definition.name)"), capacity: capacity,
                              logger: logger, sweepInterval: sweepInterval)
        w.start()
        onTearDown { await w.stop(grace: .milliseconds(100)) }
        return w
    }

    /// Waits until the broker reports `count` workers for `service`.
    public func waitForWorkers(_ service: String, count: Int = 1, via client: BusClient) async throws {
        for _ in 0..<200 {
            if let s = try? await client.brokerStatus(timeout: .seconds(1)),
               (s.services.first { $0.name == service }?.workers ?? 0) >= count { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw HubError(.timeout, "worker did not register")
    }

    /// Work for `tearDown()`, done in reverse order of registration.
    public func onTearDown(_ work: @escaping () async -> Void) { cleanup.append(work) }

    public func tearDown() async {
        for c in cleanup.reversed() { await c() }
        cleanup.removeAll()
        await stopBroker()
        try? FileManager.default.removeItem(atPath: dir)
    }
}
