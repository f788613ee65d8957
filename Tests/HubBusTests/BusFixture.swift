import CZeroMQ
import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import Logging
import ZeroMQ

/// A real broker on an ephemeral tcp port with CURVE + ZAP, keys in a temp folder,
/// and helpers to start workers and clients. Everything in-process but over real sockets.
final class BusFixture: @unchecked Sendable {
    let dir: String
    let keysDir: String
    let broker: Broker
    let endpoint: String
    let brokerKey: KeyFile
    let logger = Logger(label: "test")
    var cleanup: [() async -> Void] = []

    static let policy = AuthorizationPolicy(principals: [
        "gateway": .init(request: ["*"], subscribe: ["*"]),
        "service:test": .init(serve: ["test"], publish: ["test.*", "agency.*"]),
        "service:other": .init(serve: ["other"]),
        "adapter:*": .init(request: ["test.*"], publish: ["adapter.{agency}.*"], subscribe: ["agency.{agency}.*"]),
    ])

    let heartbeatMs: Int

    init(requestTimeoutMs: Int = 2000, heartbeatMs: Int = 100, maxMessageBytes: Int = 64 * 1024) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("hubbus-\(UUID().uuidString)").path
        keysDir = dir + "/keys"
        brokerKey = try KeyStore.generate(principal: "broker", directory: keysDir)
        for p in ["gateway", "service:test", "service:other", "adapter:police", "adapter:municipality"] {
            try KeyStore.generate(principal: Principal(p), directory: keysDir)
        }
        var config = HubConfiguration.Broker()
        config.endpoint = "tcp://127.0.0.1:*"
        config.requestTimeoutMs = requestTimeoutMs
        config.heartbeatMs = heartbeatMs
        self.heartbeatMs = heartbeatMs
        config.maxMessageBytes = maxMessageBytes
        broker = Broker(settings: BrokerSettings(endpoint: config.endpoint, serverKeys: brokerKey.keyPair!,
                                                 trustedKeys: try KeyStore.trustedKeys(in: [keysDir]),
                                                 policy: Self.policy, configuration: config), logger: logger)
        endpoint = try broker.start()
    }

    /// Peers heartbeat at the broker's interval, as in a real deployment (one setting).
    func busEndpoint(_ principal: String, heartbeatMs: Int? = nil) throws -> BusEndpoint {
        let heartbeatMs = heartbeatMs ?? self.heartbeatMs
        let key = try KeyStore.secret(for: Principal(principal), in: [keysDir])
        return BusEndpoint(endpoint: endpoint, brokerPublicKey: brokerKey.publicKey, keys: key.keyPair!,
                           heartbeatInterval: .milliseconds(heartbeatMs), reconnectDelay: .milliseconds(100),
                           maxReconnectDelay: .milliseconds(400))
    }

    func client(_ principal: String = "gateway") throws -> BusClient {
        let c = BusClient(endpoint: try busEndpoint(principal), logger: logger)
        cleanup.append { await c.close() }
        return c
    }

    func database(_ name: String) async throws -> any HubDatabase {
        let db = try await Databases.open(.sqlite(path: "\(dir)/\(name)-\(UUID().uuidString).sqlite"), logger: logger)
        cleanup.append { await db.close() }
        return db
    }

    @discardableResult
    func worker(_ definition: ServiceDefinition, principal: String? = nil, database: (any HubDatabase)? = nil, capacity: Int = 16) async throws -> ServiceWorker {
        let db: any HubDatabase
        if let database { db = database } else { db = try await self.database(definition.name) }
        let dispatcher = Dispatcher(definition: definition, database: db, configDir: dir, logger: logger)
        try await dispatcher.prepare()
        let w = ServiceWorker(dispatcher: dispatcher, endpoint: try busEndpoint(principal ?? "service:\(definition.name)"), capacity: capacity, logger: logger)
        w.start()
        cleanup.append { await w.stop(grace: .milliseconds(100)) }
        return w
    }

    /// Waits until the broker reports `count` workers for `service`.
    func waitForWorkers(_ service: String, count: Int = 1, via client: BusClient) async throws {
        for _ in 0..<200 {
            if let s = try? await client.brokerStatus(timeout: .seconds(1)),
               (s.services.first { $0.name == service }?.workers ?? 0) >= count { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw HubError(.timeout, "worker did not register")
    }

    func tearDown() async {
        for c in cleanup.reversed() { await c() }
        await broker.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }
}

/// A test service: `test.put` stores a row (command), `test.count` counts rows (query),
/// `test.slow` sleeps, `test.echo` returns its body and emits an event.
enum TestService {
    static func definition(slowMs: Int = 0) -> ServiceDefinition {
        ServiceDefinition(
            name: "test",
            migrations: [Migration(version: 1, name: "items", sql: "CREATE TABLE items (id TEXT PRIMARY KEY, value TEXT NOT NULL)")],
            handlers: [
                "test.put": MessageHandler(.command) { req, ctx in
                    struct Body: Decodable { var value: String }
                    let body = try req.decode(Body.self)
                    guard !body.value.isEmpty else { throw HubError(.validation, "A value is required.", field: "body.value") }
                    let id = UUID().uuidString
                    try await ctx.database.execute("INSERT INTO items (id, value) VALUES (?, ?)", [.text(id), .text(body.value)])
                    ctx.events.emit("agency.police.item", .object(["id": .string(id)]))
                    return .object(["id": .string(id)])
                },
                "test.count": MessageHandler(.query) { _, ctx in
                    let rows = try await ctx.database.query("SELECT COUNT(*) AS n FROM items", [])
                    return .object(["count": .number(Double(try rows[0].int("n")))])
                },
                "test.whoami": MessageHandler(.query) { req, _ in .object(["principal": .string(req.principal.name)]) },
                "test.slow": MessageHandler(.query) { req, _ in
                    try await Task.sleep(for: .milliseconds(slowMs))
                    return req.body
                },
            ])
    }
}
