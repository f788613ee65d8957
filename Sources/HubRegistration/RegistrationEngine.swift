import Crypto
import Foundation
import HubCore
import HubProtocol
import HubStorage

/// Settings of the registration engine, with documented defaults.
public struct RegistrationConfiguration: Sendable {
    /// Participant data is purged this many days after an event ends (default 90).
    public var purgeAfterDays: Int
    /// Allowed agency ids (nil: any text).
    public var agencies: Set<String>?
    /// Allowed municipalities (nil: any text); empty input is always allowed.
    public var municipalities: Set<String>?
    /// Most people in one group booking (default 50).
    public var maxGroupSize: Int
    public init(purgeAfterDays: Int = 90, agencies: Set<String>? = nil, municipalities: Set<String>? = nil, maxGroupSize: Int = 50) {
        self.purgeAfterDays = purgeAfterDays; self.agencies = agencies; self.municipalities = municipalities; self.maxGroupSize = maxGroupSize
    }

    /// Registrations limited to the partner agencies and the centres' municipalities of the
    /// reference data; purge days from `HUB_REGISTRATION_PURGE_DAYS` (default 90).
    public init(reference: ReferenceData, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(purgeAfterDays: environment["HUB_REGISTRATION_PURGE_DAYS"].flatMap(Int.init) ?? 90,
                  agencies: Set(reference.agencies.map(\.id)), municipalities: Set(reference.centres.flatMap(\.municipalities)))
    }
}

/// The shared registration engine: seats, waiting list, cancellation links, group
/// bookings, check-in, exports and purging, for every service that runs events
/// (networks, training). It keeps its tables (`registration_*`) in the calling
/// service's own database — a service appends `RegistrationEngine.migrations` to
/// its own — and every method runs on the executor it is given, normally the
/// command's transaction, so nothing is half-stored.
///
/// **No overbooking.** Every method that changes seats first locks the event's row
/// (`SELECT … FOR NO KEY UPDATE` on PostgreSQL, or the `UPDATE` that counts a seat;
/// SQLite transactions are serialised by
/// `BEGIN IMMEDIATE`), then reads, decides and writes under that lock: seats and
/// places in line are handed out strictly one transaction at a time.
public struct RegistrationEngine: Sendable {
    public var configuration: RegistrationConfiguration
    public init(configuration: RegistrationConfiguration = RegistrationConfiguration()) { self.configuration = configuration }

    /// Field limits (characters), shared with the forms that render them.
    public enum Limits {
        public static let name = 200
        public static let agency = 200
        public static let municipality = 100
        public static let email = 254
        public static let dietary = 500
        public static let invoiceReference = 100
        public static let reason = 500
        public static let title = 300
    }

    /// The engine's tables. Versions 900_001… leave room for the service's own.
    public static let migrations: [Migration] = [
        Migration(version: 900_001, name: "registration_engine", sql: """
            CREATE TABLE registration_events (
                id TEXT PRIMARY KEY,
                title TEXT NOT NULL,
                starts_at TEXT NOT NULL,
                ends_at TEXT NOT NULL,
                capacity BIGINT NOT NULL,
                taken BIGINT NOT NULL DEFAULT 0,
                next_seq BIGINT NOT NULL DEFAULT 0,
                fee_sek BIGINT NOT NULL DEFAULT 0,
                deadline_at TEXT NOT NULL,
                status TEXT NOT NULL,
                purge_after TEXT NOT NULL,
                purged BIGINT NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL,
                CHECK (taken >= 0 AND taken <= capacity)
            );
            CREATE TABLE registration_bookings (
                id TEXT PRIMARY KEY,
                event_id TEXT NOT NULL REFERENCES registration_events(id),
                invoice_reference TEXT,
                booker_name TEXT,
                booker_email TEXT,
                manage_token_hash TEXT UNIQUE,
                created_at TEXT NOT NULL
            );
            CREATE TABLE registration_participants (
                id TEXT PRIMARY KEY,
                event_id TEXT NOT NULL REFERENCES registration_events(id),
                booking_id TEXT NOT NULL REFERENCES registration_bookings(id),
                name TEXT NOT NULL,
                agency TEXT NOT NULL,
                municipality TEXT,
                email TEXT NOT NULL,
                email_key TEXT,
                dietary TEXT,
                invoice_reference TEXT,
                status TEXT NOT NULL,
                seq BIGINT NOT NULL,
                attended BIGINT NOT NULL DEFAULT 0,
                checked_in_at TEXT,
                cancel_token_hash TEXT UNIQUE,
                registered_at TEXT NOT NULL,
                cancelled_at TEXT,
                UNIQUE (event_id, seq)
            );
            CREATE UNIQUE INDEX registration_participants_active_email
                ON registration_participants (event_id, email_key) WHERE status <> 'cancelled';
            CREATE INDEX registration_participants_waiting ON registration_participants (event_id, status, seq);
            CREATE INDEX registration_participants_booking ON registration_participants (booking_id);
            CREATE TABLE registration_moves (
                id TEXT PRIMARY KEY,
                participant_id TEXT NOT NULL REFERENCES registration_participants(id),
                from_event TEXT NOT NULL,
                to_event TEXT NOT NULL,
                from_status TEXT NOT NULL,
                to_status TEXT NOT NULL,
                reason TEXT NOT NULL,
                actor TEXT,
                moved_at TEXT NOT NULL
            )
            """),
        // The page language each person registered in, for their mail (earlier rows: Swedish).
        Migration(version: 900_002, name: "registration_participant_language", sql: """
            ALTER TABLE registration_participants ADD COLUMN language TEXT NOT NULL DEFAULT 'sv'
            """),
    ]

