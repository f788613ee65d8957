import Foundation
import HubProtocol
import HubRegistration
import HubStorage
import TrainingAPI

/// The trainings, their sessions and who owns what, as stored: the SQL of the training
/// handlers lives here and in its extensions (`CertificateStore.swift`, `SupervisionStore.swift`),
/// so a handler reads as the rule it applies and a change of schema touches these files only.
/// It wraps the request's executor (inside the request's transaction for commands) and holds
/// no state of its own. Seats and registrations are the shared engine's (`RegistrationEngine`).
struct TrainingStore {
    let db: any DatabaseExecutor

    init(_ db: any DatabaseExecutor) { self.db = db }

    // MARK: Owners (access rules)

    /// The centre that owns the training, nil when there is none.
    func centreOfEvent(_ id: String) async throws(HubError) -> String? {
        try await db.queryFirst("SELECT centre_id FROM training_events WHERE id = ?", id)?.string("centre_id")
    }

    /// The centre that owns the training a session belongs to.
    func centreOfSession(_ id: String) async throws(HubError) -> String? {
        try await db.queryFirst("""
            SELECT e.centre_id FROM training_sessions s JOIN training_events e ON e.id = s.event_id WHERE s.id = ?
            """, id)?.string("centre_id")
    }

    /// The centre that owns the training a certificate was issued for.
    func centreOfCertificate(_ id: String) async throws(HubError) -> String? {
        try await db.queryFirst("""
            SELECT e.centre_id FROM training_certificates c JOIN training_events e ON e.id = c.event_id WHERE c.id = ?
            """, id)?.string("centre_id")
    }

    /// The centre that owns a supervision assignment.
    func centreOfAssignment(_ id: String) async throws(HubError) -> String? {
        try await db.queryFirst("SELECT centre_id FROM supervision_assignments WHERE id = ?", id)?.string("centre_id")
    }

    // MARK: Trainings

    /// A training as `training.events.create` stores it, with its sessions in time order.
    struct NewEvent {
        var id: String, centre: String, kind: String, title: String, focus: String?, audience: String, description: String?
        var trainers: [Trainer], capacity: Int, feeSEK: Int, deadline: String, waitingList: Bool, contactEmail: String?
        var sessions: [TrainingEvents.SessionSpec]
    }

