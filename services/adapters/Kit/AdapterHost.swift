import Crypto
import Foundation
import HubCore
import HubProtocol
import HubBus
import HubStorage
import Logging
import Synchronization

/// What the hub sends back towards an agency, in the hub's terms; each adapter turns
/// it into its own form (callback, CSV/text files, FHIR Task, XML).
public enum AgencyDelivery: Sendable {
    /// The hub's answer to one intake: the referral id, or why it was refused.
    case receipt(IntakeRecord)
    /// A referral status change (`agency.<adapter>.referral.status`).
    case status(StatusUpdate, IntakeRecord?)
    /// Anything else for the agency (agenda, minutes, invitation, capacity), delivered as is.
    case document(topic: String, eventID: String, body: JSONValue)
}

/// Delivers to the agency; returns true only once the agency side has it
/// (a 2xx from the callback, a file written and synced). False means "try again later".
public protocol AgencyDeliverer: Sendable {
    func deliver(_ item: AgencyDelivery) async -> Bool
    /// True when the agency reads documents from the inbox later (FHIR `Communication`):
    /// a delivered document's payload then stays (sealed) until the inbox retention ends,
    /// instead of being dropped at once.
    var keepsDocuments: Bool { get }
}

extension AgencyDeliverer {
    public var keepsDocuments: Bool { false }
}

/// One intake (one agency document) and what the hub answered.
public struct IntakeRecord: Sendable, Equatable {
    public var messageID: String
    public var agency: String
    public var externalRef: String
    /// Where it came from and where answers go: a municipality, a file name, "http".
    public var channel: String
    public var receivedAt: String
    public var referralID: String?
    /// Set when the hub refused the referral.
    public var error: HubError?
    /// The hub's reply has arrived (referralID or error set).
    public var answered: Bool
}

/// A referral status change as the referrals service publishes it.
public struct StatusUpdate: Sendable, Equatable {
    public var eventID: String
    public var referralID: String
    public var externalRef: String?
    public var agency: String?
    public var centre: String?
    public var status: String
    public var at: String
    public var reason: String?
    public var reasonText: String?
    public var group: String?

    init(eventID: String, body: JSONValue) {
        self.eventID = eventID
        referralID = body["referralId"]?.stringValue ?? ""
        externalRef = body["externalRef"]?.stringValue
        agency = body["agency"]?.stringValue
        centre = body["centre"]?.stringValue
        status = body["status"]?.stringValue ?? "unknown"
        at = body["at"]?.stringValue ?? Timestamp.now()
        reason = body["reason"]?.stringValue
        reasonText = body["reasonText"]?.stringValue
        group = body["group"]?.stringValue
    }
}

/// How the delivery loop retries towards the agency.
public struct DeliverySettings: Sendable {
    public var retryBase: Duration
    public var retryMax: Duration
    public var poll: Duration
    /// How long a refused request's envelope (and a rejected file, sealed) is kept for staff.
    public var rejectedRetention: TimeInterval
    /// How long a delivered inbox event is kept (its id for deduplication; a pull adapter's document, sealed).
    public var inboxRetention: TimeInterval
    /// How often the purge runs (it also runs at start).
    public var purgeEvery: Duration
    public init(retryBase: Duration = .seconds(1), retryMax: Duration = .seconds(300), poll: Duration = .milliseconds(250),
                rejectedRetention: TimeInterval = 14 * 86_400, inboxRetention: TimeInterval = 14 * 86_400, purgeEvery: Duration = .seconds(3600)) {
        self.retryBase = retryBase; self.retryMax = retryMax; self.poll = poll
        self.rejectedRetention = rejectedRetention; self.inboxRetention = inboxRetention; self.purgeEvery = purgeEvery
    }
}

/// The adapter-side engine every agency adapter shares, on top of `AdapterRuntime`:
/// records each intake with a deterministic message id (adapter + agency + scope +
/// the agency's own reference, so a re-sent document is the same message end to end)
/// in the same transaction as its outbox entry, and runs the delivery loop that
/// hands receipts, status changes and documents to the agency with retries and
/// back-off until the agency side acknowledges them.
public final class AdapterHost: Sendable {
    public let adapter: String
    public let runtime: AdapterRuntime
    public let database: any HubDatabase
    private let storage = StorageHealth()
    public let reference: ReferenceData
    public let settings: DeliverySettings
    let logger: Logger
    private let task = Mutex<Task<Void, Never>?>(nil)
    /// A folder adapter's scan loop (nil for an HTTP adapter).
    private let scanner = LoopTask()
    /// The purge loop (see `purge`).
    private let purger = LoopTask()
    /// Whether the running deliverer keeps delivered documents (see `AgencyDeliverer.keepsDocuments`).
    private let keepDocuments = Mutex<Bool>(false)
    /// A folder adapter's part of the purge (rejected files past their retention).
    private let filePurge = Mutex<(@Sendable (Date) async -> Void)?>(nil)

