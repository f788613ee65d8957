import Foundation
import HubCore
import HubProtocol
import HubStorage
import Logging
import ServiceLifecycle
import Metrics
import Synchronization
import ZeroMQ

/// The runtime's own tables: the idempotency record (message id → first reply).
enum RuntimeMigrations {
    static let all: [Migration] = [
        Migration(version: 1_000_000, name: "hub_processed_messages", sql: """
            CREATE TABLE IF NOT EXISTS hub_processed (
                message_id TEXT PRIMARY KEY,
                type TEXT NOT NULL,
                principal TEXT NOT NULL,
                reply BYTEA NOT NULL,
                processed_at TEXT NOT NULL
            )
            """),
        Migration(version: 1_000_001, name: "hub_event_outbox", sql: """
            CREATE TABLE IF NOT EXISTS hub_outbox (
                event_id TEXT PRIMARY KEY,
                topic TEXT NOT NULL,
                envelope BYTEA NOT NULL,
                created_at TEXT NOT NULL
            )
            """),
        // Events for one agency wait for its adapter's acknowledgement: when to publish again.
        Migration(version: 1_000_002, name: "hub_outbox_redelivery", sql: """
            ALTER TABLE hub_outbox ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
            ALTER TABLE hub_outbox ADD COLUMN next_at TEXT
            """),
        StorageHealth.migration,
    ]
}

/// Dispatches requests to handlers: validation of the envelope, idempotency for
/// commands, mapping of every thrown error to a structured `HubError` reply.
public struct Dispatcher: Sendable {
    public let definition: ServiceDefinition
    public let database: any HubDatabase
    public let configDir: String
    public let logger: Logger
    private let requests: Counter
    private let failures: Counter
    private let timer: Metrics.Timer
    /// Events handed to the broker whose outbox rows are not yet deleted.
    private let marks = PublishedMarks()
    /// How long an event for an agency waits for its adapter's acknowledgement before it
    /// is published again; each further attempt waits twice as long, up to `maxRedeliveryDelay`.
    public let redeliveryDelay: Duration
    public let maxRedeliveryDelay: Duration
    /// Whether writes still succeed, for `<service>.health`.
    public let storage = StorageHealth()
    /// How long an idempotency record (message id → first reply) is kept. A command
    /// redelivered within it gets its first reply; after it, the record (and the reply,
    /// which may name people) is purged. Default 7 days (`HubConfiguration.idempotencyRetentionDays`).
    public let processedRetention: Duration
    /// Seals each stored first reply (a registration's names the registrants) with the
    /// service's own key ring, bound to its message id; nil keeps them in clear (tests, benches).
    public let replySealer: DataProtector?

    public init(definition: ServiceDefinition, database: any HubDatabase, configDir: String, logger: Logger,
                redeliveryDelay: Duration = .seconds(10), maxRedeliveryDelay: Duration = .seconds(600),
                processedRetention: Duration = .seconds(7 * 86_400), replySealer: DataProtector? = nil) {
        self.definition = definition; self.database = database; self.configDir = configDir; self.logger = logger
        self.redeliveryDelay = redeliveryDelay; self.maxRedeliveryDelay = maxRedeliveryDelay
        self.processedRetention = processedRetention
        self.replySealer = replySealer
        requests = Counter(label: "hub_service_requests_total", dimensions: [("service", definition.name)])
        failures = Counter(label: "hub_service_errors_total", dimensions: [("service", definition.name)])
        timer = Metrics.Timer(label: "hub_service_request_duration_seconds", dimensions: [("service", definition.name)], preferredDisplayUnit: .seconds)
    }

    /// Applies the runtime's and the service's migrations, then `prepare`.
    public func prepare() async throws {
        try await database.migrate(RuntimeMigrations.all + definition.migrations)
        try await definition.prepare(database, configDir, logger)
        try await purgeProcessed()
    }

