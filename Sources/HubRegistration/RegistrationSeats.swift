// Registering one person or a group: a seat while seats are left, else a place on the
// waiting list — the fast one-statement path and the locked path that decides and explains.

import Crypto
import Foundation
import HubCore
import HubProtocol
import HubStorage

extension RegistrationEngine {
    /// Registers one person or a group. Each participant gets a seat while seats are
    /// left, else the next place on the waiting list, in the order they are listed.
    ///
    /// Short locks, few statements (PostgreSQL): the booking row is written (and the event's state and
    /// the e-mails checked) by one statement before any lock; then one statement decides and
    /// counts — `UPDATE … SET taken = taken + n … WHERE taken + n <= capacity RETURNING …`
    /// (or, when the day is full, `next_seq + n … WHERE taken >= capacity`) — so the event's
    /// row is locked from that statement to the commit, with only the participants' insert
    /// (and, on the waiting list, the count of those ahead) in between. Anything else (an
    /// event closed, full in part, a duplicate) takes the locked path below, which decides
    /// and explains under `SELECT … FOR NO KEY UPDATE`.
    ///
    /// `with` gives writes that follow from the result (the confirmation mail): they are
    /// sent together with the participants' rows, one round trip on PostgreSQL.
    public func register(_ request: RegistrationRequest, now: Date = Date(), on db: any DatabaseExecutor,
                         with writes: (RegistrationResult) -> [SQLStatement] = { _ in [] }) async throws(HubError) -> RegistrationResult {
        try validate(request)
        let keys = request.participants.map { Self.emailKey($0.email) }
        let invoice = request.invoiceReference?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        let booking = NewBooking(id: UUID().uuidString.lowercased(), stamp: Self.iso(now), invoice: invoice,
                                 bookerName: request.bookerName?.trimmingCharacters(in: .whitespacesAndNewlines),
                                 bookerEmail: request.bookerEmail?.trimmingCharacters(in: .whitespacesAndNewlines),
                                 manageTokenHash: request.manageToken.map(Self.hash))
        // SQLite serialises write transactions anyway: no lock to shorten, and the locked
        // path is the fewest statements there.
        guard db.dialect == .postgres, Set(keys).count == keys.count else {
            return try await registerLocked(request, keys: keys, booking: booking, bookingStored: false, now: now, on: db, with: writes)
        }
        let n = request.participants.count
        let nowText = Self.iso(now), hasInvoice = invoice == nil ? 0 : 1
        // Everything that needs no lock: the event takes registrations, nobody listed is
        // registered already, and the booking row — in one statement, or none stored.
        let placeholders = Array(repeating: "?", count: keys.count).joined(separator: ", ")
        let booked = try await db.execute("""
            INSERT INTO registration_bookings (id, event_id, invoice_reference, booker_name, booker_email, manage_token_hash, created_at)
            SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM registration_events WHERE id = ? AND \(Self.open))
              AND NOT EXISTS (SELECT 1 FROM registration_participants WHERE event_id = ? AND status <> 'cancelled' AND email_key IN (\(placeholders)))
            """, booking.binds(eventId: request.eventId) + [.text(request.eventId), .text(nowText), .text(nowText), .integer(Int64(hasInvoice)),
                                                         .text(request.eventId)] + keys.map { .text($0) })
        guard booked == 1 else {
            return try await registerLocked(request, keys: keys, booking: booking, bookingStored: false, now: now, on: db, with: writes)
        }
        // The one statement that decides and counts; the row stays locked until the commit.
        let event = [DatabaseValue.text(request.eventId), .text(nowText), .text(nowText), .integer(Int64(hasInvoice))]
        var status = ParticipantStatus.confirmed
        var row = try await db.queryFirst("""
            UPDATE registration_events SET taken = taken + ?, next_seq = next_seq + ?
            WHERE id = ? AND \(Self.open) AND taken + ? <= capacity RETURNING title, next_seq
            """, [.integer(Int64(n)), .integer(Int64(n))] + event + [.integer(Int64(n))])
        if row == nil {
            // Full: everyone listed goes on the waiting list, in order.
            status = .waiting
            row = try await db.queryFirst("""
                UPDATE registration_events SET next_seq = next_seq + ?
                WHERE id = ? AND \(Self.open) AND taken >= capacity RETURNING title, next_seq
                """, [.integer(Int64(n))] + event)
        }
        guard let row else {
            // Seats for some of the group only, or the event changed meanwhile.
            return try await registerLocked(request, keys: keys, booking: booking, bookingStored: true, now: now, on: db, with: writes)
        }
        let title = try row.string("title"), lastSeq = try row.int("next_seq")
        let firstSeq = lastSeq - n + 1
        var placed: [RegistrationResult.Placed] = []
        var values: [DatabaseValue] = []
        for (i, (p, key)) in zip(request.participants, keys).enumerated() {
            let id = UUID().uuidString.lowercased()
            values += participantBinds(id: id, eventId: request.eventId, bookingId: booking.id, participant: p, key: key, invoice: invoice,
                                       status: status, seq: firstSeq + i, stamp: booking.stamp, language: request.language)
            placed.append(.init(participantId: id, status: status, waitingPosition: nil))
        }
        if status == .waiting {
            // Everyone ahead has committed: their seq was handed out under the lock this
            // transaction now holds.
            let ahead = try await db.queryFirst(
                "SELECT COUNT(*) AS n FROM registration_participants WHERE event_id = ? AND status = 'waiting' AND seq < ?",
                request.eventId, firstSeq)?.int("n") ?? 0
            for i in placed.indices { placed[i].waitingPosition = ahead + i + 1 }
        }
        let result = RegistrationResult(eventId: request.eventId, title: title, bookingId: booking.id, participants: placed)
        do {
            try await db.execute(all: [SQLStatement(Self.participantInsert(rows: n), values)] + writes(result))
        } catch where error.code == .conflict {
            // A registration with the same e-mail committed after the check above.
            throw HubError(.conflict, "This e-mail address is already registered for the event.",
                           field: request.participants[0].fieldPath + ".email", reason: .taken)
        }
        return result
    }