    public static let migrations: [Migration] = [
        Migration(version: 2, name: "intake_and_status", sql: """
            CREATE TABLE intake (
                message_id TEXT PRIMARY KEY,
                agency TEXT NOT NULL,
                external_ref TEXT NOT NULL,
                channel TEXT NOT NULL,
                received_at TEXT NOT NULL,
                referral_id TEXT,
                error_code TEXT,
                error_message TEXT,
                error_field TEXT,
                answered BIGINT NOT NULL DEFAULT 0,
                reported_at TEXT,
                attempts BIGINT NOT NULL DEFAULT 0,
                next_attempt_at TEXT NOT NULL
            );
            CREATE INDEX intake_ref ON intake (agency, external_ref);
            CREATE INDEX intake_referral ON intake (referral_id);
            CREATE TABLE referral_status (
                event_id TEXT PRIMARY KEY,
                message_id TEXT,
                referral_id TEXT NOT NULL,
                status TEXT NOT NULL,
                at TEXT NOT NULL,
                reason TEXT,
                reason_text TEXT
            );
            CREATE INDEX referral_status_message ON referral_status (message_id, at);
            ALTER TABLE inbox ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
            ALTER TABLE inbox ADD COLUMN next_attempt_at TEXT
            """),
        // Payloads sealed or gone (issue 12): both tables are rebuilt so that `envelope` may be
        // NULL (dropped), with `sealed` telling sealed rows from the clear rows copied here;
        // `AdapterHost.sealLegacyRows` then seals or drops every clear row, and for SQLite
        // (secure_delete on) the file is vacuumed and the WAL truncated.
        Migration(version: 3, name: "sealed_payloads", sql: """
            CREATE TABLE outbox_v3 (
                message_id TEXT PRIMARY KEY,
                type TEXT NOT NULL,
                envelope BYTEA,
                payload_hash TEXT,
                sealed BIGINT NOT NULL DEFAULT 0,
                state TEXT NOT NULL,
                attempts BIGINT NOT NULL,
                reply BYTEA,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            );
            INSERT INTO outbox_v3 (message_id, type, envelope, payload_hash, sealed, state, attempts, reply, created_at, updated_at)
                SELECT message_id, type, envelope, NULL, 0, state, attempts, reply, created_at, updated_at FROM outbox;
            DROP TABLE outbox;
            ALTER TABLE outbox_v3 RENAME TO outbox;
            CREATE INDEX outbox_state ON outbox (state, created_at);
            CREATE TABLE inbox_v3 (
                event_id TEXT PRIMARY KEY,
                topic TEXT NOT NULL,
                envelope BYTEA,
                sealed BIGINT NOT NULL DEFAULT 0,
                received_at TEXT NOT NULL,
                delivered_at TEXT,
                attempts BIGINT NOT NULL DEFAULT 0,
                next_attempt_at TEXT
            );
            INSERT INTO inbox_v3 (event_id, topic, envelope, sealed, received_at, delivered_at, attempts, next_attempt_at)
                SELECT event_id, topic, envelope, 0, received_at, delivered_at, attempts, next_attempt_at FROM inbox;
            DROP TABLE inbox;
            ALTER TABLE inbox_v3 RENAME TO inbox;
            CREATE INDEX inbox_delivered ON inbox (delivered_at)
            """),
    ]

    public init(adapter: String, runtime: AdapterRuntime, database: any HubDatabase, reference: ReferenceData,
                settings: DeliverySettings = DeliverySettings(), logger: Logger) {
        self.adapter = adapter; self.runtime = runtime; self.database = database
        self.reference = reference; self.settings = settings; self.logger = logger
        // A definitive reply is recorded on the intake row in the commit that settles the
        // outbox entry, so the outbox need not keep it.
        runtime.recordOutcomes { tx, id, reply in try await Self.recordAnswer(reply, messageID: id, on: tx) }
    }

