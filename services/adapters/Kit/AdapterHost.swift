import Crypto
import Foundation
import HubCore
import HubProtocol
import ReferralsAPI
import HubBus
import HubStorage
import Logging
import ServiceLifecycle
import Synchronization

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
    /// The risk-screening questions the drafts' answers are checked against.
    public let risk: RiskScreening
    public let settings: DeliverySettings
    let logger: Logger
    /// Whether the running deliverer keeps delivered documents (see `AgencyDeliverer.keepsDocuments`).
    let keepDocuments = Mutex<Bool>(false)
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

    public init(adapter: String, runtime: AdapterRuntime, database: any HubDatabase, reference: ReferenceData, risk: RiskScreening,
                settings: DeliverySettings = DeliverySettings(), logger: Logger) {
        self.adapter = adapter; self.runtime = runtime; self.database = database
        self.reference = reference; self.risk = risk; self.settings = settings; self.logger = logger
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
        let referral = e == nil ? Self.receipt(reply)?.id : nil
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
        let submission = try draft.validatedSubmission(adapter: adapter, reference: reference, risk: risk)
        let body: JSONValue
        do { body = try JSONValue.from(submission) } catch { throw HubError(.internal, "The referral could not be written.") }
        let ref = submission.externalRef ?? ""
        let id = Self.messageID(adapter: adapter, agency: draft.agency, scope: scope, externalRef: ref)
        let now = Timestamp.now()
        let agency = draft.agency
        do {
            try await database.transaction { tx in
                try await tx.execute("""
                    INSERT INTO intake (message_id, agency, external_ref, channel, received_at, answered, attempts, next_attempt_at)
                    VALUES (?, ?, ?, ?, ?, 0, 0, ?) ON CONFLICT (message_id) DO NOTHING
                    """, [.text(id), .text(agency), .text(ref), .text(channel), .text(now), .text(now)])
                try await AdapterRuntime.insert(type: SubmitReferral.type, body: body, id: id, protector: runtime.protector, into: tx)
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

    /// The referrals service's receipt in a reply to `referrals.submit` (nil when it does not fit the contract).
    static func receipt(_ reply: Envelope) -> SubmissionReceipt? { try? reply.body.decode(SubmissionReceipt.self) }

    /// Records the hub's reply on the intake row.
    func answer(_ record: IntakeRecord, reply: Envelope) async throws(HubError) -> IntakeRecord {
        var r = record
        r.answered = true
        if let e = reply.error { r.error = e } else { r.referralID = Self.receipt(reply)?.id }
        _ = try await Self.recordAnswer(reply, messageID: r.messageID, on: database)
        return r
    }

    // MARK: the loops

    /// Gets the host ready for its loops: what the purge must know (whether `deliverer` keeps
    /// delivered documents; a folder adapter's `purgeFiles`, its rejected files past their
    /// retention), then `prepare()` — migrations, rows an older version left in clear, the purge.
    public func prepare(delivering deliverer: any AgencyDeliverer, purgeFiles: (@Sendable (Date) async -> Void)? = nil) async throws {
        keepDocuments.withLock { $0 = deliverer.keepsDocuments }
        filePurge.withLock { $0 = purgeFiles }
        try await prepare()
    }

    /// What every adapter runs, as services in the order a `ServiceGroup` starts them (after
    /// `prepare`): the hourly purge, the delivery to the agency, the runtime's acknowledger,
    /// receiver and sender, and for a folder adapter `scan` every `poll`. The group stops them
    /// in reverse, so intake stops first and the sender next, while what stores and delivers
    /// their results still runs.
    public func services(delivering deliverer: any AgencyDeliverer, scanEvery poll: Duration? = nil,
                         scan: (@Sendable () async -> Void)? = nil) -> [any Service] {
        var all: [any Service] = [PeriodicWork(name: "adapter-\(adapter).purge", every: settings.purgeEvery) { await self.purge() },
                                  AgencyDeliveryLoop(host: self, deliverer: deliverer)]
        all += runtime.services
        if let poll, let scan { all.append(FolderScanner(poll: poll, scan: scan)) }
        return all
    }

    /// Hands what is due to the agency every `settings.poll` until the shutdown; see `AgencyDeliveryLoop`.
    func deliveryLoop(_ deliverer: any AgencyDeliverer) async {
        while !Task.isStopping {
            do {
                try await deliverReceipts(deliverer)
                try await deliverEvents(deliverer)
            } catch {
                logger.error("agency delivery failed; will retry", metadata: ["hub.code": "\(error.code)"])
            }
            await Task.pause(for: settings.poll)
        }
    }
}