    /// The conditions under which an event takes registrations, as SQL over
    /// `registration_events` with four binds: now, now, whether an invoice reference is given (0/1).
    private static let open = "status = 'open' AND purged = 0 AND starts_at > ? AND deadline_at >= ? AND (fee_sek = 0 OR ? = 1)"

    /// The booking row of one registration, made before anything is stored.
    struct NewBooking {
        var id: String, stamp: String, invoice: String?, bookerName: String?, bookerEmail: String?, manageTokenHash: String?
        func binds(eventId: String) -> [DatabaseValue] {
            [.text(id), .text(eventId), invoice.map { .text($0) } ?? .null, bookerName.map { .text($0) } ?? .null,
             bookerEmail.map { .text($0) } ?? .null, manageTokenHash.map { .text($0) } ?? .null, .text(stamp)]
        }
    }

    static func participantInsert(rows: Int) -> String {
        """
        INSERT INTO registration_participants (id, event_id, booking_id, name, agency, municipality, email, email_key, dietary,
            invoice_reference, status, seq, attended, cancel_token_hash, registered_at, language)
        VALUES \(Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)", count: rows).joined(separator: ", "))
        """
    }

    func participantBinds(id: String, eventId: String, bookingId: String, participant p: ParticipantInput, key: String, invoice: String?,
                          status: ParticipantStatus, seq: Int, stamp: String, language: MailLanguage) -> [DatabaseValue] {
        func text(_ value: String?) -> DatabaseValue { value.map { .text($0) } ?? .null }
        return [.text(id), .text(eventId), .text(bookingId), .text(p.name.trimmingCharacters(in: .whitespacesAndNewlines)),
                .text(p.agency.trimmingCharacters(in: .whitespacesAndNewlines)),
                text(p.municipality?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty),
                .text(p.email.trimmingCharacters(in: .whitespacesAndNewlines)), .text(key),
                text(p.dietary?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty), text(invoice),
                .text(status.rawValue), .integer(Int64(seq)), .text(Self.hash(p.cancelToken)), .text(stamp), .text(language.rawValue)]
    }

