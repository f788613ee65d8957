import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage

/// Minutes: text and decisions per agenda item, action items, links and attachments,
/// and the life cycle draft → circulated → approved (at the next meeting) → filed.
/// Approved and filed minutes never change.
enum Minutes {
    static let locked = HubError.Code("minutes_locked")
    static let invalidTransition = HubError.Code("invalid_transition")
    /// The meeting has not begun yet (its minutes cannot go out).
    static let notStarted = HubError.Reason("not_started")

    /// Refuses any change to minutes that were approved or filed.
    static func requireEditable(_ db: any DatabaseExecutor, meeting: String) async throws(HubError) {
        let row = try await db.queryFirst("SELECT status FROM minutes WHERE meeting_id = ?", [.text(meeting)])
        let status = try row?.string("status") ?? "draft"
        guard status == "draft" || status == "circulated" else {
            throw HubError(locked, "The minutes are \(status == "filed" ? "filed" : "approved") and never change.", field: "body.meetingId")
        }
    }

    /// Marks circulated minutes as changed, so the next circulation makes a new version.
    static func touched(_ db: any DatabaseExecutor, meeting: String) async throws(HubError) {
        try await db.execute("UPDATE minutes SET changed_since_circulation = 1 WHERE meeting_id = ? AND status = 'circulated'", [.text(meeting)])
    }

