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
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