    /// Applies the runtime's and the host's migrations (and the storage probe's table), seals or
    /// drops rows an older version stored in clear, and purges what is past its retention.
    public func prepare() async throws {
        // `secure_delete` is on for every SQLite database (HubStorage), so deleted and
        // overwritten content is zeroed in the file, not left in free pages.
        try await database.migrate(AdapterRuntime.migrations + Self.migrations + [StorageHealth.migration])
        let converted = try await sealLegacyRows()
        if converted > 0 {
            logger.notice("sealed or dropped payloads an older adapter version stored in clear", metadata: ["hub.rows": "\(converted)"])
            if database.dialect == .sqlite {
                // Pages that held the clear copies are rewritten (VACUUM), then the WAL is emptied (purge).
                _ = try? await database.execute("VACUUM", [])
            }
        }
        await purge()
    }

    /// Records the hub's reply on the intake row (if there is one); true when there was.
    static func recordAnswer(_ reply: Envelope, messageID: String, on executor: any DatabaseExecutor) async throws(HubError) -> Bool {
        let e = reply.error
        let referral = e == nil ? reply.body["id"]?.stringValue : nil
        return try await executor.execute("UPDATE intake SET answered = 1, referral_id = ?, error_code = ?, error_message = ?, error_field = ? WHERE message_id = ?", [
            referral.map { .text($0) } ?? .null, e.map { .text($0.code.rawValue) } ?? .null,
            e.map { .text($0.message) } ?? .null, e?.field.map { .text($0) } ?? .null, .text(messageID),
        ]) > 0
    }

    /// Seals (or drops, when no longer needed) every payload an older version stored in clear:
    /// outbox envelopes and replies, inbox events. Returns how many rows it changed.
    func sealLegacyRows() async throws -> Int {
        let protector = runtime.protector
        var total = 0
        while true {
            let rows = try await database.query("SELECT message_id, state, envelope, reply FROM outbox WHERE sealed = 0 LIMIT 200", [])
            if rows.isEmpty { break }
            try await database.transaction { tx in
                for r in rows {
                    let id = try r.string("message_id"), state = try r.string("state")
                    let envelope = try r.optionalBlob("envelope"), reply = try r.optionalBlob("reply")
                    var recorded = false
                    if let reply, let env = try? Envelope.decode(reply) {
                        recorded = try await Self.recordAnswer(env, messageID: id, on: tx)
                    }
                    let keptEnvelope: DatabaseValue = state == "done" ? .null
                        : try envelope.map { .blob(try protector.seal($0, context: AdapterRuntime.outboxContext(id))) } ?? .null
                    let keptReply: DatabaseValue = recorded ? .null
                        : try reply.map { .blob(try protector.seal($0, context: AdapterRuntime.replyContext(id))) } ?? .null
                    try await tx.execute("UPDATE outbox SET envelope = ?, reply = ?, payload_hash = ?, sealed = 1 WHERE message_id = ?",
                                         [keptEnvelope, keptReply, envelope.map { .text(AdapterRuntime.hash($0)) } ?? .null, .text(id)])
                }
            }
            total += rows.count
        }
        while true {
            let rows = try await database.query("SELECT event_id, envelope, delivered_at FROM inbox WHERE sealed = 0 LIMIT 200", [])
            if rows.isEmpty { break }
            try await database.transaction { tx in
                for r in rows {
                    let id = try r.string("event_id")
                    let kept: DatabaseValue = try r.optionalBlob("envelope").map { .blob(try protector.seal($0, context: AdapterRuntime.inboxContext(id))) } ?? .null
                    try await tx.execute("UPDATE inbox SET envelope = ?, sealed = 1 WHERE event_id = ?", [kept, .text(id)])
                }
            }
            total += rows.count
        }
        return total
    }