    /// The stored form of a first reply: sealed when the service has a key ring.
    func storedReply(_ reply: [UInt8], id: String) throws(HubError) -> [UInt8] {
        guard let replySealer else { return reply }
        return try replySealer.seal(reply, context: "hub-processed:" + id)
    }

    /// A stored first reply as it was sent: opened when sealed (a record written before
    /// sealing, or without a key ring, is JSON and starts with `{`).
    func openedReply(_ stored: [UInt8], id: String) throws(HubError) -> [UInt8] {
        guard stored.first != UInt8(ascii: "{") else { return stored }
        guard let replySealer else { throw HubError(.storage, "A stored reply is sealed but the service has no data keys.") }
        return try replySealer.open(stored, context: "hub-processed:" + id)
    }

    /// Deletes the idempotency records older than `processedRetention` (at start and hourly
    /// from the worker's sweeper), then has the database drop the deleted rows from its files.
    @discardableResult
    public func purgeProcessed(now: Date = Date()) async throws(HubError) -> Int {
        let cutoff = Timestamp.string(from: now.addingTimeInterval(-Double(processedRetention.components.seconds)))
        let purged = try await database.execute("DELETE FROM hub_processed WHERE processed_at < ?", [.text(cutoff)])
        if purged > 0 {
            await database.reclaimDeletedData()
            logger.info("purged idempotency records past their retention", metadata: ["hub.service": "\(definition.name)", "hub.purged": "\(purged)"])
        }
        return purged
    }

    /// Handles raw frames from the broker (`type`, `principal`, `envelope`) and returns
    /// the reply envelope and the events to publish. Never throws: every failure is a reply.
    public func handle(type: String, principal: Principal, envelopeBytes: [UInt8]) async -> (Envelope, [(String, JSONValue)]) {
        let (reply, events) = await handleForWorker(type: type, principal: principal, envelopeBytes: envelopeBytes)
        return (reply, events.map { ($0.type, $0.body) })
    }

    /// As `handle`, with the events as envelopes (their ids are the outbox keys).
    public func handleForWorker(type: String, principal: Principal, envelopeBytes: [UInt8]) async -> (Envelope, [Envelope]) {
        let start = ContinuousClock.now
        requests.increment()
        defer { timer.recordNanoseconds((ContinuousClock.now - start).nanoseconds) }
        let envelope: Envelope
        do { envelope = try Envelope.decode(envelopeBytes) } catch {
            failures.increment()
            return (.failure(to: nil, type: MessageType.isValid(type) ? type : "\(definition.name).invalid", error), [])
        }
        guard envelope.type == type else {
            failures.increment()
            return (.failure(to: envelope.id, type: type, HubError(.malformed, "The type frame and the envelope's type differ.", field: "type")), [])
        }
        let (reply, events) = await handleEnvelopes(ServiceRequest(envelope: envelope, principal: principal))
        if reply.error != nil { failures.increment() }
        return (reply, events)
    }

    /// Marks events as handed to the broker. Their outbox rows are deleted by the next
    /// command's transaction (so marking costs no commit of its own), or by
    /// `flushPublished()`, which the sweeper calls when the service is idle. A crash
    /// before that only means the events are published again, with the same ids.
    ///
    /// Events for one agency (`agency.<agency>.…`, see `EventOutbox.isForAnAgency`) are not
    /// marked: their rows stay until that agency's adapter acknowledges them
    /// (`<service>.outbox.ack`), and the sweeper publishes them again until it does.
    public func published(_ ids: [String]) async {
        marks.add(ids)
    }

    /// As `published(_ ids:)`, keeping the rows of events for an agency until acknowledged.
    public func published(_ events: [Envelope]) async {
        marks.add(events.filter { !EventOutbox.isForAnAgency($0.type) }.map(\.id))
    }