    /// The meeting and the checks every minutes change shares.
    static func editable(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> (MeetingActor, BodyReader, MeetingRecord) {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let m = try await MeetingRecord.load(c.database, id: try b.id("meetingId")!)
        try actor.requireManager(centre: m.centre)
        guard m.status != "cancelled" else { throw HubError(.conflict, "The meeting is cancelled.", field: "body.meetingId") }
        try await requireEditable(c.database, meeting: m.id)
        return (actor, b, m)
    }

    static func agendaItem(_ db: any DatabaseExecutor, meeting: String, id: String?, field: String) async throws(HubError) -> AgendaItemRecord? {
        guard let id else { return nil }
        guard let row = try await db.queryFirst("SELECT \(AgendaItemRecord.columns) FROM agenda_items WHERE meeting_id = ? AND id = ?",
                                                [.text(meeting), .text(id)]) else {
            throw HubError(.notFound, "Not an item of this meeting's agenda.", field: field)
        }
        return try AgendaItemRecord(row: row)
    }

    /// `meetings.minutes.item.set {meetingId, itemId, text?, decisions?, title?, confidential?}`.
    @Sendable static func setItem(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let (_, b, m) = try await editable(env, r, c)
        guard let item = try await agendaItem(c.database, meeting: m.id, id: try b.string("itemId", max: 40), field: "body.itemId") else {
            throw HubError(.validation, "Required.", field: "body.itemId")
        }
        let max = env.settings.maxTextChars
        let text = b.has("text") ? try b.optionalString("text", max: max, multiline: true) : item.text
        let decisions = b.has("decisions") ? try b.optionalString("decisions", max: max, multiline: true) : item.decisions
        let title = try b.optionalString("title", max: 200) ?? item.title
        let confidential = try b.optionalBool("confidential") ?? item.confidential
        try await c.database.execute("UPDATE agenda_items SET text = ?, decisions = ?, title = ?, confidential = ? WHERE id = ?",
                                     [text.map { .text($0) } ?? .null, decisions.map { .text($0) } ?? .null, .text(title),
                                      .integer(confidential ? 1 : 0), .text(item.id)])
        try await touched(c.database, meeting: m.id)
        try await Search.reindex(c.database, meeting: m.id, item: item.id)
        return try await agendaItem(c.database, meeting: m.id, id: item.id, field: "body.itemId")?.json ?? .null
    }

    /// `meetings.minutes.actions.add {meetingId, itemId?, text, owner, agency?, due?}`.
    @Sendable static func addAction(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let (_, b, m) = try await editable(env, r, c)
        let item = try await agendaItem(c.database, meeting: m.id, id: try b.optionalString("itemId", max: 40), field: "body.itemId")
        let text = try b.string("text", max: 1000, multiline: true)
        let owner = try b.string("owner", max: 120)
        let agency = try b.optionalString("agency", max: 64)
        if let agency, agency != "utvag", !env.reference.agencies.contains(where: { $0.id == agency }) {
            throw HubError(.validation, "Not a partner agency.", field: "body.agency")
        }
        let due = try b.optionalDate("due")
        let id = Ids.make()
        try await c.database.execute("""
            INSERT INTO action_items (id, meeting_id, item_id, text, owner, agency, due, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?)
            """, [.text(id), .text(m.id), item.map { .text($0.id) } ?? .null, .text(text), .text(owner), agency.map { .text($0) } ?? .null,
                  due.map { .text($0) } ?? .null, .text(env.timestamp)])
        try await touched(c.database, meeting: m.id)
        return try ActionRecord(row: try await c.database.queryFirst(ActionRecord.select + " WHERE a.id = ?", [.text(id)])!).json
    }

    /// `meetings.minutes.actions.update {meetingId, actionId, status: open|done}`: marked at
    /// any later meeting of the centre (whose minutes are still editable).
    @Sendable static func updateAction(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let (_, b, m) = try await editable(env, r, c)
        let actionID = try b.string("actionId", max: 40)
        let status = try b.choice("status", ["open", "done"])
        guard let row = try await c.database.queryFirst(ActionRecord.select + " WHERE a.id = ? AND m.centre_id = ?", [.text(actionID), .text(m.centre)]) else {
            throw HubError(.notFound, "Not an action item of this centre.", field: "body.actionId")
        }
        let action = try ActionRecord(row: row)
        if action.meetingID != m.id { try await requireEditable(c.database, meeting: m.id) }
        try await c.database.execute("UPDATE action_items SET status = ?, done_at = ? WHERE id = ?",
                                     [.text(status), status == "done" ? .text(env.timestamp) : .null, .text(action.id)])
        try await touched(c.database, meeting: m.id)
        return try ActionRecord(row: try await c.database.queryFirst(ActionRecord.select + " WHERE a.id = ?", [.text(action.id)])!).json
    }

    /// Open action items from earlier meetings of the centre: carried to this agenda until done.
    static func carriedActions(_ db: any DatabaseExecutor, meeting m: MeetingRecord) async throws(HubError) -> [ActionRecord] {
        try await db.query(ActionRecord.select + " WHERE m.centre_id = ? AND m.date < ? AND a.status = 'open' ORDER BY m.date, a.created_at",
                           [.text(m.centre), .text(m.date)]).map { r throws(HubError) in try ActionRecord(row: r) }
    }

    /// `meetings.actions.open {centre?}`: the open action items that wait for the caller, for
    /// the start page. Staff and board of a centre (and admins, for one centre or all) get the
    /// centre's open items; an agency gets those assigned to its own agency. Ordered by due
    /// date (items without one last), then by the meeting they came from; at most 50.
    @Sendable static func openActions(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let asked = try b.optionalString("centre", max: 64)
        if let asked { _ = try env.centre(asked) }
        var sql = ActionRecord.select + " WHERE a.status = 'open'"
        var binds: [DatabaseValue] = []
        switch actor.role {
        case .agency, .adapter:
            guard !actor.agencies.isEmpty else { return .object(["actions": .array([])]) }
            sql += " AND a.agency IN (\(actor.agencies.map { _ in "?" }.joined(separator: ", ")))"
            binds += actor.agencies.sorted().map { .text($0) }
            if let asked { sql += " AND m.centre_id = ?"; binds.append(.text(asked)) }
        default:
            guard let centre = asked ?? actor.centre else {
                guard actor.role == .admin else { throw HubError(.validation, "Which centre?", field: "body.centre") }
                break
            }
            guard actor.seesConfidential(centre: centre) else { throw HubError(.forbidden, "Only the centre's staff and board see its action items.") }
            sql += " AND m.centre_id = ?"
            binds.append(.text(centre))
        }
        sql += " ORDER BY CASE WHEN a.due IS NULL THEN 1 ELSE 0 END, a.due, m.date, a.created_at LIMIT 50"
        let rows = try await c.database.query(sql.replacingOccurrences(of: "SELECT a.id,", with: "SELECT m.centre_id, a.id,"), binds)
        return .object(["actions": .array(try rows.map { row throws(HubError) in
            guard case .object(var o) = try ActionRecord(row: row).json else { return .null }
            let centre = try row.string("centre_id")
            o["centre"] = .string(centre)
            o["centreName"] = .string((try? env.centre(centre).name) ?? centre)
            o["agencyName"] = .optional(try row.optionalString("agency").map(env.agencyName))
            return .object(o)
        })])
    }

    /// `meetings.minutes.links.add {meetingId, itemId?, title, url}`.
    @Sendable static func addLink(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let (_, b, m) = try await editable(env, r, c)
        let item = try await agendaItem(c.database, meeting: m.id, id: try b.optionalString("itemId", max: 40), field: "body.itemId")
        let title = try b.string("title", max: 200)
        let url = try b.string("url", max: 1000)
        guard (url.hasPrefix("https://") || url.hasPrefix("http://")), !url.contains(" "), URL(string: url)?.host != nil else {
            throw HubError(.validation, "A link is an http(s):// address.", field: "body.url")
        }
        let id = Ids.make()
        try await c.database.execute("INSERT INTO links (id, meeting_id, item_id, title, url) VALUES (?, ?, ?, ?, ?)",
                                     [.text(id), .text(m.id), item.map { .text($0.id) } ?? .null, .text(title), .text(url)])
        try await touched(c.database, meeting: m.id)
        return .object(["id": .string(id), "title": .string(title), "url": .string(url)])
    }

    /// `meetings.minutes.attachments.add {meetingId, itemId?, filename, contentType, data (base64)}`:
    /// stored with its SHA-256 and size; over `attachments.maxBytes` or of a type not listed is refused.
    @Sendable static func addAttachment(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let (actor, b, m) = try await editable(env, r, c)
        let item = try await agendaItem(c.database, meeting: m.id, id: try b.optionalString("itemId", max: 40), field: "body.itemId")
        let filename = try b.string("filename", max: 160)
        guard !filename.contains("/"), !filename.contains("\\"), !filename.hasPrefix(".") else {
            throw HubError(.validation, "A file name without folders.", field: "body.filename")
        }
        let type = try b.string("contentType", max: 120).lowercased()
        guard env.settings.attachments.types.contains(type) else {
            throw HubError(.validation, "That type of file is not accepted; use one of: \(env.settings.attachments.types.joined(separator: ", ")).", field: "body.contentType")
        }
        let limit = env.settings.attachments.maxBytes
        guard case .string(let encoded)? = b.object["data"] else { throw HubError(.validation, "Required: the file as base64.", field: "body.data") }
        guard encoded.utf8.count <= (limit / 3 + 1) * 4 + 4 else {
            throw HubError(.tooLarge, "The file is larger than \(limit) bytes.", field: "body.data")
        }
        guard let data = Data(base64Encoded: encoded), !data.isEmpty else { throw HubError(.validation, "Not base64 data.", field: "body.data") }
        guard data.count <= limit else { throw HubError(.tooLarge, "The file is larger than \(limit) bytes.", field: "body.data") }
        if type == "application/pdf", !data.starts(with: Array("%PDF".utf8)) {
            throw HubError(.validation, "The file is not a PDF.", field: "body.data")
        }
        let bytes = [UInt8](data), sha = Ids.sha256(bytes), id = Ids.make()
        try await c.database.execute("""
            INSERT INTO attachments (id, meeting_id, item_id, filename, content_type, size, sha256, data, added_by, added_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [.text(id), .text(m.id), item.map { .text($0.id) } ?? .null, .text(filename), .text(type), .integer(Int64(bytes.count)),
                  .text(sha), .blob(bytes), .text(actor.who), .text(env.timestamp)])
        try await touched(c.database, meeting: m.id)
        return .object(["id": .string(id), "filename": .string(filename), "contentType": .string(type), "size": .int(bytes.count), "sha256": .string(sha)])
    }

    /// `meetings.minutes.attachments.get {meetingId, attachmentId}` → the file (base64) with its checksum, verified.
    @Sendable static func getAttachment(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let m = try await MeetingRecord.loadVisible(c.database, id: try b.id("meetingId")!, actor: actor)
        guard let row = try await c.database.queryFirst("SELECT filename, content_type, size, sha256, data FROM attachments WHERE meeting_id = ? AND id = ?",
                                                        [.text(m.id), .text(try b.string("attachmentId", max: 40))]) else {
            throw HubError(.notFound, "No such attachment.", field: "body.attachmentId")
        }
        let data = try row.blob("data")
        guard Ids.sha256(data) == (try row.string("sha256")) else { throw HubError(.storage, "The stored file does not match its checksum.") }
        return .object(["filename": .string(try row.string("filename")), "contentType": .string(try row.string("content_type")),
                        "size": .int(try row.int("size")), "sha256": .string(try row.string("sha256")),
                        "data": .string(Data(data).base64EncodedString())])
    }

    /// `meetings.minutes.approve {meetingId}`: at this meeting, the previous meeting's
    /// circulated minutes are approved. The review item records the exact version.
    @Sendable static func approve(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let m = try await MeetingRecord.load(c.database, id: try b.id("meetingId")!)
        try actor.requireManager(centre: m.centre)
        try await requireEditable(c.database, meeting: m.id)
        guard let review = try await c.database.queryFirst("SELECT id, review_meeting_id FROM agenda_items WHERE meeting_id = ? AND kind = 'review'",
                                                           [.text(m.id)]) else {
            throw HubError(invalidTransition, "This meeting's agenda has no review of previous minutes.", field: "body.meetingId")
        }
        let previousID: String
        if let explicit = try b.id("previousMeetingId", required: false) { previousID = explicit }
        else if let linked = try review.optionalString("review_meeting_id") { previousID = linked }
        else { throw HubError(invalidTransition, "There are no previous minutes to approve.", field: "body.meetingId") }
        let previous = try await MeetingRecord.load(c.database, id: previousID, field: "body.previousMeetingId")
        guard previous.centre == m.centre, previous.date < m.date else {
            throw HubError(.validation, "Minutes are approved at a later meeting of the same centre.", field: "body.previousMeetingId")
        }
        guard let row = try await c.database.queryFirst("SELECT status, current_version, changed_since_circulation FROM minutes WHERE meeting_id = ?",
                                                        [.text(previous.id)]) else { throw HubError(.notFound, "No minutes.", field: "body.previousMeetingId") }
        guard try row.string("status") == "circulated" else {
            throw HubError(invalidTransition, "Only circulated minutes can be approved.", field: "body.previousMeetingId")
        }
        guard !(try row.bool("changed_since_circulation")) else {
            throw HubError(invalidTransition, "The minutes changed after they were circulated; circulate the new version first.", field: "body.previousMeetingId")
        }
        let version = try row.int("current_version")
        try await c.database.execute("""
            UPDATE minutes SET status = 'approved', approved_version = ?, approved_in_meeting = ?, approved_at = ? WHERE meeting_id = ?
            """, [.integer(Int64(version)), .text(m.id), .text(env.timestamp), .text(previous.id)])
        let note = try b.optionalString("note", max: 2000, multiline: true)
            ?? "Inga invändningar på föregående mötesanteckningar så dessa lades till handlingarna."
        try await c.database.execute("""
            UPDATE agenda_items SET review_meeting_id = ?, review_version = ?, text = COALESCE(text, ?), title = ? WHERE id = ?
            """, [.text(previous.id), .integer(Int64(version)), .text(note),
                  .text("Genomgång av föregående mötesanteckningar från \(SwedishDate.long(previous.date))"), .text(try review.string("id"))])
        try await touched(c.database, meeting: m.id)
        c.events.emit("minutes.approved", ["meetingId": .string(previous.id), "centre": .string(m.centre), "version": .int(version),
                                           "approvedInMeeting": .string(m.id)])
        return .object(["meetingId": .string(previous.id), "status": .string("approved"), "version": .int(version), "approvedInMeeting": .string(m.id)])
    }

    /// `meetings.minutes.file {meetingId}`: approved minutes are placed on file ("läggs till handlingarna").
    @Sendable static func file(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let m = try await MeetingRecord.load(c.database, id: try b.id("meetingId")!)
        try actor.requireManager(centre: m.centre)
        let status = try await c.database.queryFirst("SELECT status FROM minutes WHERE meeting_id = ?", [.text(m.id)])?.string("status")
        guard status == "approved" else { throw HubError(invalidTransition, "Only approved minutes are filed.", field: "body.meetingId") }
        try await c.database.execute("UPDATE minutes SET status = 'filed', filed_at = ? WHERE meeting_id = ?", [.text(env.timestamp), .text(m.id)])
        c.events.emit("minutes.filed", ["meetingId": .string(m.id), "centre": .string(m.centre)])
        return .object(["meetingId": .string(m.id), "status": .string("filed")])
    }

    /// `meetings.minutes.versions {meetingId}` → every circulated version with its diff against the one before.
    @Sendable static func versions(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let m = try await MeetingRecord.loadVisible(c.database, id: try b.id("meetingId")!, actor: actor)
        let rows = try await c.database.query("""
            SELECT version, markdown, sha256, diff, circulated_at FROM minutes_versions WHERE meeting_id = ? ORDER BY version
            """, [.text(m.id)])
        return .object(["meetingId": .string(m.id), "versions": .array(try rows.map { v throws(HubError) in
            .object(["version": .int(try v.int("version")), "markdown": .string(try v.string("markdown")), "sha256": .string(try v.string("sha256")),
                     "diff": .optional(try v.optionalString("diff")), "circulatedAt": .string(try v.string("circulated_at"))])
        })])
    }
}

/// A line diff (longest common subsequence) in the unified style: "- " removed, "+ " added.
enum LineDiff {
    static func diff(_ old: String, _ new: String) -> String {
        let a = old.components(separatedBy: "\n"), b = new.components(separatedBy: "\n")
        let n = a.count, m = b.count
        guard n * m <= 4_000_000 else { return "- (previous version)\n+ (whole text changed)" }
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        var out: [String] = [], i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] { i += 1; j += 1 }
            else if j < m, i == n || lcs[i][j + 1] >= lcs[i + 1][j] { out.append("+ " + b[j]); j += 1 }
            else { out.append("- " + a[i]); i += 1 }
        }
        return out.joined(separator: "\n")
    }
}
