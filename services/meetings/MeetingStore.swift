import Foundation
import HubCore
import HubProtocol
import HubStorage

/// The meetings, their attendance, minutes state, links and attachments as stored: the SQL
/// of the meetings handlers lives here, so a handler reads as the rule it applies ("a centre
/// has one meeting at a time", "a moved meeting re-invites the group") and a change of
/// schema touches this file, not every handler. It wraps the request's executor (inside the
/// request's transaction for commands) and holds no state of its own.
struct MeetingStore {
    let db: any DatabaseExecutor

    init(_ db: any DatabaseExecutor) { self.db = db }

    // MARK: Meetings

    /// The meeting, or not_found naming `field`.
    func meeting(_ id: String, field: String = "body.meetingId") async throws(HubError) -> MeetingRecord {
        guard let row = try await db.queryFirst("SELECT \(MeetingRecord.columns) FROM meetings WHERE id = ?", [.text(id)]) else {
            throw HubError(.notFound, "No such meeting.", field: field)
        }
        return try MeetingRecord(row: row)
    }

    /// The meeting, checked that the actor may see it (members' agencies, the centre's staff
    /// and board); one it may not see is not_found, as a missing one is.
    func visibleMeeting(_ id: String, actor: MeetingActor, field: String = "body.meetingId") async throws(HubError) -> MeetingRecord {
        let m = try await meeting(id, field: field)
        if actor.seesConfidential(centre: m.centre) { return m }
        if actor.role == .agency || actor.role == .adapter,
           try await !invitedAgencies(meeting: m.id).isDisjoint(with: actor.agencies) {
            return m
        }
        throw HubError(.notFound, "No such meeting.", field: field)
    }

    /// Whether the centre has another meeting (not `excluding`) at that date and start time.
    func hasMeeting(centre: String, date: String, start: String, excluding: String? = nil) async throws(HubError) -> Bool {
        try await db.queryFirst("SELECT id FROM meetings WHERE centre_id = ? AND date = ? AND start_time = ? AND id <> ?",
                                [.text(centre), .text(date), .text(start), .text(excluding ?? "")]) != nil
    }

