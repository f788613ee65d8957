import Crypto
import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import Logging
import ServiceLifecycle
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
///
/// Payloads at rest are sealed with the adapter's own key ring (`DataProtector`, AES-GCM,
/// bound to the row): an outbox envelope as `adapter-outbox:<message id>`, a stored reply as
/// `adapter-outbox-reply:<message id>`, an inbox event as `adapter-inbox:<event id>`. Once the
/// hub has answered a request successfully its envelope is dropped (the row keeps id, type,
/// SHA-256 of the payload, state, attempts and times, which is what exactly-once needs).
public final class AdapterRuntime: Sendable {
    public let agency: String
    private let bus: BusClient
    private let database: any HubDatabase
    private let logger: Logger
    /// Set by `enqueue` so that the sender loop looks at the outbox at once.
    private let kicked = Atomic<Bool>(false)
    /// The last delivery attempt got no definitive answer (timeout, busy…) and none has since.
    private let deliveryFailing = Atomic<Bool>(false)
    /// How long one delivery attempt waits for the hub.
    public let attemptTimeout: Duration
    /// Stored events for this agency not yet acknowledged, by the service that published them.
    private let pendingAcks = Mutex<[String: [String]]>([:])
    /// Seals payloads at rest with the adapter's own key ring.
    public let protector: DataProtector
    /// Records a definitive reply elsewhere (the host's intake row) inside the transaction that
    /// settles the outbox entry; returns true when it did, so the reply need not be kept.
    public typealias OutcomeRecorder = @Sendable (any DatabaseExecutor, String, Envelope) async throws -> Bool
    private let recorder = Mutex<OutcomeRecorder?>(nil)

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

    public init(agency: String, bus: BusClient, database: any HubDatabase, keys: DataKeyRing, logger: Logger, attemptTimeout: Duration = .seconds(5)) {
        self.agency = agency
        self.protector = DataProtector(ring: keys)
        self.attemptTimeout = attemptTimeout
        self.bus = bus
        self.database = database
        self.logger = logger
    }

    /// Applies every adapter migration (the runtime's tables are changed by later host migrations).
    public func prepare() async throws {
        try await database.migrate(Self.migrations + AdapterHost.migrations)
    }

    /// Sets what records a definitive reply (see `OutcomeRecorder`).
    public func recordOutcomes(with recorder: @escaping OutcomeRecorder) {
        self.recorder.withLock { $0 = recorder }
    }

    static func outboxContext(_ id: String) -> String { "adapter-outbox:" + id }
    static func replyContext(_ id: String) -> String { "adapter-outbox-reply:" + id }
    static func inboxContext(_ id: String) -> String { "adapter-inbox:" + id }
    /// Hex SHA-256 of a payload, kept after the payload itself is dropped.
    static func hash(_ bytes: [UInt8]) -> String { Hex.encode(SHA256.hash(data: bytes)) }

    /// Commits a request to the outbox and returns its message id. Durable before it returns.
    @discardableResult
    public func enqueue(type: String, body: JSONValue, id: String = MessageID.make()) async throws(HubError) -> String {
        try await Self.insert(type: type, body: body, id: id, protector: protector, into: database)
        kick()
        return id
    }

    /// Inserts an outbox entry through `executor` (e.g. inside a caller's transaction,
    /// together with the caller's own rows); call `kick()` after the commit.
    /// A repeated id changes nothing (the first entry stays).
    /// The envelope is stored sealed (bound to its message id), with the SHA-256 of its clear form.
    public static func insert(type: String, body: JSONValue, id: String, protector: DataProtector, into executor: any DatabaseExecutor) async throws(HubError) {
        guard MessageType.isValid(type) else { throw HubError(.validation, "Not a message type.", field: "type") }
        guard MessageID.isValid(id) else { throw HubError(.validation, "Not a message id.", field: "id") }
        let env = Envelope(id: id, type: type, body: body)
        let clear = env.encoded()
        let sealed = try protector.seal(clear, context: outboxContext(id))
        let now = Timestamp.now()
        try await executor.execute("""
            INSERT INTO outbox (message_id, type, envelope, payload_hash, sealed, state, attempts, reply, created_at, updated_at)
            VALUES (?, ?, ?, ?, 1, 'pending', 0, NULL, ?, ?) ON CONFLICT (message_id) DO NOTHING
            """, [.text(id), .text(type), .blob(sealed), .text(hash(clear)), .text(now), .text(now)])
    }

