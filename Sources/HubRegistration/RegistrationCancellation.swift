// Cancelling a place — by a personal link, by an organiser, or through a booking's manage
// link — and reading a booking; a freed seat goes to the head of the waiting list.

import Crypto
import Foundation
import HubCore
import HubProtocol
import HubStorage

extension RegistrationEngine {
    /// The participant a personal cancellation link belongs to.
    public func participant(cancelToken token: String, field: String = "body.token", on db: any DatabaseExecutor) async throws(HubError) -> Participant {
        guard Self.isToken(token),
              let row = try await db.queryFirst("SELECT id FROM registration_participants WHERE cancel_token_hash = ?", Self.hash(token)) else {
            throw HubError(.notFound, "The link is not valid.", field: field)
        }
        return try await participant(id: try row.string("id"), on: db)
    }

    /// Cancels by a personal link. A used link gets `conflict`; a wrong one `not_found`.
    public func cancel(token: String, now: Date = Date(), field: String = "body.token", on db: any DatabaseExecutor) async throws(HubError) -> CancellationResult {
        let p = try await participant(cancelToken: token, field: field, on: db)
        return try await cancel(participantId: p.id, now: now, field: field, on: db)
    }

    /// Cancels one participant (by an organiser, or through a booking's manage link).
    /// A freed seat goes to the head of the waiting list, who is returned to be told.
    public func cancel(participantId: String, now: Date = Date(), field: String = "body.participantId", on db: any DatabaseExecutor) async throws(HubError) -> CancellationResult {
        let first = try await participant(id: participantId, field: field, on: db)
        let event = try await lockEvent(first.eventId, field: field, on: db)
        // Read again under the event's lock: a concurrent cancellation may have won.
        let p = try await participant(id: participantId, field: field, on: db)
        guard p.status != .cancelled else { throw HubError(.conflict, "This place is already cancelled; the link has been used.", field: field) }
        guard Self.iso(now) < event.starts else { throw HubError(.conflict, "The event has already started.", field: field, reason: .eventStarted) }
        try await db.execute("UPDATE registration_participants SET status = 'cancelled', cancelled_at = ? WHERE id = ?", Self.iso(now), p.id)
        var promoted: [Participant] = []
        if p.status == .confirmed {
            try await writeCounters(event: event.id, taken: event.taken - 1, nextSeq: event.nextSeq, expectedTaken: event.taken, on: db)
            if event.status == "open" {
                promoted = try await promote(eventId: event.id, seats: 1, now: now, on: db)
            }
        }
        var cancelled = p
        cancelled.status = .cancelled
        cancelled.waitingPosition = nil
        cancelled.cancelledAt = Self.iso(now)
        return CancellationResult(cancelled: cancelled, promoted: promoted)
    }

    // MARK: Bookings

    /// The booking a manage link belongs to, with its places.
    public func booking(manageToken token: String, field: String = "body.token", on db: any DatabaseExecutor) async throws(HubError) -> Booking {
        guard Self.isToken(token),
              let row = try await db.queryFirst("SELECT id, event_id, invoice_reference FROM registration_bookings WHERE manage_token_hash = ?", Self.hash(token)) else {
            throw HubError(.notFound, "The link is not valid.", field: field)
        }
        let id = try row.string("id")
        let rows = try await db.query("\(Self.participantSelect) WHERE p.booking_id = ? ORDER BY p.seq", id)
        return Booking(id: id, eventId: try row.string("event_id"), invoiceReference: try row.optionalString("invoice_reference"),
                       participants: try rows.map(Self.participant(from:)))
    }

    /// Cancels one place of a booking through its manage link.
    public func cancel(manageToken token: String, participantId: String, now: Date = Date(), on db: any DatabaseExecutor) async throws(HubError) -> CancellationResult {
        let booking = try await booking(manageToken: token, on: db)
        guard booking.participants.contains(where: { $0.id == participantId }) else {
            throw HubError(.notFound, "No such place in this booking.", field: "body.participantId")
        }
        return try await cancel(participantId: participantId, now: now, on: db)
    }
}
