import HubCore
import HubProtocol
import HubStorage

/// The search index of the minutes (`search_terms`: stemmed words per agenda item) and
/// the imported minutes as stored (see `MeetingStore`).
extension MeetingStore {
    /// The texts an item is found by: its title, text and decisions, and for the status
    /// round the agencies' reports; nil when the meeting has no such item.
    func searchableTexts(meeting: String, item: String) async throws(HubError) -> [String]? {
        guard let row = try await db.queryFirst("SELECT kind, title, text, decisions FROM agenda_items WHERE id = ? AND meeting_id = ?",
                                                [.text(item), .text(meeting)]) else { return nil }
        var all = [try row.string("title"), try row.optionalString("text") ?? "", try row.optionalString("decisions") ?? ""]
        if try row.string("kind") == "status-round" {
            all += try await statusReports(meeting: meeting).map(\.text)
        }
        return all
    }

    /// Replaces the terms an item is found by.
    func replaceSearchTerms(meeting: String, item: String, terms: [String]) async throws(HubError) {
        try await db.execute("DELETE FROM search_terms WHERE meeting_id = ? AND item_id = ?", [.text(meeting), .text(item)])
        for term in terms {
            try await db.execute("INSERT INTO search_terms (meeting_id, item_id, term) VALUES (?, ?, ?)", [.text(meeting), .text(item), .text(term)])
        }
    }

    /// The (meeting, item) pairs of the centre with a term starting with `prefix` (matched
    /// literally: `%`, `_` and `\` in it are escaped).
    func itemsWithTerm(centre: String, startingWith prefix: String) async throws(HubError) -> Set<ItemKey> {
        let escaped = prefix.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        let rows = try await db.query("""
            SELECT DISTINCT t.meeting_id, t.item_id FROM search_terms t JOIN meetings m ON m.id = t.meeting_id
            WHERE m.centre_id = ? AND t.term LIKE ? ESCAPE '\\'
            """, [.text(centre), .text(escaped + "%")])
        return Set(try rows.map { r throws(HubError) in ItemKey(meeting: try r.string("meeting_id"), item: try r.string("item_id")) })
    }

    /// An agenda item of a meeting.
    struct ItemKey: Hashable { var meeting: String, item: String }

    /// A found item: its meeting's date, its title, text and place on the agenda.
    struct FoundItem { var date: String, title: String, text: String?, confidential: Bool, position: Int, number: Int }

    /// The item with its meeting's date and its number on the agenda, or nil.
    func foundItem(_ key: ItemKey) async throws(HubError) -> FoundItem? {
        guard let row = try await db.queryFirst("""
            SELECT m.date, i.title, i.text, i.confidential, i.position FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id
            WHERE i.id = ? AND m.id = ?
            """, [.text(key.item), .text(key.meeting)]) else { return nil }
        let position = try row.int("position")
        let number = try await db.query("SELECT COUNT(*) AS n FROM agenda_items WHERE meeting_id = ? AND position <= ?",
                                        [.text(key.meeting), .integer(Int64(position))])[0].int("n")
        return FoundItem(date: try row.string("date"), title: try row.string("title"), text: try row.optionalString("text"),
                         confidential: try row.bool("confidential"), position: position, number: number)
    }

    // MARK: Imported minutes

    /// An attendee named in imported minutes (no member of the group behind it).
    func insertImportedAttendee(meeting: String, id: String, name: String, title: String, agency: String, agencyLabel: String,
                                municipality: String?, status: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO attendance (meeting_id, member_id, name, title, agency, agency_label, municipality, role, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'member', ?)
            """, [.text(meeting), .text(id), .text(name), .text(title), .text(agency), .text(agencyLabel), municipality.databaseValue, .text(status)])
    }

    /// An agenda item of imported minutes, with its text and decisions.
    func insertImportedItem(id: String, meeting: String, position: Int, kind: String, title: String, text: String?, decisions: String?,
                            at now: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO agenda_items (id, meeting_id, position, kind, title, text, decisions, confidential, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)
            """, [.text(id), .text(meeting), .integer(Int64(position)), .text(kind), .text(title), text.databaseValue, decisions.databaseValue, .text(now)])
    }

    /// Files imported minutes as approved version 1 of `markdown`.
    func fileImportedMinutes(meeting: String, markdown: String, by actor: String, at now: String) async throws(HubError) {
        try await db.execute("""
            INSERT INTO minutes_versions (meeting_id, version, markdown, sha256, circulated_at, circulated_by) VALUES (?, 1, ?, ?, ?, ?)
            """, [.text(meeting), .text(markdown), .text(Ids.sha256(markdown)), .text(now), .text(actor)])
        try await db.execute("""
            UPDATE minutes SET status = 'filed', current_version = 1, approved_version = 1, approved_at = ?, filed_at = ? WHERE meeting_id = ?
            """, [.text(now), .text(now), .text(meeting)])
    }
}