    /// Events for an agency that the sweeper published again: each waits twice as long
    /// as before for the acknowledgement (one statement per event, on this rare path).
    func republished(_ events: [Envelope]) async {
        await published(events)
        for event in events where EventOutbox.isForAnAgency(event.type) {
            guard let row = try? await database.query("SELECT attempts FROM hub_outbox WHERE event_id = ?", [.text(event.id)]).first,
                  let attempts = try? row.int("attempts") else { continue }
            let next = Timestamp.string(from: Date().addingTimeInterval(redeliverySeconds(after: attempts + 1)))
            _ = try? await database.execute("UPDATE hub_outbox SET attempts = attempts + 1, next_at = ? WHERE event_id = ?",
                                            [.text(next), .text(event.id)])
        }
    }

    /// The wait before publishing an unacknowledged event again after `attempts` publications.
    func redeliverySeconds(after attempts: Int) -> Double {
        let base = Double(redeliveryDelay.components.seconds) + Double(redeliveryDelay.components.attoseconds) / 1e18
        let cap = Double(maxRedeliveryDelay.components.seconds)
        return min(base * pow(2, Double(max(0, attempts - 1))), max(cap, base))
    }

    /// Deletes the outbox rows of every event marked published, in one statement.
    public func flushPublished() async {
        let ids = marks.take()
        if ids.isEmpty { return }
        do {
            try await Self.deleteOutboxRows(ids, on: database)
        } catch {
            marks.add(ids) // tried again at the next command or sweep
        }
    }

    static func deleteOutboxRows(_ ids: [String], on db: any DatabaseExecutor) async throws(HubError) {
        for statement in deleteOutboxStatements(ids) { try await db.execute(statement.sql, statement.binds) }
    }

    /// The deletes of those outbox rows, 500 ids a statement.
    static func deleteOutboxStatements(_ ids: [String]) -> [SQLStatement] {
        stride(from: 0, to: ids.count, by: 500).map { start in
            let chunk = ids[start..<min(start + 500, ids.count)]
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            return SQLStatement("DELETE FROM hub_outbox WHERE event_id IN (\(marks))", chunk.map { .text($0) })
        }
    }

    /// Events committed but not yet published that are older than `age` (a crash
    /// between commit and publish leaves them behind). Marked events are deleted first.
    public func unpublished(olderThan age: Duration) async -> [Envelope] {
        await flushPublished()
        let cutoff = Timestamp.string(from: Date().addingTimeInterval(-Double(age.components.seconds)))
        let now = Timestamp.now()
        guard let rows = try? await database.query("""
            SELECT envelope FROM hub_outbox WHERE created_at < ? AND (next_at IS NULL OR next_at <= ?)
            ORDER BY created_at LIMIT 500
            """, [.text(cutoff), .text(now)]) else { return [] }
        let marked = marks.current()
        return rows.compactMap { try? Envelope.decode($0.blob("envelope")) }.filter { !marked.contains($0.id) }
    }

    /// Handlers every service has: `<name>.info` (schema version, handled types),
    /// `<name>.metrics` (this process's Prometheus text), `<name>.health` (whether its
    /// storage takes writes) and `<name>.outbox.ack` (an adapter has stored its events).
    private func builtin(_ type: String) -> MessageHandler? {
        if type == "\(definition.name).health" {
            let storage = self.storage, database = self.database
            return MessageHandler(.query) { _, _ in
                .object(["storage": .string(await storage.check(database).rawValue)])
            }
        }
        if type == "\(definition.name).outbox.ack" {
            return MessageHandler(.query) { request, ctx in try await Self.acknowledge(request, ctx) }
        }
        if type == "\(definition.name).metrics" {
            return MessageHandler(.query) { _, _ in .object(["text": .string(HubMetrics.exposition())]) }
        }
        guard type == "\(definition.name).info" else { return nil }
        let definition = self.definition
        return MessageHandler(.query) { _, ctx in
            let rows = try await ctx.database.query("SELECT version FROM schema_migrations ORDER BY version", [])
            let versions = try rows.map { try $0.int("version") }.filter { $0 < 1_000_000 }
            return .object([
                "service": .string(definition.name),
                "schemaVersion": .number(Double(versions.last ?? 0)),
                "types": .array(definition.handlers.keys.sorted().map { .string($0) }),
            ])
        }
    }

