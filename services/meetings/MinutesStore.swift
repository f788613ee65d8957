import HubCore
import HubProtocol
import HubStorage

/// The minutes as stored: item texts, action items, links, attachments, circulated
/// versions, approval and filing (see `MeetingStore`).
extension MeetingStore {
    // MARK: Items and action items

    /// The meeting's agenda item `id`, or nil.
    func agendaItem(meeting: String, id: String) async throws(HubError) -> AgendaItemRecord? {
        try await db.queryFirst("SELECT \(AgendaItemRecord.columns) FROM agenda_items WHERE meeting_id = ? AND id = ?",
                                [.text(meeting), .text(id)]).map { row throws(HubError) in try AgendaItemRecord(row: row) }
    }

    /// Writes an item's minutes text, decisions, title and confidentiality.
    func updateItem(_ id: String, text: String?, decisions: String?, title: String, confidential: Bool) async throws(HubError) {
        try await db.execute("UPDATE agenda_items SET text = ?, decisions = ?, title = ?, confidential = ? WHERE id = ?",
                             [text.databaseValue, decisions.databaseValue, .text(title), confidential.databaseValue, .text(id)])
    }

    /// The meeting's review item ("genomgång av föregående mötesanteckningar") and the meeting it reviews, if known.
    func reviewItem(meeting: String) async throws(HubError) -> (id: String, reviewedMeetingID: String?)? {
        guard let row = try await db.queryFirst("SELECT id, review_meeting_id FROM agenda_items WHERE meeting_id = ? AND kind = 'review'",
                                                [.text(meeting)]) else { return nil }
        return (try row.string("id"), try row.optionalString("review_meeting_id"))
    }

    /// Records on the review item which minutes (and which version) were approved.
    func recordReview(item: String, reviewed: String, version: Int, note: String, title: String) async throws(HubError) {
        try await db.execute("""
            UPDATE agenda_items SET review_meeting_id = ?, review_version = ?, text = COALESCE(text, ?), title = ? WHERE id = ?
            """, [.text(reviewed), .integer(Int64(version)), .text(note), .text(title), .text(item)])
    }

