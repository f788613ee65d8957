// One pass of the adapter host's delivery loop: receipts whose hub answer has come, then
// undelivered events (status changes and documents), each retried with back-off until the
// agency side acknowledges it.

import Crypto
import Foundation
import HubCore
import HubProtocol
import ReferralsAPI
import HubBus
import HubStorage
import Logging
import Synchronization

extension AdapterHost {
    private func later(_ attempts: Int) -> String {
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        let delay = min(seconds(settings.retryBase) * pow(2, Double(min(attempts, 20))), seconds(settings.retryMax))
        return Timestamp.string(from: Date().addingTimeInterval(delay))
    }

    /// One pass: receipts whose hub answer has come and that the agency has not yet acknowledged.
    func deliverReceipts(_ deliverer: any AgencyDeliverer) async throws(HubError) {
        let now = Timestamp.now()
        let rows = try await database.query("""
            SELECT i.*, o.state FROM intake i JOIN outbox o ON o.message_id = i.message_id
            WHERE i.reported_at IS NULL AND o.state <> 'pending' AND i.next_attempt_at <= ? ORDER BY i.received_at LIMIT 50
            """, [.text(now)])
        for row in rows where !Task.isStopping {
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
        for row in rows where !Task.isStopping {
            let eventID = try row.string("event_id"), topic = try row.string("topic")
            guard let env = runtime.openEvent(row) else {
                logger.error("a stored event does not open (unknown data key or damaged); it is set aside")
                try await database.execute("UPDATE inbox SET delivered_at = ?, envelope = NULL WHERE event_id = ?", [.text(Timestamp.now()), .text(eventID)])
                continue
            }
            let item: AgencyDelivery
            if ReferralStatusEvent.isTopic(topic) {
                guard let event = try? env.body.decode(ReferralStatusEvent.self) else {
                    logger.error("a status event does not fit the referrals contract; it is set aside", metadata: ["hub.topic": "\(topic)"])
                    try await database.execute("UPDATE inbox SET delivered_at = ?, envelope = NULL WHERE event_id = ?", [.text(Timestamp.now()), .text(eventID)])
                    continue
                }
                let update = StatusUpdate(eventID: eventID, event: event)
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
                let drop = !keep || ReferralStatusEvent.isTopic(topic)
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