    /// Removes what is past its retention (`now` is injectable for tests):
    /// - a successful request's envelope (dropped at once normally; here for any left over);
    /// - a refused request's sealed envelope and reply after `rejectedRetention` (the row stays:
    ///   id, type, hash, state — the same document sent again is still the same message);
    /// - a delivered event's payload (at once, unless the deliverer keeps documents), and the
    ///   delivered event's row after `inboxRetention`;
    /// - a folder adapter's rejected files (its own part, registered with `start`).
    /// Then, on SQLite, the WAL is checkpointed and truncated so that no old page lingers there.
    public func purge(now: Date = Date()) async {
        let rejectedCutoff = Timestamp.string(from: now.addingTimeInterval(-settings.rejectedRetention))
        let inboxCutoff = Timestamp.string(from: now.addingTimeInterval(-settings.inboxRetention))
        let keep = keepDocuments.withLock { $0 }
        do {
            try await database.execute("UPDATE outbox SET envelope = NULL WHERE state = 'done' AND envelope IS NOT NULL", [])
            try await database.execute("""
                UPDATE outbox SET envelope = NULL, reply = NULL
                WHERE state = 'failed' AND updated_at < ? AND (envelope IS NOT NULL OR reply IS NOT NULL)
                """, [.text(rejectedCutoff)])
            if keep {
                try await database.execute("UPDATE inbox SET envelope = NULL WHERE delivered_at IS NOT NULL AND envelope IS NOT NULL AND topic LIKE '%.referral.status'", [])
            } else {
                try await database.execute("UPDATE inbox SET envelope = NULL WHERE delivered_at IS NOT NULL AND envelope IS NOT NULL", [])
            }
            try await database.execute("DELETE FROM inbox WHERE delivered_at IS NOT NULL AND delivered_at < ?", [.text(inboxCutoff)])
        } catch {
            logger.error("the adapter's purge failed; will try again", metadata: ["hub.code": "\(error.code)"])
        }
        if let files = filePurge.withLock({ $0 }) { await files(now) }
        await database.reclaimDeletedData() // SQLite: the WAL no longer holds the purged pages
    }

    /// Whether the adapter's own database takes writes (its /healthz says so): an adapter
    /// that cannot store refuses documents with 503, and its operators should see why.
    public func storageState() async -> StorageHealth.State { await storage.check(database) }

    /// The message id of an agency document: the same document always gets the same id.
    /// A hash, so that the agency's reference (possibly telling) never travels in ids or logs.
    public static func messageID(adapter: String, agency: String, scope: String, externalRef: String) -> String {
        let digest = SHA256.hash(data: Data("\(adapter)\u{1F}\(agency)\u{1F}\(scope)\u{1F}\(externalRef)".utf8))
        return "\(adapter)-" + Hex.encode(digest.prefix(16))
    }

    /// Validates `draft` and commits it with its outbox entry in one transaction.
    /// Returns the intake (already known when the same document came before).
    /// Nothing is stored when it throws.
    @discardableResult
    public func submit(_ draft: ReferralDraft, scope: String = "", channel: String) async throws(HubError) -> IntakeRecord {
        let body = try draft.validatedBody(adapter: adapter, reference: reference)
        let ref = body["externalRef"]?.stringValue ?? ""
        let id = Self.messageID(adapter: adapter, agency: draft.agency, scope: scope, externalRef: ref)
        let now = Timestamp.now()
        let agency = draft.agency
        do {
            try await database.transaction { tx in
                try await tx.execute("""
                    INSERT INTO intake (message_id, agency, external_ref, channel, received_at, answered, attempts, next_attempt_at)
                    VALUES (?, ?, ?, ?, ?, 0, 0, ?) ON CONFLICT (message_id) DO NOTHING
                    """, [.text(id), .text(agency), .text(ref), .text(channel), .text(now), .text(now)])
                try await AdapterRuntime.insert(type: "referrals.submit", body: body, id: id, protector: runtime.protector, into: tx)
            }
        } catch let e as HubError {
            throw e
        } catch {
            throw HubError(.storage, "The referral could not be stored; nothing was kept.")
        }
        runtime.kick()
        return try await intake(messageID: id) ?? IntakeRecord(messageID: id, agency: agency, externalRef: ref, channel: channel,
                                                                 receivedAt: now, answered: false)
    }

    /// The intake with this message id, with the hub's answer once it has come.
    public func intake(messageID: String) async throws(HubError) -> IntakeRecord? {
        guard let row = try await database.queryFirst("SELECT * FROM intake WHERE message_id = ?", [.text(messageID)]) else { return nil }
        var record = try Self.record(row)
        if !record.answered, let reply = try await runtime.outcome(of: messageID) {
            record = try await answer(record, reply: reply)
        }
        return record
    }

    /// The intake for an agency's own reference (within `scope`, e.g. a municipality).
    public func intake(agency: String, scope: String = "", externalRef: String) async throws(HubError) -> IntakeRecord? {
        try await intake(messageID: Self.messageID(adapter: adapter, agency: agency, scope: scope, externalRef: externalRef))
    }

    /// Status changes received for an intake, oldest first.
    public func history(messageID: String) async throws(HubError) -> [(status: String, at: String, reason: String?, reasonText: String?)] {
        try await database.query("SELECT status, at, reason, reason_text FROM referral_status WHERE message_id = ? ORDER BY at, event_id", [.text(messageID)])
            .map { r throws(HubError) in (try r.string("status"), try r.string("at"), try r.optionalString("reason"), try r.optionalString("reason_text")) }
    }