    /// Whether the hub is answering: connected to the broker, and the last delivery got a
    /// definitive reply. While it is not, an HTTP intake answers "accepted, pending" at once
    /// (the document is durable in the outbox) instead of holding the agency's request.
    public var hubAnswering: Bool { bus.isConnected && !deliveryFailing.load(ordering: .acquiring) }

    /// Makes the sender loop look at the outbox at once.
    public func kick() {
        kicked.store(true, ordering: .releasing)
    }

    /// The outcome of an outbox entry: nil while pending, else the hub's reply — when it is kept
    /// (a reply the host recorded on its intake row is not kept; see `recordOutcomes`).
    public func outcome(of id: String) async throws(HubError) -> Envelope? {
        let rows = try await database.query("SELECT state, reply, sealed FROM outbox WHERE message_id = ?", [.text(id)])
        guard let row = rows.first else { throw HubError(.notFound, "No such outbox entry.", field: "id") }
        guard try row.string("state") != "pending", case .blob(let bytes)? = row["reply"] else { return nil }
        if try row.int("sealed") == 0 { return try? Envelope.decode(bytes) }
        return try? Envelope.decode(try protector.open(bytes, context: Self.replyContext(id)))
    }

    /// Opens a stored inbox envelope (nil when dropped or unreadable).
    func openEvent(_ row: DatabaseRow) -> Envelope? {
        guard let id = try? row.string("event_id"), case .blob(let bytes)? = row["envelope"] else { return nil }
        if (try? row.int("sealed")) == 0 { return try? Envelope.decode(bytes) }
        return (try? protector.open(bytes, context: Self.inboxContext(id))).flatMap { try? Envelope.decode($0) }
    }

    /// Events received for this agency whose payload is still kept, oldest first.
    public func receivedEvents(limit: Int = 100) async throws(HubError) -> [Envelope] {
        let rows = try await database.query("SELECT event_id, envelope, sealed FROM inbox WHERE envelope IS NOT NULL ORDER BY received_at LIMIT ?", [.integer(Int64(limit))])
        return rows.compactMap(openEvent)
    }

    /// The runtime's loops as services, in the order a `ServiceGroup` starts them; it stops
    /// them in reverse: the sender first (no new delivery to the hub), then the receiver, then
    /// the acknowledger (which sends the receiver's last acknowledgements).
    public var services: [any Service] {
        [InboxAcknowledger(runtime: self), InboxReceiver(runtime: self), OutboxSender(runtime: self)]
    }

    /// Errors after which the same message is sent again (the outcome is unknown or transient).
    static func isRetryable(_ code: HubError.Code) -> Bool {
        [.timeout, .busy, .storage, .internal].contains(code)
    }

    /// How many outbox entries are in flight to the hub at once: on a slow link (200 ms each
    /// way) one at a time would deliver about 2 a second; a window keeps up with intake.
    static let sendWindow = 16