    /// `<service>.outbox.ack {eventIds}`: an agency's adapter has stored these events, so
    /// they are not published again. An adapter acknowledges only events for its own agency
    /// (the broker-stamped principal `adapter:<agency>`); other ids are left alone.
    static func acknowledge(_ request: ServiceRequest, _ ctx: ServiceContext) async throws -> JSONValue {
        guard request.principal.kind == "adapter", let agency = request.principal.qualifier.map(String.init),
              !agency.isEmpty, agency.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d }) else {
            throw HubError(.forbidden, "Only an agency's adapter acknowledges its events.")
        }
        let body = try BodyReader(request.body)
        let ids = try body.strings("eventIds", max: 500, maxLength: 64)
        for (i, id) in ids.enumerated() where !MessageID.isValid(id) {
            throw HubError(.validation, "Not an event id.", field: "body.eventIds[\(i)]", reason: .notAnID)
        }
        if ids.isEmpty { return ["acknowledged": 0] }
        let marks = Array(repeating: "?", count: ids.count).joined(separator: ", ")
        let n = try await ctx.database.execute("DELETE FROM hub_outbox WHERE topic LIKE ? AND event_id IN (\(marks))",
                                               [.text("agency.\(agency).%")] + ids.map { .text($0) })
        return ["acknowledged": .number(Double(n))]
    }

    /// One pass of the service's timed work (`ServiceDefinition.timed`); the events go to `publish`.
    public func tick(publish: @Sendable ([(String, JSONValue)]) -> Void) async {
        for timed in definition.timed {
            let request = ServiceRequest(envelope: Envelope(type: timed.type, body: timed.body), principal: .gateway)
            let (reply, events) = await handle(request)
            if let error = reply.error { logger.warning("scheduled work failed", metadata: ["hub.type": "\(timed.type)", "hub.code": "\(error.code)"]) }
            publish(events)
        }
    }

    /// The service's timed work as a lifecycle `Service` that runs `tick` every `seconds`;
    /// nil when there is no timed work or `seconds` is 0 (e.g. on all but one worker of a
    /// multi-worker deployment).
    public func scheduled(every seconds: Int, publish: @escaping @Sendable ([(String, JSONValue)]) -> Void) -> PeriodicWork? {
        guard seconds > 0, !definition.timed.isEmpty else { return nil }
        return PeriodicWork(name: "\(definition.name).timed", every: .seconds(seconds)) { [self] in await tick(publish: publish) }
    }

    /// Handles a parsed request (the entry point tests use).
    public func handle(_ request: ServiceRequest) async -> (Envelope, [(String, JSONValue)]) {
        let (reply, events) = await handleEnvelopes(request)
        return (reply, events.map { ($0.type, $0.body) })
    }

    /// Handles a parsed request; the events come with their ids and, for commands, are
    /// already in `hub_outbox` (committed with the change).
    public func handleEnvelopes(_ request: ServiceRequest) async -> (Envelope, [Envelope]) {
        let envelope = request.envelope
        guard let handler = definition.handlers[envelope.type] ?? builtin(envelope.type) else {
            return (.failure(to: envelope.id, type: envelope.type, HubError(.unknownType, "The \(definition.name) service does not handle \(envelope.type).", field: "type")), [])
        }
        let outbox = EventOutbox()
        do {
            switch handler.kind {
            case .query:
                let ctx = ServiceContext(database: database, logger: logger, configDir: configDir, events: outbox)
                let result = try await handler.run(request, ctx)
                return (.reply(to: envelope, result: result), outbox.drainEnvelopes().map { $0.correlated(to: envelope.id) })
            case .command:
                let logger = self.logger, configDir = self.configDir
                let committed = Mutex<[Envelope]>([])
                let marks = self.marks
                let redelivery = redeliverySeconds(after: 1)
                let cleared = Mutex<[String]>([])
                let stored: [UInt8]
                do {
                    stored = try await database.transaction { tx in
                        let prior = try await tx.query("SELECT reply FROM hub_processed WHERE message_id = ?", [.text(envelope.id)])
                        if let row = prior.first { return try self.openedReply(try row.blob("reply"), id: envelope.id) }
                        let ctx = ServiceContext(database: tx, logger: logger, configDir: configDir, events: outbox)
                        let result = try await handler.run(request, ctx)
                        let reply = Envelope.reply(to: envelope, result: result).encoded()
                        let events = outbox.drainEnvelopes().map { $0.correlated(to: envelope.id) }
                        let firstRedelivery = Timestamp.string(from: Date().addingTimeInterval(redelivery))
                        // The events and the idempotency record go in one round trip (PostgreSQL folds them).
                        var writes = events.map { event in
                            SQLStatement("INSERT INTO hub_outbox (event_id, topic, envelope, created_at, next_at) VALUES (?, ?, ?, ?, ?)",
                                         [.text(event.id), .text(event.type), .blob(event.encoded()), .text(Timestamp.now()),
                                          EventOutbox.isForAnAgency(event.type) ? .text(firstRedelivery) : .null])
                        }
                        committed.withLock { $0 = events }
                        writes.append(SQLStatement("INSERT INTO hub_processed (message_id, type, principal, reply, processed_at) VALUES (?, ?, ?, ?, ?)",
                                                   [.text(envelope.id), .text(envelope.type), .text(request.principal.name),
                                                    .blob(try self.storedReply(reply, id: envelope.id)), .text(Timestamp.now())]))
                        // Earlier events the broker already has: their rows go with this commit.
                        let done = marks.take()
                        if !done.isEmpty {
                            cleared.withLock { $0 = done }
                            writes += Self.deleteOutboxStatements(done)
                        }
                        try await tx.execute(all: writes)
                        return reply
                    }
                } catch {
                    marks.add(cleared.withLock { $0 }) // rolled back: the rows are still there
                    throw error
                }
                let reply = (try? Envelope.decode(stored)) ?? .reply(to: envelope, result: .null)
                // A redelivery returns the first reply: same result, and no events again.
                return (reply, committed.withLock { $0 })
            }
        } catch let error as HubError {
            if error.code == .conflict, handler.kind == .command,
               let rows = try? await database.query("SELECT reply FROM hub_processed WHERE message_id = ?", [.text(envelope.id)]),
               let row = rows.first, let stored = try? row.blob("reply"), let bytes = try? openedReply(stored, id: envelope.id),
               let first = try? Envelope.decode(bytes) {
                return (first, []) // a concurrent redelivery won the race
            }
            if error.code == .storage { storage.failed() }
            if error.code == .internal || error.code == .storage {
                logger.error("handler failed", metadata: ["hub.type": "\(envelope.type)", "hub.code": "\(error.code)"])
            }
            return (.failure(to: envelope.id, type: envelope.type, error), [])
        } catch {
            // Unknown error types may carry input: log only the type name.
            logger.error("handler failed", metadata: ["hub.type": "\(envelope.type)", "hub.error_type": "\(Swift.type(of: error))"])
            return (.failure(to: envelope.id, type: envelope.type, HubError(.internal, "The request failed inside the \(definition.name) service; nothing was stored.")), [])
        }
    }
}

/// Ids of events handed to the broker whose outbox rows are still to be deleted.
final class PublishedMarks: Sendable {
    private let ids = Mutex<Set<String>>([])
    func add(_ new: [String]) { if !new.isEmpty { ids.withLock { $0.formUnion(new) } } }
    func take() -> [String] { ids.withLock { let v = Array($0); $0.removeAll(); return v } }
    func current() -> Set<String> { ids.withLock { $0 } }
}