    /// Waits up to `timeout` for the hub's answer to an intake (used by HTTP intakes
    /// to answer at once when the hub is up; otherwise they answer "accepted, pending").
    /// While the hub is not answering (`AdapterRuntime.hubAnswering`) it does not wait:
    /// the intake is durable in the outbox, and the agency's system should not be held.
    public func waitForAnswer(messageID: String, timeout: Duration) async -> IntakeRecord? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let r = try? await intake(messageID: messageID), r.answered { return r }
            if ContinuousClock.now >= deadline || Task.isCancelled || !runtime.hubAnswering { return nil }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    static func record(_ row: DatabaseRow) throws(HubError) -> IntakeRecord {
        var error: HubError?
        if let code = try row.optionalString("error_code") {
            error = HubError(HubError.Code(code), try row.optionalString("error_message") ?? "", field: try row.optionalString("error_field"))
        }
        return IntakeRecord(messageID: try row.string("message_id"), agency: try row.string("agency"),
                            externalRef: try row.string("external_ref"), channel: try row.string("channel"),
                            receivedAt: try row.string("received_at"), referralID: try row.optionalString("referral_id"),
                            error: error, answered: try row.int("answered") != 0)
    }

    /// Records the hub's reply on the intake row.
    private func answer(_ record: IntakeRecord, reply: Envelope) async throws(HubError) -> IntakeRecord {
        var r = record
        r.answered = true
        if let e = reply.error { r.error = e } else { r.referralID = reply.body["id"]?.stringValue }
        _ = try await Self.recordAnswer(reply, messageID: r.messageID, on: database)
        return r
    }

    // MARK: delivery loop

    /// Starts what every adapter runs — its migrations, the runtime's outbox and inbox loops
    /// and the delivery to the agency — and, for a folder adapter, `scan` every `poll`.
    /// `purgeFiles` is the adapter's part of the purge (rejected files past their retention).
    public func start(delivering deliverer: any AgencyDeliverer, scanEvery poll: Duration? = nil,
                      scan: (@Sendable () async -> Void)? = nil, purgeFiles: (@Sendable (Date) async -> Void)? = nil) async throws {
        keepDocuments.withLock { $0 = deliverer.keepsDocuments }
        filePurge.withLock { $0 = purgeFiles }
        try await prepare()
        runtime.start()
        startDelivery(deliverer)
        purger.start { [settings] in
            while !Task.isCancelled {
                try? await Task.sleep(for: settings.purgeEvery)
                if Task.isCancelled { break }
                await self.purge()
            }
        }
        if let poll, let scan {
            scanner.start {
                while !Task.isCancelled {
                    await scan()
                    try? await Task.sleep(for: poll)
                }
            }
        }
    }

    /// Stops the scan loop, the delivery and the runtime, in that order.
    public func stop() async {
        await purger.stop()
        await scanner.stop()
        await stopDelivery()
        await runtime.stop()
    }

    public func startDelivery(_ deliverer: any AgencyDeliverer) {
        let t = Task { await self.deliveryLoop(deliverer) }
        task.withLock { $0 = t }
    }

    public func stopDelivery() async {
        let t = task.withLock { let t = $0; $0 = nil; return t }
        t?.cancel()
        await t?.value
    }

    private func later(_ attempts: Int) -> String {
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        let delay = min(seconds(settings.retryBase) * pow(2, Double(min(attempts, 20))), seconds(settings.retryMax))
        return Timestamp.string(from: Date().addingTimeInterval(delay))
    }

    private func deliveryLoop(_ deliverer: any AgencyDeliverer) async {
        while !Task.isCancelled {
            do {
                try await deliverReceipts(deliverer)
                try await deliverEvents(deliverer)
            } catch {
                logger.error("agency delivery failed; will retry", metadata: ["hub.code": "\(error.code)"])
            }
            try? await Task.sleep(for: settings.poll)
        }
    }