    /// Stores a new open action item.
    func insertAction(id: String, meeting: String, item: String?, text: String, owner: String, agency: String?, due: String?,
                      at now: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO action_items (id, meeting_id, item_id, text, owner, agency, due, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)
            """, [.text(id), .text(meeting), item.databaseValue, .text(text), .text(owner), agency.databaseValue, due.databaseValue, .text(now)])
    }

    /// The action item `id` (of the centre, when one is named), or nil.
    func action(_ id: String, centre: String? = nil) async throws(HubError) -> ActionRecord? {
        let row = if let centre {
            try await db.queryFirst(ActionRecord.select + " WHERE a.id = ? AND m.centre_id = ?", [.text(id), .text(centre)])
        } else {
            try await db.queryFirst(ActionRecord.select + " WHERE a.id = ?", [.text(id)])
        }
        return try row.map { r throws(HubError) in try ActionRecord(row: r) }
    }

    /// Marks an action item open or done.
    func setActionStatus(_ id: String, status: String, doneAt: String?) async throws(HubError) {
        try await db.execute("UPDATE action_items SET status = ?, done_at = ? WHERE id = ?", [.text(status), doneAt.databaseValue, .text(id)])
    }

    /// The centre's open action items from meetings before `date`, oldest first.
    func openActions(centre: String, before date: String) async throws(HubError) -> [ActionRecord] {
        try await db.query(ActionRecord.select + " WHERE m.centre_id = ? AND m.date < ? AND a.status = 'open' ORDER BY m.date, a.created_at",
                           [.text(centre), .text(date)]).map { r throws(HubError) in try ActionRecord(row: r) }
    }

    /// Open action items with the centre of their meeting: assigned to one of `agencies`
    /// (when given), of `centre` (when given); by due date (none last), then meeting; at most `limit`.
    func openActions(assignedTo agencies: Set<String>?, centre: String?, limit: Int) async throws(HubError) -> [(action: ActionRecord, centre: String)] {
        var sql = ActionRecord.select.replacingOccurrences(of: "SELECT a.id,", with: "SELECT m.centre_id, a.id,") + " WHERE a.status = 'open'"
        var binds: [DatabaseValue] = []
        if let agencies {
            guard !agencies.isEmpty else { return [] }
            sql += " AND a.agency IN (\(agencies.map { _ in "?" }.joined(separator: ", ")))"
            binds += agencies.sorted().map { .text($0) }
        }
        if let centre { sql += " AND m.centre_id = ?"; binds.append(.text(centre)) }
        sql += " ORDER BY CASE WHEN a.due IS NULL THEN 1 ELSE 0 END, a.due, m.date, a.created_at LIMIT \(limit)"
        return try await db.query(sql, binds).map { row throws(HubError) in (try ActionRecord(row: row), try row.string("centre_id")) }
    }

    // MARK: Links and attachments

    /// Adds a link to the meeting (or one of its items).
    func insertLink(id: String, meeting: String, item: String?, title: String, url: String) async throws(HubError) {
        try await db.execute("INSERT INTO links (id, meeting_id, item_id, title, url) VALUES (?, ?, ?, ?, ?)",
                             [.text(id), .text(meeting), item.databaseValue, .text(title), .text(url)])
    }

    /// Stores a file with its size and SHA-256.
    func insertAttachment(id: String, meeting: String, item: String?, filename: String, contentType: String, bytes: [UInt8],
                          sha256: String, by actor: String, at now: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO attachments (id, meeting_id, item_id, filename, content_type, size, sha256, data, added_by, added_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(id), .text(meeting), item.databaseValue, .text(filename), .text(contentType), .integer(Int64(bytes.count)),
                  .text(sha256), .blob(bytes), .text(actor), .text(now)])
    }

    /// A stored file with its bytes.
    struct AttachmentFile { var filename: String, contentType: String, size: Int, sha256: String, data: [UInt8] }

    /// The meeting's attachment `id` with its bytes, or nil.
    func attachmentFile(meeting: String, id: String) async throws(HubError) -> AttachmentFile? {
        guard let row = try await db.queryFirst("SELECT filename, content_type, size, sha256, data FROM attachments WHERE meeting_id = ? AND id = ?",
                                                [.text(meeting), .text(id)]) else { return nil }
        return AttachmentFile(filename: try row.string("filename"), contentType: try row.string("content_type"), size: try row.int("size"),
                              sha256: try row.string("sha256"), data: try row.blob("data"))
    }

    // MARK: Circulation, approval, filing

    /// Marks the agenda as sent.
    func markAgendaCirculated(_ meeting: String, at now: String) async throws(HubError) {
        try await db.execute("UPDATE meetings SET agenda_circulated_at = ? WHERE id = ?", [.text(now), .text(meeting)])
    }

    /// Planned meetings from `date` on that have had no reminder.
    func meetingsAwaitingReminder(from date: String) async throws(HubError) -> [MeetingRecord] {
        try await db.query("SELECT \(MeetingRecord.columns) FROM meetings WHERE status = 'planned' AND reminder_sent_at IS NULL AND date >= ?",
                           [.text(date)]).map { r throws(HubError) in try MeetingRecord(row: r) }
    }

    /// Marks a meeting's reminder as sent.
    func markReminderSent(_ meeting: String, at now: String) async throws(HubError) {
        try await db.execute("UPDATE meetings SET reminder_sent_at = ? WHERE id = ?", [.text(now), .text(meeting)])
    }

    /// The Markdown of a circulated version, or nil.
    func circulatedMarkdown(meeting: String, version: Int) async throws(HubError) -> String? {
        try await db.queryFirst("SELECT markdown FROM minutes_versions WHERE meeting_id = ? AND version = ?",
                                [.text(meeting), .integer(Int64(version))])?.string("markdown")
    }

    /// The Markdown of the latest circulated version, or nil before the first.
    func latestCirculatedMarkdown(meeting: String) async throws(HubError) -> String? {
        try await db.queryFirst("SELECT markdown FROM minutes_versions WHERE meeting_id = ? ORDER BY version DESC LIMIT 1", [.text(meeting)])?.string("markdown")
    }

    /// Stores a circulated version and makes it the minutes' current one.
    func circulate(meeting: String, version: Int, markdown: String, sha256: String, diff: String?, by actor: String, at now: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO minutes_versions (meeting_id, version, markdown, sha256, diff, circulated_at, circulated_by) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, [.text(meeting), .integer(Int64(version)), .text(markdown), .text(sha256), diff.databaseValue, .text(now), .text(actor)])
        try await db.execute("UPDATE minutes SET status = 'circulated', current_version = ?, changed_since_circulation = 0 WHERE meeting_id = ?",
                             [.integer(Int64(version)), .text(meeting)])
    }

    /// One circulated version of the minutes.
    struct Version { var version: Int, markdown: String, sha256: String, diff: String?, circulatedAt: String }

    /// Every circulated version, oldest first.
    func versions(meeting: String) async throws(HubError) -> [Version] {
        try await db.query("SELECT version, markdown, sha256, diff, circulated_at FROM minutes_versions WHERE meeting_id = ? ORDER BY version",
                           [.text(meeting)]).map { v throws(HubError) in
            Version(version: try v.int("version"), markdown: try v.string("markdown"), sha256: try v.string("sha256"),
                    diff: try v.optionalString("diff"), circulatedAt: try v.string("circulated_at"))
        }
    }

    /// Records the approval of a meeting's minutes (version `version`) at meeting `approvedIn`.
    func approveMinutes(meeting: String, version: Int, approvedIn: String, at now: String) async throws(HubError) {
        try await db.execute("""
            UPDATE minutes SET status = 'approved', approved_version = ?, approved_in_meeting = ?, approved_at = ? WHERE meeting_id = ?
            """, [.integer(Int64(version)), .text(approvedIn), .text(now), .text(meeting)])
    }

    /// Places approved minutes on file.
    func fileMinutes(meeting: String, at now: String) async throws(HubError) {
        try await db.execute("UPDATE minutes SET status = 'filed', filed_at = ? WHERE meeting_id = ?", [.text(now), .text(meeting)])
    }
}
