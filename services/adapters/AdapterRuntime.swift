import Foundation
import HubBus
import HubProtocol
import HubStorage
import Logging
import Synchronization

/// What every agency adapter shares: a durable outbox towards the hub and a durable
/// inbox of what the hub sends to the agency.
///
/// Titanic-style (RFC 9/TSP): intake first commits a request to the adapter's own
/// database and returns its message id; a sender loop delivers it to the hub with
/// that same id until a definitive reply arrives, so intake keeps working while the
/// broker or a service is down, and the service's idempotency makes a redelivery
/// harmless. Events for the agency (`agency.<agency>.*`, `capacity.*`) are stored
/// once per event id before the agency-side delivery (callback, folder, FHIR, XML)
/// picks them up.
public final class AdapterRuntime: Sendable {
    public let agency: String
    private let bus: BusClient
    private let database: any HubDatabase
    private let logger: Logger
    private let tasks = Mutex<[Task<Void, Never>]>([])
    /// Set by `enqueue` so that the sender loop looks at the outbox at once.
    private let kicked = Atomic<Bool>(false)
    /// How long one delivery attempt waits for the hub.
    public let attemptTimeout: Duration
    /// Stored events for this agency not yet acknowledged, by the service that published them.
    private let pendingAcks = Mutex<[String: [String]]>([:])

    public static let migrations: [Migration] = [
        Migration(version: 1, name: "outbox_and_inbox", sql: """
            CREATE TABLE outbox (
                message_id TEXT PRIMARY KEY,
                type TEXT NOT NULL,
                envelope BYTEA NOT NULL,
                state TEXT NOT NULL,
                attempts BIGINT NOT NULL,
                reply BYTEA,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            CREATE INDEX outbox_state ON outbox (state, created_at);
            CREATE TABLE inbox (
                event_id TEXT PRIMARY KEY,
                topic TEXT NOT NULL,
                envelope BYTEA NOT NULL,
                received_at TEXT NOT NULL,
                delivered_at TEXT
            )
            """),
    ]

    public init(agency: String, bus: BusClient, database: any HubDatabase, logger: Logger, attemptTimeout: Duration = .seconds(5)) {
        self.agency = agency
        self.attemptTimeout = attemptTimeout
        self.bus = bus
        self.database = database
        self.logger = logger
    }

    public func prepare() async throws {
        try await database.migrate(Self.migrations)
    }

    /// Commits a request to the outbox and returns its message id. Durable before it returns.
    @discardableResult
    public func enqueue(type: String, body: JSONValue, id: String = MessageID.make()) async throws(HubError) -> String {
        try await Self.insert(type: type, body: body, id: id, into: database)
        kick()
        return id
    }

    /// Inserts an outbox entry through `executor` (e.g. inside a caller's transaction,
    /// together with the caller's own rows); call `kick()` after the commit.
    /// A repeated id changes nothing (the first entry stays).
    public static func insert(type: String, body: JSONValue, id: String, into executor: any DatabaseExecutor) async throws(HubError) {
        guard MessageType.isValid(type) else { throw HubError(.validation, "Not a message type.", field: "type") }
        guard MessageID.isValid(id) else { throw HubError(.validation, "Not a message id.", field: "id") }
        let env = Envelope(id: id, type: type, body: body)
        let now = Timestamp.now()
        try await executor.execute("""
            INSERT INTO outbox (message_id, type, envelope, state, attempts, reply, created_at, updated_at)
            VALUES (?, ?, ?, 'pending', 0, NULL, ?, ?) ON CONFLICT (message_id) DO NOTHING
            """, [.text(id), .text(type), .blob(env.encoded()), .text(now), .text(now)])
    }

    /// Makes the sender loop look at the outbox at once.
    public func kick() {
        kicked.store(true, ordering: .releasing)
    }

    /// The outcome of an outbox entry: nil while pending, else the hub's reply.
    public func outcome(of id: String) async throws(HubError) -> Envelope? {
        let rows = try await database.query("SELECT state, reply FROM outbox WHERE message_id = ?", [.text(id)])
        guard let row = rows.first else { throw HubError(.notFound, "No such outbox entry.", field: "id") }
        guard try row.string("state") != "pending", case .blob(let bytes)? = row["reply"] else { return nil }
        return try? Envelope.decode(bytes)
    }

    /// Events received for this agency, oldest first.
    public func receivedEvents(limit: Int = 100) async throws(HubError) -> [Envelope] {
        let rows = try await database.query("SELECT envelope FROM inbox ORDER BY received_at LIMIT ?", [.integer(Int64(limit))])
        return rows.compactMap { r in (try? r.blob("envelope")).flatMap { try? Envelope.decode($0) } }
    }

    public func start() {
        bus.subscribe("agency.\(agency).")
        bus.subscribe("capacity.")
        let sender = Task { await self.sendLoop() }
        let receiver = Task { await self.receiveLoop() }
        let acknowledger = Task { await self.ackLoop() }
        tasks.withLock { $0 = [sender, receiver, acknowledger] }
    }

    public func stop() async {
        let all = tasks.withLock { let t = $0; $0 = []; return t }
        for t in all { t.cancel() }
        for t in all { await t.value }
    }

    /// Errors after which the same message is sent again (the outcome is unknown or transient).
    static func isRetryable(_ code: HubError.Code) -> Bool {
        [.timeout, .busy, .storage, .internal].contains(code)
    }

