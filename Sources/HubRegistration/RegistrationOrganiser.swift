// What organisers do with participants: the list, one participant, check-in on the day,
// and moves between seat, waiting list and cancelled, each with its reason.

import Crypto
import Foundation
import HubCore
import HubProtocol
import HubStorage

extension RegistrationEngine {
    /// Everyone registered for an event: seats first, then the waiting list in order, then cancellations.
    public func participants(eventId: String, field: String = "body.eventId", on db: any DatabaseExecutor) async throws(HubError) -> [Participant] {
        _ = try await eventState(eventId, field: field, on: db)
        let rows = try await db.query("""
            \(Self.participantSelect) WHERE p.event_id = ?
            ORDER BY CASE p.status WHEN 'confirmed' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END, p.seq
            """, eventId)
        return try rows.map(Self.participant(from:))
    }

    /// One participant, with their place in line when waiting.
    public func participant(id: String, field: String = "body.participantId", on db: any DatabaseExecutor) async throws(HubError) -> Participant {
        guard let row = try await db.queryFirst("\(Self.participantSelect) WHERE p.id = ?", id) else {
            throw HubError(.notFound, "No such participant.", field: field)
        }
        return try Self.participant(from: row)
    }

    /// Marks attendance on the day (or takes it back). Only people with a seat can attend.
    public func checkIn(participantId: String, attended: Bool, now: Date = Date(), on db: any DatabaseExecutor) async throws(HubError) -> Participant {
        let p = try await participant(id: participantId, on: db)
        guard p.status == .confirmed else { throw HubError(.conflict, "Only participants with a seat can be checked in.", field: "body.participantId") }
        try await db.execute("UPDATE registration_participants SET attended = ?, checked_in_at = ? WHERE id = ?",
                             attended, attended ? Self.iso(now) : nil, participantId)
        return try await participant(id: participantId, on: db)
    }

    /// Moves someone, keeping the reason. Never beyond a capacity.
    public func move(participantId: String, to target: MoveTarget, reason: String, actor: String?, now: Date = Date(),
                     on db: any DatabaseExecutor) async throws(HubError) -> CancellationResult {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw HubError(.validation, "A reason is required.", field: "body.reason", reason: .required) }
        guard reason.count <= Limits.reason else { throw HubError(.validation, "The reason is longer than \(Limits.reason) characters.", field: "body.reason", reason: .tooLong) }
        let first = try await participant(id: participantId, on: db)
        let sourceID = first.eventId
        var targetID = sourceID
        if case .event(let other) = target {
            guard other != sourceID else { throw HubError(.validation, "The participant is already registered for that event.", field: "body.toEventId") }
            targetID = other
        }
        // Lock both events in id order, so two moves in opposite directions cannot deadlock.
        var events: [String: LockedEvent] = [:]
        for id in Set([sourceID, targetID]).sorted() {
            events[id] = try await lockEvent(id, field: id == sourceID ? "body.participantId" : "body.toEventId", on: db)
        }
        let source = events[sourceID]!
        let p = try await participant(id: participantId, on: db)
        guard p.status != .cancelled else { throw HubError(.conflict, "A cancelled place cannot be moved.", field: "body.participantId") }
        var promoted: [Participant] = []
        let newStatus: ParticipantStatus
        switch target {
        case .confirmed:
            guard p.status == .waiting else { throw HubError(.conflict, "The participant already has a seat.", field: "body.to") }
            guard source.taken < source.capacity else { throw HubError(.conflict, "There is no free seat; raise the capacity or cancel a place first.", field: "body.to") }
            newStatus = .confirmed
            try await db.execute("UPDATE registration_participants SET status = 'confirmed' WHERE id = ?", p.id)
            try await writeCounters(event: sourceID, taken: source.taken + 1, nextSeq: source.nextSeq, expectedTaken: source.taken, on: db)
        case .waiting:
            guard p.status == .confirmed else { throw HubError(.conflict, "The participant is already on the waiting list.", field: "body.to") }
            newStatus = .waiting
            try await db.execute("UPDATE registration_participants SET status = 'waiting', seq = ?, attended = 0, checked_in_at = NULL WHERE id = ?",
                                 source.nextSeq + 1, p.id)
            try await writeCounters(event: sourceID, taken: source.taken - 1, nextSeq: source.nextSeq + 1, expectedTaken: source.taken, on: db)
            promoted = try await promote(eventId: sourceID, seats: 1, excluding: p.id, now: now, on: db)
        case .event(let other):
            let dest = events[other]!
            guard dest.status == "open" else { throw HubError(.conflict, "The other event is cancelled.", field: "body.toEventId") }
            if let key = Self.emailKeyOrNil(p.email),
               try await db.queryFirst("SELECT id FROM registration_participants WHERE event_id = ? AND email_key = ? AND status <> 'cancelled'", other, key) != nil {
                throw HubError(.conflict, "This person is already registered for the other event.", field: "body.toEventId")
            }
            newStatus = dest.taken < dest.capacity ? .confirmed : .waiting
            try await db.execute("UPDATE registration_participants SET event_id = ?, status = ?, seq = ?, attended = 0, checked_in_at = NULL WHERE id = ?",
                                 other, newStatus.rawValue, dest.nextSeq + 1, p.id)
            try await writeCounters(event: other, taken: dest.taken + (newStatus == .confirmed ? 1 : 0), nextSeq: dest.nextSeq + 1, expectedTaken: dest.taken, on: db)
            // Bookings belong to one event: the moved place gets its own booking there.
            let booking = UUID().uuidString.lowercased()
            try await db.execute("INSERT INTO registration_bookings (id, event_id, invoice_reference, created_at) VALUES (?, ?, ?, ?)",
                                 booking, other, p.invoiceReference, Self.iso(now))
            try await db.execute("UPDATE registration_participants SET booking_id = ? WHERE id = ?", booking, p.id)
            if p.status == .confirmed {
                try await writeCounters(event: sourceID, taken: source.taken - 1, nextSeq: source.nextSeq, expectedTaken: source.taken, on: db)
                if source.status == "open" { promoted = try await promote(eventId: sourceID, seats: 1, now: now, on: db) }
            }
        }
        try await db.execute("""
            INSERT INTO registration_moves (id, participant_id, from_event, to_event, from_status, to_status, reason, actor, moved_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, UUID().uuidString.lowercased(), p.id, sourceID, targetID, p.status.rawValue, newStatus.rawValue, reason, actor, Self.iso(now))
        return CancellationResult(cancelled: try await participant(id: p.id, on: db), promoted: promoted)
    }

    /// The moves of one participant with their reasons, oldest first.
    public func moves(participantId: String, on db: any DatabaseExecutor) async throws(HubError) -> [ParticipantMove] {
        try await db.query("SELECT from_event, to_event, from_status, to_status, reason, actor, moved_at FROM registration_moves WHERE participant_id = ? ORDER BY moved_at",
                           participantId).map { row throws(HubError) in
            ParticipantMove(fromEventId: try row.string("from_event"), toEventId: try row.string("to_event"),
                            fromStatus: ParticipantStatus(rawValue: try row.string("from_status")) ?? .cancelled,
                            toStatus: ParticipantStatus(rawValue: try row.string("to_status")) ?? .cancelled,
                            reason: try row.string("reason"), actor: try row.optionalString("actor"), movedAt: try row.string("moved_at"))
        }
    }
}
