import HubProtocol
import HubStorage
import TrainingAPI

/// Commissioned lectures and targeted supervision assignments with their session logs, as
/// stored (see `TrainingStore`).
extension TrainingStore {
    // MARK: Lectures

    /// A lecture as `training.lectures.create` stores it.
    struct NewLecture {
        var id: String, centre: String, date: String, partner: String, unit: String?, municipality: String?, topic: String
        var audienceSize: Int, lecturer: String?
    }

    /// Stores a lecture.
    func insertLecture(_ new: NewLecture, at now: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO training_lectures (id, centre_id, lecture_date, partner, unit, municipality, topic, audience_size, lecturer, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, new.id, new.centre, new.date, new.partner, new.unit, new.municipality, new.topic, new.audienceSize, new.lecturer, now)
    }

    /// The centre's lectures (of a year, or one by id, or all) by date and topic; `agencyName` names the partner.
    func lectures(centre: String, year: Int?, id: String? = nil, agencyName: (String) -> String) async throws(HubError) -> [Lecture] {
        try await db.query("""
            SELECT * FROM training_lectures WHERE centre_id = ? AND (? = '' OR lecture_date LIKE ?) AND (? = '' OR id = ?) ORDER BY lecture_date, topic
            """, centre, year.map(String.init) ?? "", year.map { "\($0)-%" } ?? "", id ?? "", id ?? "").map { r throws(HubError) in
            Lecture(id: try r.string("id"), centreId: centre, date: try r.string("lecture_date"), partner: try r.string("partner"),
                    partnerName: agencyName(try r.string("partner")), unit: try r.optionalString("unit"),
                    municipality: try r.optionalString("municipality"), topic: try r.string("topic"),
                    audienceSize: try r.int("audience_size"), lecturer: try r.optionalString("lecturer"))
        }
    }

    // MARK: Supervision assignments

    /// Stores an assignment with every part not started.
    func insertAssignment(id: String, centre: String, municipality: String, agency: String, unit: String, notes: String?,
                          at now: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO supervision_assignments (id, centre_id, municipality, agency, unit, notes, information_status, dialogue_status,
                onsite_status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'not_started', 'not_started', 'not_started', ?, ?)
            """, id, centre, municipality, agency, unit, notes, now, now)
    }

    /// An assignment's own columns with its three parts in order (its log is `supervisionSessions`).
    struct StoredAssignment {
        var id: String, centreId: String, municipality: String, agency: String, unit: String, notes: String?
        var parts: [Assignment.Part], updatedAt: String
    }

    /// The assignment, or nil.
    func assignment(_ id: String) async throws(HubError) -> StoredAssignment? {
        guard let r = try await db.queryFirst("SELECT * FROM supervision_assignments WHERE id = ?", id) else { return nil }
        var parts: [Assignment.Part] = []
        for p in SupervisionPartName.allCases {
            parts.append(Assignment.Part(part: p, status: PartStatus(rawValue: try r.string("\(p.rawValue)_status")) ?? .notStarted,
                                         date: try r.optionalString("\(p.rawValue)_date")))
        }
        return StoredAssignment(id: id, centreId: try r.string("centre_id"), municipality: try r.string("municipality"), agency: try r.string("agency"),
                                unit: try r.string("unit"), notes: try r.optionalString("notes"), parts: parts, updatedAt: try r.string("updated_at"))
    }

    /// The ids of the centre's assignments with something in the year (`%` for any): created, a part or a
    /// session dated in it; by municipality, agency and unit.
    func assignmentIDs(centre: String, yearPattern: String) async throws(HubError) -> [String] {
        let y = yearPattern
        return try await db.query("""
            SELECT id FROM supervision_assignments a WHERE centre_id = ? AND (created_at LIKE ? OR information_date LIKE ? OR dialogue_date LIKE ?
                OR onsite_date LIKE ? OR EXISTS (SELECT 1 FROM supervision_sessions s WHERE s.assignment_id = a.id AND s.session_date LIKE ?))
            ORDER BY municipality, agency, unit
            """, centre, y, y, y, y, y).map { row throws(HubError) in try row.string("id") }
    }

    /// Sets a part's status and date; false when there is no such assignment.
    func setPart(assignment id: String, part: SupervisionPartName, status: PartStatus, date: String?, at now: String) async throws(HubError) -> Bool {
        try await db.execute(
            "UPDATE supervision_assignments SET \(part.rawValue)_status = ?, \(part.rawValue)_date = ?, updated_at = ? WHERE id = ?",
            status.rawValue, date, now, id) == 1
    }

    /// Logs a session of a part and marks the assignment as updated.
    func logSession(assignment id: String, part: SupervisionPartName, date: String, participants: Int?, notes: String?, at now: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO supervision_sessions (id, assignment_id, part, session_date, participants, notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, Ids.make(), id, part.rawValue, date, participants, notes, now)
        try await db.execute("UPDATE supervision_assignments SET updated_at = ? WHERE id = ?", now, id)
    }

    /// The assignment's logged sessions by date, in the order they were logged.
    func supervisionSessions(assignment id: String) async throws(HubError) -> [Assignment.LoggedSession] {
        try await db.query("SELECT * FROM supervision_sessions WHERE assignment_id = ? ORDER BY session_date, created_at", id).map { s throws(HubError) in
            Assignment.LoggedSession(id: try s.string("id"), part: SupervisionPartName(rawValue: try s.string("part")) ?? .information,
                                     date: try s.string("session_date"), participants: try s.optionalInt("participants"), notes: try s.optionalString("notes"))
        }
    }
}