    /// How many outbox entries are in flight to the hub at once: on a slow link (200 ms each
    /// way) one at a time would deliver about 2 a second; a window keeps up with intake.
    static let sendWindow = 16

    private func sendLoop() async {
        var backoff = Duration.milliseconds(250)
        while !Task.isCancelled {
            let rows = (try? await database.query("SELECT message_id, type, envelope FROM outbox WHERE state = 'pending' ORDER BY created_at LIMIT 100", [])) ?? []
            let entries = rows.compactMap { row -> (id: String, type: String, envelope: Envelope)? in
                guard let id = try? row.string("message_id"), let type = try? row.string("type"),
                      let bytes = try? row.blob("envelope"), let env = try? Envelope.decode(bytes) else { return nil }
                return (id, type, env)
            }
            var anyRetry = false
            // The oldest first, a window at a time; after a retryable answer the loop backs off
            // and starts again from the oldest still pending (the hub deduplicates by id).
            for start in stride(from: 0, to: entries.count, by: Self.sendWindow) where !Task.isCancelled && !anyRetry {
                let window = entries[start..<min(start + Self.sendWindow, entries.count)]
                let replies = await withTaskGroup(of: (Int, Envelope).self) { group in
                    for (i, entry) in window.enumerated() {
                        group.addTask { [bus, attemptTimeout] in (i, await bus.send(entry.envelope, timeout: attemptTimeout)) }
                    }
                    var out = [Envelope?](repeating: nil, count: window.count)
                    for await (i, reply) in group { out[i] = reply }
                    return out
                }
                // The window's outcomes in one commit.
                var updates: [(sql: String, binds: [DatabaseValue])] = []
                for (entry, reply) in zip(window, replies) {
                    guard let reply else { continue }
                    if let e = reply.error, Self.isRetryable(e.code) {
                        anyRetry = true
                        updates.append(("UPDATE outbox SET attempts = attempts + 1, updated_at = ? WHERE message_id = ?", [.text(Timestamp.now()), .text(entry.id)]))
                        logger.notice("outbox delivery will be retried", metadata: ["hub.type": "\(entry.type)", "hub.code": "\(e.code)"])
                        continue
                    }
                    let state = reply.error == nil ? "done" : "failed"
                    updates.append(("UPDATE outbox SET state = ?, reply = ?, attempts = attempts + 1, updated_at = ? WHERE message_id = ?",
                                    [.text(state), .blob(reply.encoded()), .text(Timestamp.now()), .text(entry.id)]))
                }
                let batch = updates
                _ = try? await database.transaction { tx in
                    for u in batch { try await tx.execute(u.sql, u.binds) }
                }
            }
            if anyRetry {
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(8))
                continue
            }
            backoff = .milliseconds(250)
            if rows.count == 100 { continue }
            // Wait for new work (enqueue kicks), or look again within a second.
            for _ in 0..<50 where !Task.isCancelled {
                if kicked.exchange(false, ordering: .acquiringAndReleasing) { break }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Acknowledges stored events to the services that published them, in batches, every
    /// 200 ms. A lost acknowledgement only means the event comes again and is stored once.
    private func ackLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(200))
            let batches = pendingAcks.withLock { let v = $0; $0 = [:]; return v }
            for (service, ids) in batches {
                for start in stride(from: 0, to: ids.count, by: 500) {
                    let chunk = Array(ids[start..<min(start + 500, ids.count)])
                    let reply = await bus.send(Envelope(type: "\(service).outbox.ack", body: ["eventIds": .array(chunk.map { .string($0) })]),
                                               timeout: attemptTimeout)
                    if let e = reply.error, Self.isRetryable(e.code) {
                        pendingAcks.withLock { $0[service, default: []].append(contentsOf: chunk) }
                    } else if let e = reply.error {
                        logger.warning("an acknowledgement was refused", metadata: ["hub.service": "\(service)", "hub.code": "\(e.code)"])
                    }
                }
            }
        }
    }

    /// Stores each event for the agency in order. An event that cannot be stored (a full
    /// disk) is tried again with back-off until it is, never dropped: the events behind it
    /// wait in the bus client's bounded buffer meanwhile.
    private func receiveLoop() async {
        for await event in bus.eventStream {
            if Task.isCancelled { break }
            var delay = Duration.milliseconds(50)
            var failures = 0
            while !Task.isCancelled {
                do {
                    try await database.execute("""
                        INSERT INTO inbox (event_id, topic, envelope, received_at, delivered_at) VALUES (?, ?, ?, ?, NULL)
                        ON CONFLICT (event_id) DO NOTHING
                        """, [.text(event.envelope.id), .text(event.topic), .blob(event.envelope.encoded()), .text(Timestamp.now())])
                    if failures > 0 {
                        logger.notice("stored an event for the agency after retrying", metadata: ["hub.topic": "\(event.topic)", "hub.attempts": "\(failures + 1)"])
                    }
                    // Stored (now or before): the publishing service may stop sending it again.
                    if EventOutbox.isForAnAgency(event.topic), event.publisher.kind == "service", let service = event.publisher.qualifier {
                        pendingAcks.withLock { $0[String(service), default: []].append(event.envelope.id) }
                    }
                    break
                } catch {
                    if failures == 0 {
                        logger.error("could not store an event for the agency; retrying", metadata: ["hub.topic": "\(event.topic)", "hub.code": "\(error.code)"])
                    }
                    failures += 1
                    try? await Task.sleep(for: delay)
                    delay = min(delay * 2, .seconds(1))
                }
            }
        }
    }
}