    /// One pass: receipts whose hub answer has come and that the agency has not yet acknowledged.
    func deliverReceipts(_ deliverer: any AgencyDeliverer) async throws(HubError) {
        let now = Timestamp.now()
        let rows = try await database.query("""
            SELECT i.*, o.state FROM intake i JOIN outbox o ON o.message_id = i.message_id
            WHERE i.reported_at IS NULL AND o.state <> 'pending' AND i.next_attempt_at <= ? ORDER BY i.received_at LIMIT 50
            """, [.text(now)])
        for row in rows where !Task.isCancelled {
            var record = try Self.record(row)
            if !record.answered, let reply = try await runtime.outcome(of: record.messageID) {
                record = try await answer(record, reply: reply)
            }
            if await deliverer.deliver(.receipt(record)) {
                try await database.execute("UPDATE intake SET reported_at = ? WHERE message_id = ?", [.text(Timestamp.now()), .text(record.messageID)])
            } else {
                let attempts = try row.int("attempts")
                try await database.execute("UPDATE intake SET attempts = ?, next_attempt_at = ? WHERE message_id = ?",
                                           [.integer(Int64(attempts + 1)), .text(later(attempts)), .text(record.messageID)])
            }
        }
    }

    /// One pass over undelivered events, oldest first.
    func deliverEvents(_ deliverer: any AgencyDeliverer) async throws(HubError) {
        let now = Timestamp.now()
        let rows = try await database.query("""
            SELECT event_id, topic, envelope, sealed, attempts FROM inbox
            WHERE delivered_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY received_at LIMIT 50
            """, [.text(now)])
        let keep = keepDocuments.withLock { $0 }
        for row in rows where !Task.isCancelled {
            let eventID = try row.string("event_id"), topic = try row.string("topic")
            guard let env = runtime.openEvent(row) else {
                logger.error("a stored event does not open (unknown data key or damaged); it is set aside")
                try await database.execute("UPDATE inbox SET delivered_at = ?, envelope = NULL WHERE event_id = ?", [.text(Timestamp.now()), .text(eventID)])
                continue
            }
            let item: AgencyDelivery
            if topic.hasSuffix(".referral.status") {
                let update = StatusUpdate(eventID: eventID, body: env.body)
                let intake = try await intakeFor(update)
                if let intake, intake.reportedAtMissing {
                    // The receipt goes first; look again shortly.
                    try await database.execute("UPDATE inbox SET next_attempt_at = ? WHERE event_id = ?",
                                               [.text(Timestamp.string(from: Date().addingTimeInterval(0.2))), .text(eventID)])
                    continue
                }
                try await database.execute("""
                    INSERT INTO referral_status (event_id, message_id, referral_id, status, at, reason, reason_text)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING
                    """, [.text(eventID), intake.map { .text($0.record.messageID) } ?? .null, .text(update.referralID), .text(update.status),
                          .text(update.at), update.reason.map { .text($0) } ?? .null, update.reasonText.map { .text($0) } ?? .null])
                item = .status(update, intake?.record)
            } else {
                item = .document(topic: topic, eventID: eventID, body: env.body)
            }
            if await deliverer.deliver(item) {
                // Delivered: the payload goes (the event id stays, for deduplication) — unless the
                // agency reads documents later from here (FHIR Communication), until the retention ends.
                let drop = !keep || topic.hasSuffix(".referral.status")
                try await database.execute("UPDATE inbox SET delivered_at = ?\(drop ? ", envelope = NULL" : "") WHERE event_id = ?",
                                           [.text(Timestamp.now()), .text(eventID)])
            } else {
                let attempts = try row.int("attempts")
                try await database.execute("UPDATE inbox SET attempts = ?, next_attempt_at = ? WHERE event_id = ?",
                                           [.integer(Int64(attempts + 1)), .text(later(attempts)), .text(eventID)])
            }
        }
    }

    private struct Found { var record: IntakeRecord; var reportedAtMissing: Bool }

    /// The intake a status change belongs to: by referral id, else by the agency's reference when unambiguous.
    private func intakeFor(_ update: StatusUpdate) async throws(HubError) -> Found? {
        var rows = try await database.query("SELECT * FROM intake WHERE referral_id = ?", [.text(update.referralID)])
        if rows.isEmpty, let ref = update.externalRef, let agency = update.agency {
            rows = try await database.query("SELECT * FROM intake WHERE agency = ? AND external_ref = ?", [.text(agency), .text(ref)])
            if rows.count > 1 {
                // Same reference in two scopes (two municipalities): wait for the hub's answers to tell them apart.
                let records = try rows.map { r throws(HubError) in try Self.record(r) }
                guard let open = records.first(where: { !$0.answered }) else { return nil }
                return Found(record: open, reportedAtMissing: true)
            }
        }
        guard let row = rows.first else { return nil }
        return Found(record: try Self.record(row), reportedAtMissing: try row.optionalString("reported_at") == nil)
    }
}
