import HubCore
import HubProtocol
import HubStorage
import NetworksAPI

/// The network days, their invitations, the contact persons and the tour as stored: the SQL
/// of the networks handlers lives here (this file and its extensions `ContactStore`,
/// `TourStore`), so a handler reads as the rule it applies and a change of schema touches
/// these files, not every handler. It wraps the request's executor (inside the request's
/// transaction for commands) and holds no state of its own. The participants' tables are the
/// shared `RegistrationEngine`'s and stay behind it.
struct NetworkStore {
    let db: any DatabaseExecutor

    init(_ db: any DatabaseExecutor) { self.db = db }

    // MARK: Network days

    /// A network day as stored, without the seats the engine counts.
    struct DayRecord {
        var id: String, centreId: String, title: String, theme: String, date: String, startTime: String, endTime: String
        var venue: String, organisers: [String], programme: [ProgrammeItem], capacity: Int, feeSEK: Int, deadline: String
        var contactEmail: String?, status: DayStatus, sequence: Int, invitationsSentAt: String?, registrationUrl: String?

        init(row: DatabaseRow) throws(HubError) {
            id = try row.string("id"); centreId = try row.string("centre_id"); title = try row.string("title"); theme = try row.string("theme")
            date = try row.string("day_date"); startTime = try row.string("start_time"); endTime = try row.string("end_time")
            venue = try row.string("venue")
            // Stored as JSON text by `NetworkDays.Spec` (`organisersText`, `programmeText`).
            organisers = (try? JSONValue.parse(Array(try row.string("organisers").utf8)).decode([String].self)) ?? []
            programme = (try? JSONValue.parse(Array(try row.string("programme").utf8)).decode([ProgrammeItem].self)) ?? []
            capacity = try row.int("capacity"); feeSEK = try row.int("fee_sek"); deadline = try row.string("deadline")
            contactEmail = try row.optionalString("contact_email")
            status = DayStatus(rawValue: try row.string("status")) ?? .cancelled
            sequence = try row.int("sequence"); invitationsSentAt = try row.optionalString("invitations_sent_at")
            registrationUrl = try row.optionalString("registration_url")
        }
    }

    /// The day, or not_found naming `field`.
    func day(_ id: String, field: String = "body.dayId") async throws(HubError) -> DayRecord {
        guard let row = try await db.queryFirst("SELECT * FROM network_days WHERE id = ?", id) else {
            throw HubError(.notFound, "No such network day.", field: field)
        }
        return try DayRecord(row: row)
    }

    /// The days of one centre (or all) and one year (or all), by date and start.
    func days(centre: String?, year: Int?) async throws(HubError) -> [DayRecord] {
        try await db.query("""
            SELECT * FROM network_days WHERE (? = '' OR centre_id = ?) AND (? = '' OR day_date LIKE ?) ORDER BY day_date, start_time
            """, centre ?? "", centre ?? "", year.map(String.init) ?? "", year.map { "\($0)-%" } ?? "")
            .map { row throws(HubError) in try DayRecord(row: row) }
    }

    /// The centre's days of one year (or all) that were not cancelled, by date: the days whose
    /// attendance counts.
    func daysNotCancelled(centre: String, year: Int?) async throws(HubError) -> [(id: String, title: String, date: String)] {
        try await db.query("""
            SELECT id, title, day_date FROM network_days WHERE centre_id = ? AND status <> 'cancelled' AND (? = '' OR day_date LIKE ?) ORDER BY day_date
            """, centre, year.map(String.init) ?? "", year.map { "\($0)-%" } ?? "").map { row throws(HubError) in
            (try row.string("id"), try row.string("title"), try row.string("day_date"))
        }
    }

    /// The centre that owns the day, or nil when there is no such day.
    func centre(ofDay id: String) async throws(HubError) -> String? {
        try await db.queryFirst("SELECT centre_id FROM network_days WHERE id = ?", id)?.string("centre_id")
    }

    /// The centre of the day a participant is registered for, or nil when there is no such participant.
    func centre(ofParticipant id: String) async throws(HubError) -> String? {
        try await db.queryFirst("""
            SELECT d.centre_id FROM registration_participants p JOIN network_days d ON d.id = p.event_id WHERE p.id = ?
            """, id)?.string("centre_id")
    }

    /// Stores a new day, open, at SEQUENCE 0.
    func insertDay(id: String, centre: String, _ spec: NetworkDays.Spec, at now: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO network_days (id, centre_id, title, theme, day_date, start_time, end_time, venue, organisers, programme, capacity, fee_sek,
                deadline, contact_email, status, sequence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', 0, ?)
            """, id, centre, spec.title, spec.theme, spec.date, spec.startTime, spec.endTime, spec.venue, spec.organisersText, spec.programmeText,
            spec.capacity, spec.feeSEK, spec.deadline, spec.contactEmail, now)
    }

    /// Writes a day's changed fields and raises its iCalendar SEQUENCE.
    func updateDay(_ id: String, _ spec: NetworkDays.Spec) async throws(HubError) {
        try await db.execute("""
            UPDATE network_days SET title = ?, theme = ?, day_date = ?, start_time = ?, end_time = ?, venue = ?, organisers = ?, programme = ?,
                capacity = ?, fee_sek = ?, deadline = ?, contact_email = ?, sequence = sequence + 1 WHERE id = ?
            """, spec.title, spec.theme, spec.date, spec.startTime, spec.endTime, spec.venue, spec.organisersText, spec.programmeText,
            spec.capacity, spec.feeSEK, spec.deadline, spec.contactEmail, id)
    }

    /// Cancels a day and raises its iCalendar SEQUENCE.
    func cancelDay(_ id: String) async throws(HubError) {
        try await db.execute("UPDATE network_days SET status = 'cancelled', sequence = sequence + 1 WHERE id = ?", id)
    }

    /// Notes that the invitations went out, with the public registration page they name.
    func markInvited(_ id: String, registrationURL: String, at now: String) async throws(HubError) {
        try await db.execute("UPDATE network_days SET invitations_sent_at = ?, registration_url = ? WHERE id = ?", now, registrationURL, id)
    }

    /// Records that an invitation (or its change or cancellation) went to an agency's adapter.
    func recordInvitation(day: String, adapter: String, method: String, sequence: Int, recipients: Int, at now: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO network_invitations (id, day_id, adapter, method, sequence, recipients, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, Clock.id(), day, adapter, method, sequence, recipients, now)
    }
}