    // MARK: Events

    /// Opens an event for registration (or refuses a second one with the same id).
    public func openEvent(_ spec: RegistrationEventSpec, now: Date = Date(), on db: any DatabaseExecutor) async throws(HubError) {
        try validateSpec(spec)
        let purgeAfter = spec.ends.addingTimeInterval(Double(spec.purgeAfterDays ?? configuration.purgeAfterDays) * 86_400)
        let exists = try await db.queryFirst("SELECT id FROM registration_events WHERE id = ?", spec.id)
        guard exists == nil else { throw HubError(.conflict, "The event already takes registrations.", field: "body.id") }
        try await db.execute("""
            INSERT INTO registration_events (id, title, starts_at, ends_at, capacity, taken, next_seq, fee_sek, deadline_at, status, purge_after, purged, created_at)
            VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?, 'open', ?, 0, ?)
            """, spec.id, spec.title, Self.iso(spec.starts), Self.iso(spec.ends), spec.capacity, spec.feeSEK,
            Self.iso(spec.deadline), Self.iso(purgeAfter), Self.iso(now))
    }

    /// Changes an event. A larger capacity promotes people from the waiting list at
    /// once (returned, to be told); a capacity below the seats taken is refused.
    public func updateEvent(_ spec: RegistrationEventSpec, on db: any DatabaseExecutor) async throws(HubError) -> [Participant] {
        try validateSpec(spec)
        let event = try await lockEvent(spec.id, field: "body.id", on: db)
        guard event.status == "open" else { throw HubError(.conflict, "A cancelled event cannot be changed.", field: "body.id") }
        guard spec.capacity >= event.taken else {
            throw HubError(.conflict, "The capacity is below the seats already taken (\(event.taken)).", field: "body.capacity")
        }
        let purgeAfter = spec.ends.addingTimeInterval(Double(spec.purgeAfterDays ?? configuration.purgeAfterDays) * 86_400)
        try await db.execute("""
            UPDATE registration_events SET title = ?, starts_at = ?, ends_at = ?, capacity = ?, fee_sek = ?, deadline_at = ?, purge_after = ?
            WHERE id = ?
            """, spec.title, Self.iso(spec.starts), Self.iso(spec.ends), spec.capacity, spec.feeSEK, Self.iso(spec.deadline), Self.iso(purgeAfter), spec.id)
        return try await promote(eventId: spec.id, seats: spec.capacity - event.taken, now: Date(), on: db)
    }

    /// Calls an event off: no further registrations; the participants stay listed.
    public func cancelEvent(_ id: String, on db: any DatabaseExecutor) async throws(HubError) {
        let event = try await lockEvent(id, field: "body.id", on: db)
        guard event.status == "open" else { throw HubError(.conflict, "The event is already cancelled.", field: "body.id") }
        try await db.execute("UPDATE registration_events SET status = 'cancelled' WHERE id = ?", id)
    }