    /// Stores a meeting with its empty draft minutes.
    func insertMeeting(id: String, centre: String, plan: Meetings.Plan, itemDeadline: String, seriesID: String?,
                       imported: Bool, at now: String, by actor: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO meetings (id, centre_id, date, start_time, end_time, place, link, chair, chair_temporary, secretary, status,
                                  item_deadline, sequence, series_id, imported, created_at, created_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)
            """, [.text(id), .text(centre), .text(plan.date), .text(plan.start), .text(plan.end), .text(plan.place),
                  plan.link.databaseValue, plan.chair.databaseValue, plan.chairTemporary.databaseValue,
                  plan.secretary.databaseValue, .text(imported ? "held" : "planned"), .text(itemDeadline),
                  seriesID.databaseValue, .integer(imported ? 1 : 0), .text(now), .text(actor)])
        try await db.execute("INSERT INTO minutes (meeting_id, status, current_version, changed_since_circulation) VALUES (?, 'draft', 0, 0)",
                             [.text(id)])
    }

    /// Writes a planned meeting's changed date, time, place and people.
    func updateMeeting(_ id: String, plan: Meetings.Plan, sequence: Int, itemDeadline: String) async throws(HubError) {
        try await db.execute("""
            UPDATE meetings SET date = ?, start_time = ?, end_time = ?, place = ?, link = ?, chair = ?, chair_temporary = ?, secretary = ?,
                sequence = ?, item_deadline = ? WHERE id = ?
            """, [.text(plan.date), .text(plan.start), .text(plan.end), .text(plan.place), plan.link.databaseValue,
                  plan.chair.databaseValue, plan.chairTemporary.databaseValue, plan.secretary.databaseValue,
                  .integer(Int64(sequence)), .text(itemDeadline), .text(id)])
    }

    /// Cancels a meeting and raises its iCalendar SEQUENCE.
    func cancelMeeting(_ id: String) async throws(HubError) {
        try await db.execute("UPDATE meetings SET status = 'cancelled', sequence = sequence + 1 WHERE id = ?", [.text(id)])
    }

    /// Marks a meeting as held.
    func markHeld(_ id: String) async throws(HubError) {
        try await db.execute("UPDATE meetings SET status = 'held' WHERE id = ?", [.text(id)])
    }

    /// The centre's latest meeting before `date` that was not cancelled: the one whose
    /// minutes a new meeting reviews.
    func previousMeeting(centre: String, before date: String) async throws(HubError) -> (id: String, date: String)? {
        guard let row = try await db.queryFirst("""
            SELECT m.id, m.date FROM meetings m JOIN minutes n ON n.meeting_id = m.id
            WHERE m.centre_id = ? AND m.date < ? AND m.status <> 'cancelled' ORDER BY m.date DESC LIMIT 1
            """, [.text(centre), .text(date)]) else { return nil }
        return (try row.string("id"), try row.string("date"))
    }

    /// The centre's planned meetings after `date`, by date (at most `limit`).
    func plannedMeetings(centre: String, after date: String, limit: Int) async throws(HubError) -> [(date: String, start: String, end: String)] {
        try await db.query("""
            SELECT date, start_time, end_time FROM meetings WHERE centre_id = ? AND date > ? AND status = 'planned' ORDER BY date LIMIT \(limit)
            """, [.text(centre), .text(date)]).map { r throws(HubError) in (try r.string("date"), try r.string("start_time"), try r.string("end_time")) }
    }

    /// A meeting in a list, with the state of its minutes.
    struct Listed {
        var meeting: MeetingRecord
        var minutesStatus: String
        var minutesVersion: Int
    }

    /// Meetings from `from` to `to` (of one centre, or all), by date and time.
    func meetings(from: String, to: String, centre: String?) async throws(HubError) -> [Listed] {
        let columns = MeetingRecord.columns.split(separator: ",").map { "m." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        var sql = """
            SELECT \(columns.joined(separator: ", ")), n.status AS minutes_status, n.current_version
            FROM meetings m JOIN minutes n ON n.meeting_id = m.id WHERE m.date >= ? AND m.date <= ?
            """
        var binds: [DatabaseValue] = [.text(from), .text(to)]
        if let centre { sql += " AND m.centre_id = ?"; binds.append(.text(centre)) }
        sql += " ORDER BY m.date, m.start_time"
        return try await db.query(sql, binds).map { row throws(HubError) in
            Listed(meeting: try MeetingRecord(row: row), minutesStatus: try row.string("minutes_status"),
                   minutesVersion: try row.int("current_version"))
        }
    }

    // MARK: Attendance

    /// The meeting's attendees, by role, agency and name.
    func attendees(meeting: String) async throws(HubError) -> [AttendeeRecord] {
        try await db.query("SELECT \(AttendeeRecord.columns) FROM attendance WHERE meeting_id = ? ORDER BY role, agency, name", [.text(meeting)])
            .map { r throws(HubError) in try AttendeeRecord(row: r) }
    }

    /// The agencies with someone invited to the meeting.
    func invitedAgencies(meeting: String) async throws(HubError) -> Set<String> {
        let rows = try await db.query("SELECT DISTINCT agency FROM attendance WHERE meeting_id = ?", [.text(meeting)])
        return Set(try rows.map { r throws(HubError) in try r.string("agency") })
    }

    /// Invites a member of the group to the meeting.
    func invite(_ member: Groups.Member, to meeting: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO attendance (meeting_id, member_id, name, title, agency, municipality, email, role, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'invited')
            """, [.text(meeting), .text(member.id), .text(member.name), .text(member.title), .text(member.agency),
                  member.municipality.databaseValue, member.email.databaseValue, .text(member.role)])
    }

    /// Withdraws a member's invitation.
    func uninvite(member: String, from meeting: String) async throws(HubError) {
        try await db.execute("DELETE FROM attendance WHERE meeting_id = ? AND member_id = ?", [.text(meeting), .text(member)])
    }

    /// Sets an attendee's status; `repliedAt` when it is their own answer.
    func setAttendance(meeting: String, member: String, status: String, repliedAt: String? = nil) async throws(HubError) {
        if let repliedAt {
            try await db.execute("UPDATE attendance SET status = ?, replied_at = ? WHERE meeting_id = ? AND member_id = ?",
                                 [.text(status), .text(repliedAt), .text(meeting), .text(member)])
        } else {
            try await db.execute("UPDATE attendance SET status = ? WHERE meeting_id = ? AND member_id = ?",
                                 [.text(status), .text(meeting), .text(member)])
        }
    }

    /// One agency's (or one municipality's social services') attendance at one held meeting.
    struct HeldAttendance {
        var meetingID: String, date: String, agency: String, municipality: String?, status: String
    }

    /// The attendance at the centre's held meetings, newest first, the centre's own staff left out.
    func heldAttendance(centre: String) async throws(HubError) -> [HeldAttendance] {
        try await db.query("""
            SELECT m.id, m.date, a.agency, a.municipality, a.status FROM meetings m JOIN attendance a ON a.meeting_id = m.id
            WHERE m.centre_id = ? AND m.status = 'held' AND a.agency <> 'utvag' ORDER BY m.date DESC
            """, [.text(centre)]).map { row throws(HubError) in
            HeldAttendance(meetingID: try row.string("id"), date: try row.string("date"), agency: try row.string("agency"),
                           municipality: try row.optionalString("municipality"), status: try row.string("status"))
        }
    }

    // MARK: Agenda, actions, minutes, links and attachments

    /// The meeting's agenda items in order.
    func agenda(meeting: String) async throws(HubError) -> [AgendaItemRecord] {
        try await db.query("SELECT \(AgendaItemRecord.columns) FROM agenda_items WHERE meeting_id = ? ORDER BY position", [.text(meeting)])
            .map { r throws(HubError) in try AgendaItemRecord(row: r) }
    }

    /// Adds an item to a meeting's agenda.
    func insertAgendaItem(id: String, meeting: String, position: Int, kind: String, title: String,
                          reviewMeetingID: String?, at now: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO agenda_items (id, meeting_id, position, kind, title, confidential, review_meeting_id, created_at)
            VALUES (?, ?, ?, ?, ?, 0, ?, ?)
            """, [.text(id), .text(meeting), .integer(Int64(position)), .text(kind), .text(title), reviewMeetingID.databaseValue, .text(now)])
    }

    /// The action items decided at the meeting, in the order they were made.
    func actions(decidedAt meeting: String) async throws(HubError) -> [ActionRecord] {
        try await db.query(ActionRecord.select + " WHERE a.meeting_id = ? ORDER BY a.created_at", [.text(meeting)])
            .map { r throws(HubError) in try ActionRecord(row: r) }
    }

    /// Where a meeting's minutes stand.
    struct MinutesState {
        var status: String
        var version: Int
        var changedSinceCirculation: Bool
        var approvedVersion: Int?
        var approvedInMeeting: String?
        var filedAt: String?
    }

    /// The state of the meeting's minutes.
    func minutesState(meeting: String) async throws(HubError) -> MinutesState? {
        guard let row = try await db.queryFirst("SELECT * FROM minutes WHERE meeting_id = ?", [.text(meeting)]) else { return nil }
        return MinutesState(status: try row.string("status"), version: try row.int("current_version"),
                            changedSinceCirculation: try row.bool("changed_since_circulation"),
                            approvedVersion: try row.optionalInt("approved_version"),
                            approvedInMeeting: try row.optionalString("approved_in_meeting"), filedAt: try row.optionalString("filed_at"))
    }

    /// The earlier meeting whose minutes this meeting's review item takes up, with their state.
    func reviewedMinutes(of meeting: String) async throws(HubError) -> (meetingID: String, date: String, status: String, changed: Bool)? {
        guard let review = try await db.queryFirst("SELECT review_meeting_id FROM agenda_items WHERE meeting_id = ? AND kind = 'review'",
                                                   [.text(meeting)]),
              let previous = try review.optionalString("review_meeting_id"),
              let row = try await db.queryFirst("""
                  SELECT n.status, n.changed_since_circulation, p.date FROM minutes n JOIN meetings p ON p.id = n.meeting_id WHERE n.meeting_id = ?
                  """, [.text(previous)]) else { return nil }
        return (previous, try row.string("date"), try row.string("status"), try row.bool("changed_since_circulation"))
    }

    /// A link added to a meeting (or one of its items).
    struct Link { var id: String, itemID: String?, title: String, url: String }

    /// The meeting's links, by title.
    func links(meeting: String) async throws(HubError) -> [Link] {
        try await db.query("SELECT id, item_id, title, url FROM links WHERE meeting_id = ? ORDER BY title", [.text(meeting)]).map { l throws(HubError) in
            Link(id: try l.string("id"), itemID: try l.optionalString("item_id"), title: try l.string("title"), url: try l.string("url"))
        }
    }

    /// An attachment's description (its bytes stay in the table until asked for).
    struct Attachment { var id: String, itemID: String?, filename: String, contentType: String, size: Int, sha256: String }

    /// The meeting's attachments, in the order they were added.
    func attachments(meeting: String) async throws(HubError) -> [Attachment] {
        try await db.query("SELECT id, item_id, filename, content_type, size, sha256 FROM attachments WHERE meeting_id = ? ORDER BY added_at",
                           [.text(meeting)]).map { a throws(HubError) in
            Attachment(id: try a.string("id"), itemID: try a.optionalString("item_id"), filename: try a.string("filename"),
                       contentType: try a.string("content_type"), size: try a.int("size"), sha256: try a.string("sha256"))
        }
    }
}
