// The rows every operation shares: the event's lock, the guarded seat counter, promotion
// from the waiting list and the participant row.

import Crypto
import Foundation
import HubCore
import HubProtocol
import HubStorage

extension RegistrationEngine {
    struct LockedEvent {
        var id: String
        var title: String
        var capacity: Int
        var taken: Int
        var nextSeq: Int
        var fee: Int
        var status: String
        var deadline: String
        var starts: String
        var purged: Bool
    }

    /// Reads an event row and locks it until the transaction ends (PostgreSQL);
    /// SQLite's write transaction already excludes every other writer.
    func lockEvent(_ id: String, field: String, on db: any DatabaseExecutor) async throws(HubError) -> LockedEvent {
        // NO KEY UPDATE: the same lock an UPDATE of the counters takes, so it queues with the
        // seat statement of `register`; it lets the foreign-key checks of rows inserted
        // before it (which take KEY SHARE on this row) through, where FOR UPDATE would deadlock.
        let lock = db.dialect == .postgres ? " FOR NO KEY UPDATE" : ""
        guard let row = try await db.queryFirst(
            "SELECT id, title, capacity, taken, next_seq, fee_sek, status, deadline_at, starts_at, purged FROM registration_events WHERE id = ?\(lock)", id) else {
            throw HubError(.notFound, "No such event.", field: field)
        }
        return LockedEvent(id: try row.string("id"), title: try row.string("title"), capacity: try row.int("capacity"), taken: try row.int("taken"), nextSeq: try row.int("next_seq"),
                           fee: try row.int("fee_sek"), status: try row.string("status"), deadline: try row.string("deadline_at"),
                           starts: try row.string("starts_at"), purged: try row.bool("purged"))
    }

    /// Writes the seat counter guarded by its old value: a lost update (which the lock
    /// prevents) would fail here instead of overbooking.
    func writeCounters(event: String, taken: Int, nextSeq: Int, expectedTaken: Int, on db: any DatabaseExecutor) async throws(HubError) {
        let changed = try await db.execute(
            "UPDATE registration_events SET taken = ?, next_seq = ? WHERE id = ? AND taken = ? AND ? <= capacity",
            taken, nextSeq, event, expectedTaken, taken)
        guard changed == 1 else { throw HubError(.conflict, "The seats changed meanwhile; nothing was stored. Try again.") }
    }

    /// Gives up to `seats` free seats to the head of the waiting list.
    func promote(eventId: String, seats: Int, excluding: String? = nil, now: Date, on db: any DatabaseExecutor) async throws(HubError) -> [Participant] {
        guard seats > 0 else { return [] }
        let event = try await lockEvent(eventId, field: "body.id", on: db)
        let free = min(seats, event.capacity - event.taken)
        guard free > 0 else { return [] }
        let rows = try await db.query(
            "SELECT id FROM registration_participants WHERE event_id = ? AND status = 'waiting' AND id <> ? ORDER BY seq LIMIT ?",
            eventId, excluding ?? "", free)
        guard !rows.isEmpty else { return [] }
        var promoted: [Participant] = []
        for row in rows {
            let id = try row.string("id")
            try await db.execute("UPDATE registration_participants SET status = 'confirmed' WHERE id = ?", id)
            promoted.append(try await participant(id: id, on: db))
        }
        try await writeCounters(event: eventId, taken: event.taken + rows.count, nextSeq: event.nextSeq, expectedTaken: event.taken, on: db)
        return promoted
    }

    func eventField(_ request: RegistrationRequest) -> String { request.eventIdField }

    static let participantSelect = """
        SELECT p.id, p.event_id, p.booking_id, p.name, p.agency, p.municipality, p.email, p.dietary, p.invoice_reference, p.status, p.seq,
               p.attended, p.checked_in_at, p.registered_at, p.cancelled_at, p.language,
               CASE WHEN p.status = 'waiting' THEN (SELECT COUNT(*) FROM registration_participants w
                    WHERE w.event_id = p.event_id AND w.status = 'waiting' AND w.seq <= p.seq) END AS waiting_position
        FROM registration_participants p
        """

    static func participant(from row: DatabaseRow) throws(HubError) -> Participant {
        Participant(
            id: try row.string("id"), eventId: try row.string("event_id"), bookingId: try row.string("booking_id"),
            name: try row.string("name"), agency: try row.string("agency"), municipality: try row.optionalString("municipality"),
            email: try row.string("email"), dietary: try row.optionalString("dietary"), invoiceReference: try row.optionalString("invoice_reference"),
            status: ParticipantStatus(rawValue: try row.string("status")) ?? .cancelled, sequence: try row.int("seq"),
            waitingPosition: try row.optionalInt("waiting_position"), attended: try row.bool("attended"),
            checkedInAt: try row.optionalString("checked_in_at"), registeredAt: try row.string("registered_at"),
            cancelledAt: try row.optionalString("cancelled_at"),
            language: MailLanguage(rawValue: try row.string("language")) ?? .sv)
    }
}
