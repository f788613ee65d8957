import HubCore
import HubProtocol
import HubStorage

/// The agenda items and the agencies' status reports as stored (see `MeetingStore`).
extension MeetingStore {
    /// Adds a member's item of the day at `position`, moving the items from there on down.
    func insertDayItem(id: String, meeting: String, position: Int, title: String, confidential: Bool,
                       addedBy: String, agency: String?, at now: String) async throws(HubError) {
        try await db.execute("UPDATE agenda_items SET position = position + 10 WHERE meeting_id = ? AND position >= ?",
                             [.text(meeting), .integer(Int64(position))])
        try await db.execute("""
            INSERT INTO agenda_items (id, meeting_id, position, kind, title, confidential, added_by, agency, created_at)
            VALUES (?, ?, ?, 'day', ?, ?, ?, ?, ?)
            """, [.text(id), .text(meeting), .integer(Int64(position)), .text(title), confidential.databaseValue, .text(addedBy),
                  agency.databaseValue, .text(now)])
    }

    /// The id of the meeting's agenda item of a kind (`status-round`, `review`, …).
    func agendaItemID(meeting: String, kind: String) async throws(HubError) -> String? {
        try await db.queryFirst("SELECT id FROM agenda_items WHERE meeting_id = ? AND kind = ?", [.text(meeting), .text(kind)])?.string("id")
    }

    /// Stores an agency's status report; a second one from the same agency replaces the first.
    func saveStatusReport(meeting: String, agency: String, municipality: String, text: String, by actor: String, at now: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO status_reports (meeting_id, agency, municipality, text, submitted_by, submitted_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (meeting_id, agency, municipality) DO UPDATE SET text = excluded.text, submitted_by = excluded.submitted_by,
                submitted_at = excluded.submitted_at
            """, [.text(meeting), .text(agency), .text(municipality), .text(text), .text(actor), .text(now)])
    }

    /// A member agency's seat at a planned meeting (the municipality is "" for agencies without one).
    struct Seat { var meetingID: String, centre: String, date: String, start: String, agency: String, municipality: String }

    /// Every agency's seat at the planned meetings from `date` on, by date, the centre's own staff left out.
    func seatsAtPlannedMeetings(from date: String) async throws(HubError) -> [Seat] {
        try await db.query("""
            SELECT DISTINCT m.id, m.centre_id, m.date, m.start_time, a.agency, a.municipality FROM meetings m JOIN attendance a ON a.meeting_id = m.id
            WHERE m.status = 'planned' AND m.date >= ? AND a.agency <> 'utvag' ORDER BY m.date
            """, [.text(date)]).map { row throws(HubError) in
            Seat(meetingID: try row.string("id"), centre: try row.string("centre_id"), date: try row.string("date"),
                 start: try row.string("start_time"), agency: try row.string("agency"), municipality: try row.optionalString("municipality") ?? "")
        }
    }

    /// Whether the agency (for the municipality, "" for none) has reported for the meeting.
    func hasStatusReport(meeting: String, agency: String, municipality: String) async throws(HubError) -> Bool {
        try await db.queryFirst("SELECT 1 AS x FROM status_reports WHERE meeting_id = ? AND agency = ? AND municipality = ?",
                                [.text(meeting), .text(agency), .text(municipality)]) != nil
    }

    /// A status report as stored.
    struct StoredReport { var agency: String, municipality: String, text: String, submittedAt: String }

    /// The meeting's status reports, by agency and municipality.
    func statusReports(meeting: String) async throws(HubError) -> [StoredReport] {
        try await db.query("SELECT agency, municipality, text, submitted_at FROM status_reports WHERE meeting_id = ? ORDER BY agency, municipality",
                           [.text(meeting)]).map { row throws(HubError) in
            StoredReport(agency: try row.string("agency"), municipality: try row.string("municipality"), text: try row.string("text"),
                         submittedAt: try row.string("submitted_at"))
        }
    }

    /// Marks circulated minutes as changed since (an item, a report or a text was changed).
    func markMinutesChanged(meeting: String) async throws(HubError) {
        try await db.execute("UPDATE minutes SET changed_since_circulation = 1 WHERE meeting_id = ? AND status = 'circulated'", [.text(meeting)])
    }
}