    /// Seats, waiting list length and status of an event.
    public func eventState(_ id: String, field: String = "body.id", on db: any DatabaseExecutor) async throws(HubError) -> RegistrationEventState {
        guard let row = try await db.queryFirst("""
            SELECT e.id, e.title, e.capacity, e.taken, e.fee_sek, e.deadline_at, e.starts_at, e.ends_at, e.status, e.purged,
                   (SELECT COUNT(*) FROM registration_participants p WHERE p.event_id = e.id AND p.status = 'waiting') AS waiting
            FROM registration_events e WHERE e.id = ?
            """, id) else { throw HubError(.notFound, "No such event.", field: field) }
        return RegistrationEventState(
            id: try row.string("id"), title: try row.string("title"), capacity: try row.int("capacity"), taken: try row.int("taken"),
            waiting: try row.int("waiting"), feeSEK: try row.int("fee_sek"), deadline: try row.string("deadline_at"),
            starts: try row.string("starts_at"), ends: try row.string("ends_at"), status: try row.string("status"), purged: try row.bool("purged"))
    }

    // MARK: Registration

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

    // MARK: Cancellation

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

    // MARK: Organiser

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
    public func moves(participantId: String, on db: any DatabaseExecutor) async throws(HubError) -> [JSONValue] {
        try await db.query("SELECT from_event, to_event, from_status, to_status, reason, actor, moved_at FROM registration_moves WHERE participant_id = ? ORDER BY moved_at",
                           participantId).map { row throws(HubError) in
            .object(["fromEventId": .string(try row.string("from_event")), "toEventId": .string(try row.string("to_event")),
                     "fromStatus": .string(try row.string("from_status")), "toStatus": .string(try row.string("to_status")),
                     "reason": .string(try row.string("reason")), "actor": try row.optionalString("actor").map { .string($0) } ?? .null,
                     "movedAt": .string(try row.string("moved_at"))])
        }
    }

    /// The participant list as a Swedish spreadsheet file (`CSVText`): Swedish column names
    /// and statuses, agencies by name (`agencyName`), registration times in Europe/Stockholm.
    public func csv(eventId: String, field: String = "body.eventId", agencyName: (String) -> String = { $0 },
                    on db: any DatabaseExecutor) async throws(HubError) -> String {
        let list = try await participants(eventId: eventId, field: field, on: db)
        let status: [ParticipantStatus: String] = [.confirmed: "Plats", .waiting: "Väntelista", .cancelled: "Avbokad"]
        let rows = list.map { p in
            [CSVText.cell(status[p.status] ?? p.status.rawValue), p.waitingPosition.map(CSVText.number) ?? "", CSVText.cell(p.name),
             CSVText.cell(agencyName(p.agency)), CSVText.cell(p.municipality ?? ""), CSVText.cell(p.email), CSVText.cell(p.dietary ?? ""),
             CSVText.cell(p.invoiceReference ?? ""), p.attended ? "Ja" : "Nej", CSVText.cell(LocalTime.dateTime(p.registeredAt))]
        }
        return CSVText.document(header: ["Status", "Plats i kön", "Namn", "Myndighet", "Kommun", "E-post", "Specialkost", "Fakturareferens",
                                         "Närvarande", "Anmäld"], rows: rows)
    }

    /// People with a seat × fee, per agency and invoice reference.
    public func invoiceBasis(eventId: String, field: String = "body.eventId", on db: any DatabaseExecutor) async throws(HubError) -> [InvoiceLine] {
        let event = try await eventState(eventId, field: field, on: db)
        let rows = try await db.query("""
            SELECT agency, COALESCE(invoice_reference, '') AS ref, COUNT(*) AS n FROM registration_participants
            WHERE event_id = ? AND status = 'confirmed' GROUP BY agency, COALESCE(invoice_reference, '') ORDER BY agency, ref
            """, eventId)
        return try rows.map { row throws(HubError) in
            let n = try row.int("n")
            return InvoiceLine(agency: try row.string("agency"), invoiceReference: try row.string("ref"), people: n,
                               feeSEK: event.feeSEK, amountSEK: n * event.feeSEK)
        }
    }