    /// Delivers pending outbox entries until the shutdown; see `OutboxSender`.
    func sendLoop() async {
        var backoff = Duration.milliseconds(250)
        while !Task.isStopping {
            let rows = (try? await database.query("SELECT message_id, type, envelope, sealed FROM outbox WHERE state = 'pending' ORDER BY created_at LIMIT 100", [])) ?? []
            let entries = rows.compactMap { row -> (id: String, type: String, envelope: Envelope)? in
                guard let id = try? row.string("message_id"), let type = try? row.string("type"),
                      let stored = try? row.blob("envelope") else { return nil }
                let clear = (try? row.int("sealed")) == 0 ? stored : (try? protector.open(stored, context: Self.outboxContext(id)))
                guard let clear, let env = try? Envelope.decode(clear) else {
                    logger.error("an outbox entry does not open with the adapter's data keys; it stays pending", metadata: ["hub.type": "\(type)"])
                    return nil
                }
                return (id, type, env)
            }
            var anyRetry = false
            // The oldest first, a window at a time; after a retryable answer the loop backs off
            // and starts again from the oldest still pending (the hub deduplicates by id).
            for start in stride(from: 0, to: entries.count, by: Self.sendWindow) where !Task.isStopping && !anyRetry {
                let window = entries[start..<min(start + Self.sendWindow, entries.count)]
                let replies = await withTaskGroup(of: (Int, Envelope).self) { group in
                    for (i, entry) in window.enumerated() {
                        group.addTask { [bus, attemptTimeout] in (i, await bus.send(entry.envelope, timeout: attemptTimeout)) }
                    }
                    var out = [Envelope?](repeating: nil, count: window.count)
                    for await (i, reply) in group { out[i] = reply }
                    return out
                }
                // The window's outcomes in one commit. A definitive reply is recorded (the host's
                // intake row) in the same commit; then a success drops the envelope, a refusal
                // keeps it sealed until the retention ends (`AdapterHost.purge`).
                var retries: [String] = []
                var settled: [(id: String, reply: Envelope)] = []
                for (entry, reply) in zip(window, replies) {
                    guard let reply else { continue }
                    if let e = reply.error, Self.isRetryable(e.code) {
                        anyRetry = true
                        retries.append(entry.id)
                        logger.notice("outbox delivery will be retried", metadata: ["hub.type": "\(entry.type)", "hub.code": "\(e.code)"])
                        continue
                    }
                    settled.append((entry.id, reply))
                }
                if !settled.isEmpty { deliveryFailing.store(false, ordering: .releasing) } else if !retries.isEmpty { deliveryFailing.store(true, ordering: .releasing) }
                let retried = retries, done = settled
                let record = recorder.withLock { $0 }
                _ = try? await database.transaction { [protector] tx in
                    let now = Timestamp.now()
                    for id in retried {
                        try await tx.execute("UPDATE outbox SET attempts = attempts + 1, updated_at = ? WHERE message_id = ?", [.text(now), .text(id)])
                    }
                    for (id, reply) in done {
                        let recorded = try await record?(tx, id, reply) ?? false
                        let kept: DatabaseValue = recorded ? .null : .blob(try protector.seal(reply.encoded(), context: Self.replyContext(id)))
                        if reply.error == nil {
                            try await tx.execute("UPDATE outbox SET state = 'done', envelope = NULL, reply = ?, attempts = attempts + 1, updated_at = ? WHERE message_id = ?",
                                                 [kept, .text(now), .text(id)])
                        } else {
                            try await tx.execute("UPDATE outbox SET state = 'failed', reply = ?, attempts = attempts + 1, updated_at = ? WHERE message_id = ?",
                                                 [kept, .text(now), .text(id)])
                        }
                    }
                }
            }
            if anyRetry {
                // Short and capped at 1 s: the hub is back within moments of a restart, and
                // every retry of the window is answered from the service's idempotency record.
                await Task.pause(for: backoff)
                backoff = min(backoff * 2, .seconds(1))
                continue
            }
            backoff = .milliseconds(250)
            if rows.count == 100 { continue }
            // Wait for new work (enqueue kicks), or look again within a second.
            for _ in 0..<50 where !Task.isStopping {
                if kicked.exchange(false, ordering: .acquiringAndReleasing) { break }
                try? await Task.sleep(for: .milliseconds(20)) // short: no graceful-shutdown handler needed
            }
        }
    }

    /// Acknowledges stored events to the services that published them, in batches, every
    /// 200 ms, and once more when it stops (the pause ends early on shutdown). A lost
    /// acknowledgement only means the event comes again and is stored once.
    func ackLoop() async {
        var stopping = false
        while !stopping {
            await Task.pause(for: .milliseconds(200))
            stopping = Task.isStopping
            // The last batch only while connected: its events come again anyway, so a shutdown
            // does not wait out `attemptTimeout` for a broker that is gone.
            if stopping, !bus.isConnected { break }
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
    /// wait in the bus client's bounded buffer meanwhile. Ends on shutdown, between two events
    /// (an event in hand is tried once more; one not stored is not acknowledged, so it comes again).
    func receiveLoop() async {
        bus.subscribe("agency.\(agency).")
        bus.subscribe("capacity.")
        for await event in bus.eventStream.cancelOnGracefulShutdown() {
            var delay = Duration.milliseconds(50)
            var failures = 0
            while true {
                do {
                    let sealed = try protector.seal(event.envelope.encoded(), context: Self.inboxContext(event.envelope.id))
                    try await database.execute("""
                        INSERT INTO inbox (event_id, topic, envelope, sealed, received_at, delivered_at) VALUES (?, ?, ?, 1, ?, NULL)
                        ON CONFLICT (event_id) DO NOTHING
                        """, [.text(event.envelope.id), .text(event.topic), .blob(sealed), .text(Timestamp.now())])
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
                    if Task.isStopping { break }
                    await Task.pause(for: delay)
                    delay = min(delay * 2, .seconds(1))
                }
            }
        }
    }
}