    /// Stores a new, open training and its sessions (numbered from 1); the trainers as JSON text.
    func insertEvent(_ new: NewEvent, at now: String) async throws(HubError) {
        let trainers = String(decoding: try JSONValue.encode(new.trainers).serialized(), as: UTF8.self)
        try await db.execute("""
            INSERT INTO training_events (id, centre_id, kind, title, focus, audience, description, trainers, capacity, fee_sek, deadline,
                waiting_list, contact_email, first_date, last_date, status, sequence, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', 0, ?)
            """, new.id, new.centre, new.kind, new.title, new.focus, new.audience, new.description, trainers,
            new.capacity, new.feeSEK, new.deadline, new.waitingList, new.contactEmail, new.sessions.first?.date ?? "", new.sessions.last?.date ?? "", now)
        for (n, s) in new.sessions.enumerated() {
            try await db.execute("""
                INSERT INTO training_sessions (id, event_id, number, session_date, start_time, end_time, venue, starts_at, ends_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, Ids.make(), new.id, n + 1, s.date, s.startTime, s.endTime, s.venue, RegistrationEngine.iso(s.starts), RegistrationEngine.iso(s.ends))
        }
    }

    /// A training's own columns (its seats are the engine's, its sessions `sessions(event:)`).
    struct StoredEvent {
        var id: String, centreId: String, kind: EventKind, title: String, focus: String?, audience: String, description: String?
        var trainers: [Trainer], firstDate: String, lastDate: String, capacity: Int, feeSEK: Int, deadline: String, waitingList: Bool
        var contactEmail: String?, status: EventStatus, sequence: Int, invitationsSentAt: String?, registrationUrl: String?
    }

    /// The training, or nil.
    func event(_ id: String) async throws(HubError) -> StoredEvent? {
        guard let row = try await db.queryFirst("SELECT * FROM training_events WHERE id = ?", id) else { return nil }
        // Stored as JSON text by `insertEvent`.
        let trainers = (try? JSONValue.parse(Array(try row.string("trainers").utf8)).decode([Trainer].self)) ?? []
        return StoredEvent(
            id: id, centreId: try row.string("centre_id"), kind: EventKind(rawValue: try row.string("kind")) ?? .training, title: try row.string("title"),
            focus: try row.optionalString("focus"), audience: try row.string("audience"), description: try row.optionalString("description"),
            trainers: trainers, firstDate: try row.string("first_date"), lastDate: try row.string("last_date"), capacity: try row.int("capacity"),
            feeSEK: try row.int("fee_sek"), deadline: try row.string("deadline"), waitingList: try row.bool("waiting_list"),
            contactEmail: try row.optionalString("contact_email"), status: EventStatus(rawValue: try row.string("status")) ?? .cancelled,
            sequence: try row.int("sequence"), invitationsSentAt: try row.optionalString("invitations_sent_at"),
            registrationUrl: try row.optionalString("registration_url"))
    }

    /// Whether a full training takes people on its waiting list; nil when there is no such training.
    func waitingList(event id: String) async throws(HubError) -> Bool? {
        try await db.queryFirst("SELECT waiting_list FROM training_events WHERE id = ?", id)?.bool("waiting_list")
    }

    /// The ids of the trainings (of one centre, year and kind, or all), by first date and title.
    func eventIDs(centre: String?, year: Int?, kind: String?) async throws(HubError) -> [String] {
        try await db.query("""
            SELECT id FROM training_events WHERE (? = '' OR centre_id = ?) AND (? = '' OR first_date LIKE ?) AND (? = '' OR kind = ?)
            ORDER BY first_date, title
            """, centre ?? "", centre ?? "", year.map(String.init) ?? "", year.map { "\($0)-%" } ?? "", kind ?? "", kind ?? "")
            .map { row throws(HubError) in try row.string("id") }
    }

    /// The ids of the centre's trainings of the year that were not cancelled, by first date and title.
    func heldEventIDs(centre: String, year: Int) async throws(HubError) -> [String] {
        try await db.query(
            "SELECT id FROM training_events WHERE centre_id = ? AND status <> 'cancelled' AND first_date LIKE ? ORDER BY first_date, title",
            centre, "\(year)-%").map { row throws(HubError) in try row.string("id") }
    }

    /// Cancels a training and raises its iCalendar SEQUENCE.
    func cancelEvent(_ id: String) async throws(HubError) {
        try await db.execute("UPDATE training_events SET status = 'cancelled', sequence = sequence + 1 WHERE id = ?", id)
    }

    /// Records that the invitations went out, with the registration page they point to.
    func markInvited(_ id: String, registrationUrl: String, at now: String) async throws(HubError) {
        try await db.execute("UPDATE training_events SET invitations_sent_at = ?, registration_url = ? WHERE id = ?", now, registrationUrl, id)
    }

    // MARK: Sessions

    /// The sessions of a training in time order.
    func sessions(event id: String) async throws(HubError) -> [Session] {
        try await db.query("SELECT * FROM training_sessions WHERE event_id = ? ORDER BY number", id).map { r throws(HubError) in
            Session(id: try r.string("id"), number: try r.int("number"), date: try r.string("session_date"), startTime: try r.string("start_time"),
                    endTime: try r.string("end_time"), venue: try r.string("venue"), startsAt: try r.string("starts_at"), endsAt: try r.string("ends_at"))
        }
    }

    /// The training a session belongs to and when it starts (ISO 8601 UTC), or nil.
    func session(_ id: String) async throws(HubError) -> (eventId: String, startsAt: String)? {
        guard let row = try await db.queryFirst("SELECT event_id, starts_at FROM training_sessions WHERE id = ?", id) else { return nil }
        return (try row.string("event_id"), try row.string("starts_at"))
    }
}