    /// The locked path: the event's row is locked first (`FOR NO KEY UPDATE`), then every check
    /// and decision is made under it, in the order the errors are reported.
    func registerLocked(_ request: RegistrationRequest, keys: [String], booking: NewBooking, bookingStored: Bool, now: Date,
                        on db: any DatabaseExecutor, with writes: (RegistrationResult) -> [SQLStatement]) async throws(HubError) -> RegistrationResult {
        let event = try await lockEvent(request.eventId, field: eventField(request), on: db)
        guard event.status == "open" else { throw HubError(.conflict, "The event is cancelled; it takes no registrations.", field: eventField(request), reason: .eventCancelled) }
        guard event.purged == false, Self.iso(now) < event.starts else {
            throw HubError(.conflict, "The event has already started.", field: eventField(request), reason: .eventStarted)
        }
        guard Self.iso(now) <= event.deadline else {
            throw HubError(.conflict, "The registration deadline has passed.", field: eventField(request), reason: .deadlinePassed)
        }
        let invoice = booking.invoice
        if event.fee > 0, invoice == nil {
            throw HubError(.validation, "An invoice reference is required when there is a fee.", field: "body.invoiceReference", reason: .required)
        }
        // Same e-mail twice for one event, within the request or against earlier registrations.
        var seen = Set<String>()
        for (i, key) in keys.enumerated() where !seen.insert(key).inserted {
            throw HubError(.conflict, "This e-mail address appears twice in the booking.", field: request.participants[i].fieldPath + ".email", reason: .taken)
        }
        let placeholders = Array(repeating: "?", count: keys.count).joined(separator: ", ")
        let taken = try await db.query(
            "SELECT email_key FROM registration_participants WHERE event_id = ? AND status <> 'cancelled' AND email_key IN (\(placeholders))",
            [.text(request.eventId)] + keys.map { .text($0) })
        if let row = taken.first, let key = try row.optionalString("email_key"), let i = keys.firstIndex(of: key) {
            throw HubError(.conflict, "This e-mail address is already registered for the event.", field: request.participants[i].fieldPath + ".email", reason: .taken)
        }
        if !bookingStored {
            try await db.execute("""
                INSERT INTO registration_bookings (id, event_id, invoice_reference, booker_name, booker_email, manage_token_hash, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, booking.binds(eventId: request.eventId))
        }
        var seats = event.taken, seq = event.nextSeq
        var placed: [RegistrationResult.Placed] = []
        var waitingBefore: Int?
        for (p, key) in zip(request.participants, keys) {
            seq += 1
            let status: ParticipantStatus = seats < event.capacity ? .confirmed : .waiting
            if status == .confirmed { seats += 1 }
            let id = UUID().uuidString.lowercased()
            try await db.execute(Self.participantInsert(rows: 1),
                                 participantBinds(id: id, eventId: request.eventId, bookingId: booking.id, participant: p, key: key, invoice: invoice,
                                                  status: status, seq: seq, stamp: booking.stamp, language: request.language))
            var position: Int?
            if status == .waiting {
                if waitingBefore == nil {
                    waitingBefore = try await db.queryFirst(
                        "SELECT COUNT(*) AS n FROM registration_participants WHERE event_id = ? AND status = 'waiting' AND seq < ?",
                        request.eventId, seq)?.int("n") ?? 0
                    position = waitingBefore! + 1
                } else {
                    position = (placed.compactMap(\.waitingPosition).last ?? waitingBefore!) + 1
                }
            }
            placed.append(.init(participantId: id, status: status, waitingPosition: position))
        }
        try await writeCounters(event: request.eventId, taken: seats, nextSeq: seq, expectedTaken: event.taken, on: db)
        let result = RegistrationResult(eventId: request.eventId, title: event.title, bookingId: booking.id, participants: placed)
        try await db.execute(all: writes(result))
        return result
    }
}
