import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import Synchronization

/// Several workers of one service on one database behind a real broker, as `hub up` runs
/// them with `workersPerService` > 1 on PostgreSQL (issue 16, item 4). Each worker has what a
/// process of its own has: its own connection pool, dispatcher and broker connection. They
/// migrate and prepare at the same moment, on a fresh schema, and then compete for requests;
/// `handled` says how many each worker ran, so a test can tell that all of them took part.
public final class ServiceWorkers: TestBroker, @unchecked Sendable {
    public let service: String
    public let scratch: ScratchDatabase
    /// Requests run by each worker, by its index.
    private let counts = HandledCounts()
    private var databases: [any HubDatabase] = []

    /// A broker on which `gateway` may ask `service` anything; nothing started yet.
    public init(_ service: String, backend: Backend = .postgres) throws {
        self.service = service
        scratch = ScratchDatabase(backend, name: service)
        let policy = AuthorizationPolicy(principals: [
            "gateway": .init(request: ["*"], subscribe: ["*"]),
            "service:\(service)": .init(serve: [service], publish: ["*"]),
        ])
        try super.init(folder: "workers-\(service)", principals: ["gateway", "service:\(service)"], policy: policy,
                       requestTimeoutMs: 60_000, heartbeatMs: 500)
        try startBroker()
    }

    /// Starts `count` workers of `definition` on the shared database and waits until the
    /// broker has them all. The workers' migrations and `prepare` run concurrently.
    public func start(_ count: Int, definition: ServiceDefinition, configDir: String) async throws {
        counts.values.withLock { $0 = Array(repeating: 0, count: count) }
        var dispatchers: [Dispatcher] = []
        for index in 0..<count {
            let db = try await scratch.open(logger: TestLogging.quiet("hub.tests.\(service).\(index + 1)"))
            databases.append(db)
            dispatchers.append(Dispatcher(definition: counted(definition, worker: index), database: db, configDir: configDir,
                                          logger: TestLogging.quiet("hub.tests.\(service).\(index + 1)")))
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for d in dispatchers { group.addTask { try await d.prepare() } }
            try await group.waitForAll()
        }
        for d in dispatchers {
            let w = ServiceWorker(dispatcher: d, endpoint: try busEndpoint("service:\(service)"), capacity: 16, logger: logger)
            w.start()
            onTearDown { await w.stop(grace: .milliseconds(200)) }
        }
        let probe = try client()
        try await waitForWorkers(service, count: count, via: probe)
    }

    /// The same service with every handler counting the requests this worker ran.
    private func counted(_ definition: ServiceDefinition, worker: Int) -> ServiceDefinition {
        var d = definition
        let counts = self.counts
        d.handlers = d.handlers.mapValues { h in
            MessageHandler(h.kind) { request, context in
                counts.values.withLock { $0[worker] += 1 }
                return try await h.run(request, context)
            }
        }
        return d
    }

    /// Requests run by each worker so far.
    public var handled: [Int] { counts.values.withLock { $0 } }

    /// A connection to the shared database for checks (closed by `tearDown`).
    public var database: any HubDatabase { databases[0] }

    /// Sends `type` as the gateway with `actor` merged into the body, as the gateway does.
    public func send(_ type: String, _ body: JSONValue, as actor: JSONValue?, via client: BusClient) async -> Envelope {
        var b = body
        if let actor, case .object(var o) = b { o["actor"] = actor; b = .object(o) }
        return await client.send(Envelope(type: type, body: b), timeout: .seconds(60))
    }

    /// Stops the workers and the broker, closes the databases and drops the schema.
    public override func tearDown() async {
        await super.tearDown()
        for db in databases { await db.close() }
        databases.removeAll()
        await scratch.remove()
    }
}

/// Requests run per worker, shared with the handlers that count them.
final class HandledCounts: Sendable {
    let values = Mutex<[Int]>([])
}