    /// Registrations (with a seat) and attendance per agency for each of `eventIds`.
    public func attendance(eventIds: [String], on db: any DatabaseExecutor) async throws(HubError) -> [AgencyAttendance] {
        guard !eventIds.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: eventIds.count).joined(separator: ", ")
        let rows = try await db.query("""
            SELECT event_id, agency, COUNT(*) AS registered, SUM(attended) AS attended FROM registration_participants
            WHERE status = 'confirmed' AND event_id IN (\(placeholders)) GROUP BY event_id, agency ORDER BY agency, event_id
            """, eventIds.map { .text($0) })
        return try rows.map { row throws(HubError) in
            AgencyAttendance(eventId: try row.string("event_id"), agency: try row.string("agency"),
                             registered: try row.int("registered"), attended: try row.optionalInt("attended") ?? 0)
        }
    }

    /// Removes personal data (names, e-mails, dietary needs, invoice references, link
    /// hashes) of every event whose purge time has come. Agency, municipality, status
    /// and attendance stay for the statistics. Returns the number of events purged.
    @discardableResult
    public func purge(now: Date = Date(), on db: any DatabaseExecutor) async throws(HubError) -> Int {
        let due = try await db.query("SELECT id FROM registration_events WHERE purged = 0 AND purge_after <= ?", Self.iso(now))
        for row in due {
            let id = try row.string("id")
            try await db.execute("""
                UPDATE registration_participants SET name = '', email = '', email_key = NULL, dietary = NULL, invoice_reference = NULL,
                    cancel_token_hash = NULL WHERE event_id = ?
                """, id)
            try await db.execute("""
                UPDATE registration_bookings SET booker_name = NULL, booker_email = NULL, invoice_reference = NULL, manage_token_hash = NULL
                WHERE event_id = ?
                """, id)
            try await db.execute("UPDATE registration_moves SET reason = '', actor = NULL WHERE from_event = ? OR to_event = ?", id, id)
            try await db.execute("UPDATE registration_events SET purged = 1 WHERE id = ?", id)
        }
        return due.count
    }

    // MARK: Internals

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

    // MARK: Validation

    func validateSpec(_ spec: RegistrationEventSpec) throws(HubError) {
        guard !spec.id.isEmpty, spec.id.count <= 128 else { throw HubError(.validation, "The event id is empty or too long.", field: "body.id") }
        guard !spec.title.trimmingCharacters(in: .whitespaces).isEmpty, spec.title.count <= Limits.title else {
            throw HubError(.validation, "The title is empty or longer than \(Limits.title) characters.", field: "body.title", reason: spec.title.isEmpty ? .required : .tooLong)
        }
        guard (1...100_000).contains(spec.capacity) else { throw HubError(.validation, "The capacity must be between 1 and 100000.", field: "body.capacity", reason: .outOfRange) }
        guard (0...1_000_000).contains(spec.feeSEK) else { throw HubError(.validation, "The fee must be between 0 and 1000000 SEK.", field: "body.feeSEK", reason: .outOfRange) }
        guard spec.ends > spec.starts else { throw HubError(.validation, "The event must end after it starts.", field: "body.endTime", reason: .endBeforeStart) }
        guard spec.deadline <= spec.starts else { throw HubError(.validation, "The registration deadline must be before the start.", field: "body.deadline", reason: .deadlineAfterStart) }
        if let days = spec.purgeAfterDays, !(0...3650).contains(days) {
            throw HubError(.validation, "Purge after 0–3650 days.", field: "body.purgeAfterDays", reason: .outOfRange)
        }
    }

    /// Checks every field before anything is stored; errors name the field, never echo the value.
    public func validate(_ request: RegistrationRequest) throws(HubError) {
        guard !request.eventId.isEmpty, request.eventId.count <= 128 else {
            throw HubError(.validation, "The event id is missing.", field: eventField(request), reason: .required)
        }
        guard !request.participants.isEmpty else { throw HubError(.validation, "At least one participant is required.", field: "body.participants", reason: .required) }
        guard request.participants.count <= configuration.maxGroupSize else {
            throw HubError(.validation, "At most \(configuration.maxGroupSize) people can be booked at once.", field: "body.participants", reason: .tooMany)
        }
        if let invoice = request.invoiceReference { try Self.text(invoice, field: "body.invoiceReference", max: Limits.invoiceReference, required: false) }
        let group = request.participants.count > 1 || request.bookerEmail != nil
        if group {
            guard let token = request.manageToken, Self.isToken(token) else {
                throw HubError(.validation, "A group booking needs a manage token (32–128 characters A–Z, a–z, 0–9, '-', '_').", field: "body.manageToken")
            }
            if let name = request.bookerName { try Self.text(name, field: "body.booker.name", max: Limits.name, required: true) }
            if let email = request.bookerEmail { try Self.checkEmail(email, field: "body.booker.email") }
        } else if let token = request.manageToken, !Self.isToken(token) {
            throw HubError(.validation, "The manage token must be 32–128 characters A–Z, a–z, 0–9, '-', '_'.", field: "body.manageToken")
        }
        var tokens = Set<String>()
        for p in request.participants {
            try Self.text(p.name, field: p.fieldPath + ".name", max: Limits.name, required: true)
            try Self.text(p.agency, field: p.fieldPath + ".agency", max: Limits.agency, required: true)
            if let allowed = configuration.agencies, !allowed.contains(p.agency.trimmingCharacters(in: .whitespaces)) {
                throw HubError(.validation, "Choose one of the partner agencies.", field: p.fieldPath + ".agency", reason: .notAChoice)
            }
            if let m = p.municipality {
                try Self.text(m, field: p.fieldPath + ".municipality", max: Limits.municipality, required: false)
                let trimmed = m.trimmingCharacters(in: .whitespaces)
                if let allowed = configuration.municipalities, !trimmed.isEmpty, !allowed.contains(trimmed) {
                    throw HubError(.validation, "Choose one of the municipalities.", field: p.fieldPath + ".municipality", reason: .notAChoice)
                }
            }
            try Self.checkEmail(p.email, field: p.fieldPath + ".email")
            if let d = p.dietary { try Self.text(d, field: p.fieldPath + ".dietary", max: Limits.dietary, required: false, multiline: true) }
            guard Self.isToken(p.cancelToken), tokens.insert(p.cancelToken).inserted else {
                throw HubError(.validation, "The cancel token must be unique and 32–128 characters A–Z, a–z, 0–9, '-', '_'.", field: p.fieldPath + ".cancelToken")
            }
        }
    }

    static func text(_ value: String, field: String, max: Int, required: Bool, multiline: Bool = false) throws(HubError) {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if required, trimmed.isEmpty { throw HubError(.validation, "This field is required.", field: field, reason: .required) }
        guard trimmed.count <= max else { throw HubError(.validation, "The field is longer than \(max) characters.", field: field, reason: .tooLong) }
        let bad = trimmed.unicodeScalars.contains { s in
            (s.value < 0x20 && !(multiline && (s == "\n" || s == "\r" || s == "\t"))) || s.value == 0x7f
        }
        guard !bad else { throw HubError(.validation, "The field contains control characters.", field: field, reason: .controlCharacters) }
    }

    /// The hub's one e-mail check (`EmailAddress` in HubProtocol).
    public static func isValidEmail(_ raw: String) -> Bool { EmailAddress.isValid(raw) }

    static func checkEmail(_ email: String, field: String) throws(HubError) {
        guard email.trimmingCharacters(in: .whitespacesAndNewlines).utf8.count <= Limits.email else {
            throw HubError(.validation, "The e-mail address is longer than \(Limits.email) characters.", field: field, reason: .tooLong)
        }
        guard isValidEmail(email) else { throw HubError(.validation, "The e-mail address is not valid.", field: field, reason: .invalidEmail) }
    }

    /// Client-made link tokens: 32–128 characters of base64url.
    public static func isToken(_ token: String) -> Bool {
        (32...128).contains(token.utf8.count) && token.utf8.allSatisfy { b in
            (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b == 0x2d || b == 0x5f
        }
    }

    /// A fresh link token (32 random bytes, base64url) for clients that make them.
    public static func makeToken() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Lower-case hex SHA-256: the only form in which link tokens are stored.
    public static func hash(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Data(token.utf8)))
    }

    static func emailKey(_ email: String) -> String { email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() }
    static func emailKeyOrNil(_ email: String) -> String? { email.isEmpty ? nil : emailKey(email) }

    /// ISO 8601 UTC with seconds (`2026-05-12T07:00:00Z`): sorts as text on both backends.
    public static func iso(_ date: Date) -> String { UTCFields(date).isoSeconds }

    /// The instant of a wall-clock time in Europe/Stockholm (`2026-05-12`, `09:00`).
    public static func stockholm(date: String, time: String) -> Date? {
        let d = date.split(separator: "-").compactMap { Int($0) }, t = time.split(separator: ":").compactMap { Int($0) }
        guard date.count == 10, d.count == 3, time.count == 5, t.count == 2, (0...23).contains(t[0]), (0...59).contains(t[1]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        guard let zone = TimeZone(identifier: "Europe/Stockholm") else { return nil }
        calendar.timeZone = zone
        let components = DateComponents(year: d[0], month: d[1], day: d[2], hour: t[0], minute: t[1])
        guard components.isValidDate(in: calendar) else { return nil }
        return calendar.date(from: components)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
