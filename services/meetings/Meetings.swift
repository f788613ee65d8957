import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage

/// Meetings: creation from the centre's template (with a series of later dates),
/// changes (which raise the iCalendar SEQUENCE), cancellation, attendance and replies.
enum Meetings {
    static let attendanceStates = ["invited", "attending", "present", "regrets", "absent"]

    struct Plan {
        var date: String, start: String, end: String, place: String, link: String?
        var chair: String?, chairTemporary: Bool, secretary: String?
    }

    /// Reads chair and secretary: a member id of this centre's group on the date, or a temporary chair's name.
    static func people(_ b: BodyReader, _ db: any DatabaseExecutor, centre: String, date: String,
                       current: (chair: String?, temporary: Bool, secretary: String?)) async throws(HubError) -> (String?, Bool, String?) {
        let members = try await Groups.members(db, centre: centre, on: date)
        func named(_ key: String) throws(HubError) -> String? {
            guard let id = try b.optionalString(key, max: 40) else { return nil }
            guard let m = members.first(where: { $0.id == id }) else {
                throw HubError(.validation, "Not a member of this centre's management group on the meeting's date.", field: b.field(key))
            }
            return m.name
        }
        var chair = current.chair, temporary = current.temporary, secretary = current.secretary
        if let c = try named("chairMemberId") { chair = c; temporary = false }
        if let t = try b.optionalString("temporaryChair", max: 120) { chair = t; temporary = true }
        if let s = try named("secretaryMemberId") { secretary = s }
        if chair == nil { chair = members.first { $0.role == "chair" }?.name }
        if secretary == nil { secretary = members.first { $0.role == "secretary" }?.name }
        return (chair, temporary, secretary)
    }

    static func readPlace(_ b: BodyReader, default d: String, link current: String?) throws(HubError) -> (String, String?) {
        let place = try b.optionalString("place", max: 200) ?? d
        var link = current
        if b.has("link") {
            link = try b.optionalString("link", max: 500)
            if let l = link, !(l.hasPrefix("https://") && l.count > 8 && !l.contains(" ")) {
                throw HubError(.validation, "A meeting link is an https:// address.", field: "body.link")
            }
        }
        return (place, link)
    }

    static func times(_ b: BodyReader, start: String, end: String) throws(HubError) -> (String, String) {
        let s = try b.optionalTime("start") ?? start, e = try b.optionalTime("end") ?? end
        guard e > s else { throw HubError(.validation, "The meeting must end after it starts.", field: "body.end") }
        return (s, e)
    }

    /// `meetings.create {centre, date, start?, end?, place?, link?, chairMemberId? | temporaryChair?,
    /// secretaryMemberId?, series?: [date]}` → the meeting (and one per series date) with its agenda.
    @Sendable static func create(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let centre = try env.centre(try b.string("centre", max: 64))
        try actor.requireManager(centre: centre.id)
        let date = try b.date("date")
        let (start, end) = try times(b, start: centre.managementGroup.defaultStart, end: centre.managementGroup.defaultEnd)
        let (place, link) = try readPlace(b, default: centre.managementGroup.defaultPlace, link: nil)
        let series = try b.strings("series", max: 12, maxLength: 10)
        for (i, d) in series.enumerated() {
            guard ReferenceData.isDate(d) else { throw HubError(.validation, "Not a date that exists (YYYY-MM-DD).", field: "body.series[\(i)]") }
            guard d > date else { throw HubError(.validation, "A later date in the series must come after the meeting's date.", field: "body.series[\(i)]") }
        }
        guard Set(series).count == series.count else { throw HubError(.validation, "A date is listed twice.", field: "body.series") }
        let (chair, temporary, secretary) = try await people(b, c.database, centre: centre.id, date: date, current: (nil, false, nil))
        let seriesID = series.isEmpty ? nil : Ids.make()
        var ids: [String] = []
        for d in [date] + series {
            let plan = Plan(date: d, start: start, end: end, place: place, link: link, chair: d == date ? chair : nil,
                            chairTemporary: d == date && temporary, secretary: secretary)
            ids.append(try await insert(env, c.database, centre: centre.id, plan: plan, seriesID: seriesID, actor: actor.who,
                                        field: d == date ? "body.date" : "body.series"))
        }
        var result = try await view(env, c.database, try await MeetingRecord.load(c.database, id: ids[0]), actor: actor)
        if case .object(var o) = result { o["series"] = .array(ids.dropFirst().map { .string($0) }); result = .object(o) }
        return result
    }

    /// Stores one planned meeting with its attendees (the group on that date), its agenda
    /// from the template and empty draft minutes.
    static func insert(_ env: MeetingsEnvironment, _ db: any DatabaseExecutor, centre: String, plan: Plan, seriesID: String?,
                       actor: String, imported: Bool = false, field: String = "body.date") async throws(HubError) -> String {
        if try await db.queryFirst("SELECT id FROM meetings WHERE centre_id = ? AND date = ? AND start_time = ?",
                                   [.text(centre), .text(plan.date), .text(plan.start)]) != nil {
            throw HubError(.conflict, "The centre already has a meeting at that date and time.", field: field)
        }
        let id = Ids.make(), now = env.timestamp
        let deadline = SwedishDate.minus(days: env.settings.itemDeadlineDays, from: plan.date)
        try await db.execute("""
            INSERT INTO meetings (id, centre_id, date, start_time, end_time, place, link, chair, chair_temporary, secretary, status,
                                  item_deadline, sequence, series_id, imported, created_at, created_by)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)
            """, [.text(id), .text(centre), .text(plan.date), .text(plan.start), .text(plan.end), .text(plan.place),
                  plan.link.map { .text($0) } ?? .null, plan.chair.map { .text($0) } ?? .null, .integer(plan.chairTemporary ? 1 : 0),
                  plan.secretary.map { .text($0) } ?? .null, .text(imported ? "held" : "planned"), .text(deadline),
                  seriesID.map { .text($0) } ?? .null, .integer(imported ? 1 : 0), .text(now), .text(actor)])
        try await db.execute("INSERT INTO minutes (meeting_id, status, current_version, changed_since_circulation) VALUES (?, 'draft', 0, 0)", [.text(id)])
        if imported { return id }
        try await reinvite(db, meeting: id, centre: centre, date: plan.date)
        // The review item points at the last earlier meeting whose minutes are not yet approved.
        let previous = try await db.queryFirst("""
            SELECT m.id, m.date FROM meetings m JOIN minutes n ON n.meeting_id = m.id
            WHERE m.centre_id = ? AND m.date < ? AND m.status <> 'cancelled' ORDER BY m.date DESC LIMIT 1
            """, [.text(centre), .text(plan.date)])
        for (i, item) in env.templates.items(for: centre).enumerated() {
            var title = item.sv, review: String? = nil
            if item.kind == "review", let p = previous {
                review = try p.string("id")
                title += " från \(SwedishDate.long(try p.string("date")))"
            }
            try await db.execute("""
                INSERT INTO agenda_items (id, meeting_id, position, kind, title, confidential, review_meeting_id, created_at)
                VALUES (?, ?, ?, ?, ?, 0, ?, ?)
                """, [.text(Ids.make()), .text(id), .integer(Int64((i + 1) * 10)), .text(item.kind), .text(title),
                      review.map { .text($0) } ?? .null, .text(now)])
        }
        return id
    }

    /// The actor, the body and a planned meeting of a centre the actor manages (what changes to a planned meeting share).
    static func plannedMeeting(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext,
                               refusal: String) async throws -> (MeetingActor, BodyReader, MeetingRecord) {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let m = try await MeetingRecord.load(c.database, id: try b.id("meetingId")!)
        try actor.requireManager(centre: m.centre)
        guard m.status == "planned" else { throw HubError(.conflict, refusal, field: "body.meetingId") }
        return (actor, b, m)
    }

    /// `meetings.update {meetingId, date?, start?, end?, place?, link?, chairMemberId?, temporaryChair?, secretaryMemberId?}`.
    /// A change of date, time or place raises SEQUENCE and, once the agenda went out, sends the updated invitation.
    @Sendable static func update(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let (actor, b, m) = try await plannedMeeting(env, r, c, refusal: "Only a planned meeting can be changed.")
        let date = try b.optionalDate("date") ?? m.date
        let (start, end) = try times(b, start: m.start, end: m.end)
        let (place, link) = try readPlace(b, default: m.place, link: m.link)
        let (chair, temporary, secretary) = try await people(b, c.database, centre: m.centre, date: date,
                                                             current: (m.chair, m.chairTemporary, m.secretary))
        if date != m.date || start != m.start,
           try await c.database.queryFirst("SELECT id FROM meetings WHERE centre_id = ? AND date = ? AND start_time = ? AND id <> ?",
                                           [.text(m.centre), .text(date), .text(start), .text(m.id)]) != nil {
            throw HubError(.conflict, "The centre already has a meeting at that date and time.", field: "body.date")
        }
        let visible = date != m.date || start != m.start || end != m.end || place != m.place || link != m.link
        let sequence = m.sequence + (visible ? 1 : 0)
        try await c.database.execute("""
            UPDATE meetings SET date = ?, start_time = ?, end_time = ?, place = ?, link = ?, chair = ?, chair_temporary = ?, secretary = ?,
                sequence = ?, item_deadline = ? WHERE id = ?
            """, [.text(date), .text(start), .text(end), .text(place), link.map { .text($0) } ?? .null, chair.map { .text($0) } ?? .null,
                  .integer(temporary ? 1 : 0), secretary.map { .text($0) } ?? .null, .integer(Int64(sequence)),
                  .text(SwedishDate.minus(days: env.settings.itemDeadlineDays, from: date)), .text(m.id)])
        if date != m.date { try await reinvite(c.database, meeting: m.id, centre: m.centre, date: date) }
        let updated = try await MeetingRecord.load(c.database, id: m.id)
        if visible, updated.agendaCirculatedAt != nil {
            try await Circulation.sendInvitations(env, c, updated, method: .request, kind: "update")
        }
        return try await view(env, c.database, updated, actor: actor)
    }

    /// A moved meeting invites the group as it is on the new date: members whose term
    /// covers it are added; those whose term does not are dropped unless they already answered.
    static func reinvite(_ db: any DatabaseExecutor, meeting: String, centre: String, date: String) async throws(HubError) {
        let members = try await Groups.members(db, centre: centre, on: date)
        let current = try await AttendeeRecord.all(db, meeting: meeting)
        let valid = Set(members.map(\.id)), invited = Set(current.map(\.memberID))
        for a in current where !valid.contains(a.memberID) && a.status == "invited" {
            try await db.execute("DELETE FROM attendance WHERE meeting_id = ? AND member_id = ?", [.text(meeting), .text(a.memberID)])
        }
        for m in members where !invited.contains(m.id) {
            try await db.execute("""
                INSERT INTO attendance (meeting_id, member_id, name, title, agency, municipality, email, role, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'invited')
                """, [.text(meeting), .text(m.id), .text(m.name), .text(m.title), .text(m.agency), m.municipality.map { .text($0) } ?? .null,
                      m.email.map { .text($0) } ?? .null, .text(m.role)])
        }
    }

    /// `meetings.cancel {meetingId}`: METHOD:CANCEL with a raised SEQUENCE to everyone invited.
    @Sendable static func cancel(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let (_, _, m) = try await plannedMeeting(env, r, c, refusal: "Only a planned meeting can be cancelled.")
        try await c.database.execute("UPDATE meetings SET status = 'cancelled', sequence = sequence + 1 WHERE id = ?", [.text(m.id)])
        let cancelled = try await MeetingRecord.load(c.database, id: m.id)
        try await Circulation.sendInvitations(env, c, cancelled, method: .cancel, kind: "cancel")
        return .object(cancelled.summary)
    }

    /// `meetings.list {centre?, from?, to?}` → meetings the actor may see, by date.
    @Sendable static func list(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let centre = try b.optionalString("centre", max: 64)
        if let centre { _ = try env.centre(centre) }
        let from = try b.optionalDate("from") ?? "0000-01-01", to = try b.optionalDate("to") ?? "9999-12-31"
        var sql = """
            SELECT \(MeetingRecord.columns.split(separator: ",").map { "m." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", ")),
                   n.status AS minutes_status, n.current_version FROM meetings m JOIN minutes n ON n.meeting_id = m.id
            WHERE m.date >= ? AND m.date <= ?
            """
        var binds: [DatabaseValue] = [.text(from), .text(to)]
        if let centre { sql += " AND m.centre_id = ?"; binds.append(.text(centre)) }
        sql += " ORDER BY m.date, m.start_time"
        var out: [JSONValue] = []
        for row in try await c.database.query(sql, binds) {
            let m = try MeetingRecord(row: row)
            if !actor.seesConfidential(centre: m.centre) {
                guard actor.role == .agency || actor.role == .adapter else { continue }
                let agencies = try await c.database.query("SELECT DISTINCT agency FROM attendance WHERE meeting_id = ?", [.text(m.id)])
                guard !Set(try agencies.map { try $0.string("agency") }).isDisjoint(with: actor.agencies) else { continue }
            }
            var o = m.summary
            o["minutesStatus"] = .string(try row.string("minutes_status"))
            o["minutesVersion"] = .int(try row.int("current_version"))
            out.append(.object(o))
        }
        return .object(["meetings": .array(out)])
    }

    /// `meetings.get {meetingId}` → the meeting, attendees, agenda (and minutes text for the
    /// centre's staff), status reports, action items carried over and the minutes' state.
    @Sendable static func get(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let m = try await MeetingRecord.loadVisible(c.database, id: try b.id("meetingId")!, actor: actor)
        return try await view(env, c.database, m, actor: actor)
    }

    static func view(_ env: MeetingsEnvironment, _ db: any DatabaseExecutor, _ m: MeetingRecord, actor: MeetingActor) async throws(HubError) -> JSONValue {
        let staff = actor.seesConfidential(centre: m.centre)
        var o = m.summary
        o["centreName"] = .string((try? env.centre(m.centre).name) ?? m.centre)
        o["attendees"] = .array(try await AttendeeRecord.all(db, meeting: m.id).map { $0.json(env, withEmail: staff) })
        let items = try await AgendaItemRecord.all(db, meeting: m.id)
        o["agenda"] = .array(items.filter { staff || !$0.confidential }.map { item in
            guard !staff, case .object(var v) = item.json else { return item.json }
            v["text"] = nil; v["decisions"] = nil
            return .object(v)
        })
        o["statusReports"] = .array(try await Agenda.reports(env, db, meeting: m.id).map(\.json))
        o["carriedActions"] = .array(try await Minutes.carriedActions(db, meeting: m).map(\.json))
        o["actions"] = .array(try await db.query(ActionRecord.select + " WHERE a.meeting_id = ? ORDER BY a.created_at", [.text(m.id)])
            .map { r throws(HubError) in try ActionRecord(row: r).json })
        o["upcoming"] = .array(try await Export.upcoming(db, m).map { .object(["date": .string($0.date), "start": .string($0.start), "end": .string($0.end)]) })
        if let row = try await db.queryFirst("SELECT * FROM minutes WHERE meeting_id = ?", [.text(m.id)]) {
            o["minutes"] = .object(["status": .string(try row.string("status")), "version": .int(try row.int("current_version")),
                                    "changedSinceCirculation": .bool(try row.bool("changed_since_circulation")),
                                    "approvedVersion": (try row.optionalInt("approved_version")).map { .int($0) } ?? .null,
                                    "approvedInMeeting": .optional(try row.optionalString("approved_in_meeting")),
                                    "filedAt": .optional(try row.optionalString("filed_at"))])
        }
        // Whether the minutes may go out (the meeting has begun), and the previous minutes this
        // meeting reviews: approvable only when circulated and unchanged since.
        o["started"] = .bool(m.imported || m.hasStarted(at: env.now()))
        if let review = try await db.queryFirst("SELECT review_meeting_id FROM agenda_items WHERE meeting_id = ? AND kind = 'review'", [.text(m.id)]),
           let previous = try review.optionalString("review_meeting_id"),
           let row = try await db.queryFirst("""
               SELECT n.status, n.changed_since_circulation, p.date FROM minutes n JOIN meetings p ON p.id = n.meeting_id WHERE n.meeting_id = ?
               """, [.text(previous)]) {
            let status = try row.string("status"), changed = try row.bool("changed_since_circulation")
            o["previousMinutes"] = .object(["meetingId": .string(previous), "date": .string(try row.string("date")), "status": .string(status),
                                            "approvable": .bool(status == "circulated" && !changed)])
        }
        o["links"] = .array(try await db.query("SELECT id, item_id, title, url FROM links WHERE meeting_id = ? ORDER BY title", [.text(m.id)]).map { l throws(HubError) in
            .object(["id": .string(try l.string("id")), "itemId": .optional(try l.optionalString("item_id")),
                     "title": .string(try l.string("title")), "url": .string(try l.string("url"))])
        })
        o["attachments"] = .array(try await db.query("SELECT id, item_id, filename, content_type, size, sha256 FROM attachments WHERE meeting_id = ? ORDER BY added_at",
                                                     [.text(m.id)]).map { a throws(HubError) in
            .object(["id": .string(try a.string("id")), "itemId": .optional(try a.optionalString("item_id")),
                     "filename": .string(try a.string("filename")), "contentType": .string(try a.string("content_type")),
                     "size": .int(try a.int("size")), "sha256": .string(try a.string("sha256"))])
        })
        return .object(o)
    }

    /// `meetings.attendance.set {meetingId, entries: [{memberId, status}]}`: present / regrets / absent, by the centre's staff.
    @Sendable static func setAttendance(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let m = try await MeetingRecord.load(c.database, id: try b.id("meetingId")!)
        try actor.requireManager(centre: m.centre)
        guard m.status != "cancelled" else { throw HubError(.conflict, "The meeting is cancelled.", field: "body.meetingId") }
        let entries = try b.objects("entries", max: 100)
        guard !entries.isEmpty else { throw HubError(.validation, "Required.", field: "body.entries") }
        let known = Set(try await AttendeeRecord.all(c.database, meeting: m.id).map(\.memberID))
        for e in entries {
            let member = try e.string("memberId", max: 40)
            guard known.contains(member) else { throw HubError(.notFound, "Not a member invited to this meeting.", field: e.field("memberId")) }
            let status = try e.choice("status", ["present", "regrets", "absent"])
            try await c.database.execute("UPDATE attendance SET status = ? WHERE meeting_id = ? AND member_id = ?",
                                         [.text(status), .text(m.id), .text(member)])
        }
        if m.status == "planned", m.date <= env.today {
            try await c.database.execute("UPDATE meetings SET status = 'held' WHERE id = ?", [.text(m.id)])
        }
        return .object(["attendees": .array(try await AttendeeRecord.all(c.database, meeting: m.id).map { $0.json(env, withEmail: true) })])
    }

    /// `meetings.attendance.reply {meetingId, memberId, reply: attending|regrets}` or
    /// `{calendar: <iCalendar METHOD:REPLY>}`: the answer to an invitation, recorded in advance.
    @Sendable static func reply(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        var meetingID: String, memberID: String?, email: String?, answer: String
        if let text = try b.optionalString("calendar", max: 20_000, multiline: true) {
            let parsed = try CalendarReply.parse(text)
            meetingID = parsed.meetingID; email = parsed.email; answer = parsed.reply
        } else {
            meetingID = try b.id("meetingId")!
            memberID = try b.string("memberId", max: 40)
            answer = try b.choice("reply", ["attending", "regrets"])
        }
        let m = try await MeetingRecord.load(c.database, id: meetingID)
        guard m.status == "planned" else { throw HubError(.conflict, "Replies are taken only before a planned meeting.", field: "body.meetingId") }
        let attendees = try await AttendeeRecord.all(c.database, meeting: m.id)
        guard let who = attendees.first(where: { (memberID != nil && $0.memberID == memberID) || (email != nil && $0.email?.lowercased() == email) }) else {
            throw HubError(.notFound, "Not a member invited to this meeting.", field: memberID != nil ? "body.memberId" : "body.calendar")
        }
        guard actor.mayManage(centre: m.centre) || actor.agencies.contains(who.agency) else {
            throw HubError(.forbidden, "You may answer only for your own agency's representative.")
        }
        try await c.database.execute("UPDATE attendance SET status = ?, replied_at = ? WHERE meeting_id = ? AND member_id = ?",
                                     [.text(answer), .text(env.timestamp), .text(m.id), .text(who.memberID)])
        return .object(["meetingId": .string(m.id), "memberId": .string(who.memberID), "status": .string(answer)])
    }

    /// `meetings.attendance.agencies {centre}` → each member agency's attendance over the
    /// held meetings, newest first, with the absences in a row and a flag from
    /// `absenceFlagAfter` on.
    @Sendable static func agencyAttendance(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let centre = try env.centre(try b.string("centre", max: 64)).id
        guard actor.seesConfidential(centre: centre) else { throw HubError(.forbidden, "Only the centre's staff and board see attendance.") }
        let rows = try await c.database.query("""
            SELECT m.id, m.date, a.agency, a.municipality, a.status FROM meetings m JOIN attendance a ON a.meeting_id = m.id
            WHERE m.centre_id = ? AND m.status = 'held' AND a.agency <> 'utvag' ORDER BY m.date DESC
            """, [.text(centre)])
        var meetings: [String] = [], dates: [String: String] = [:]
        var state: [String: [String: String]] = [:] // agency key → meeting → best state
        func rank(_ s: String) -> Int { ["present": 3, "regrets": 2, "attending": 1].first { $0.key == s }?.value ?? 0 }
        for row in rows {
            let id = try row.string("id")
            if dates[id] == nil { meetings.append(id); dates[id] = try row.string("date") }
            let agency = try row.string("agency"), muni = try row.optionalString("municipality")
            let key = muni.map { "\(agency):\($0)" } ?? agency
            let s = try row.string("status")
            let prior = state[key, default: [:]][id]
            if prior == nil || rank(s) > rank(prior!) { state[key, default: [:]][id] = s }
        }
        var out: [JSONValue] = []
        for key in state.keys.sorted() {
            let history = meetings.compactMap { id -> (String, String)? in state[key]?[id].map { (id, $0 == "present" ? "present" : ($0 == "regrets" ? "regrets" : "absent")) } }
            let inARow = history.prefix { $0.1 != "present" }.count
            let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
            out.append(.object([
                "agency": .string(parts[0]), "municipality": parts.count > 1 ? .string(parts[1]) : .null,
                "agencyName": .string(parts.count > 1 ? "\(parts[1]) kommun" : env.agencyName(parts[0])),
                "meetings": .array(history.map { .object(["meetingId": .string($0.0), "date": .string(dates[$0.0] ?? ""), "status": .string($0.1)]) }),
                "absentInARow": .int(inARow), "flagged": .bool(inARow >= env.settings.absenceFlagAfter),
            ]))
        }
        return .object(["centre": .string(centre), "flagAfter": .int(env.settings.absenceFlagAfter), "agencies": .array(out)])
    }
}

/// An iCalendar METHOD:REPLY as calendar programs send it: UID, ATTENDEE with PARTSTAT.
enum CalendarReply {
    static func parse(_ text: String) throws(HubError) -> (meetingID: String, email: String, reply: String) {
        // Unfold continuation lines first (RFC 5545 §3.1).
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "").replacingOccurrences(of: "\n ", with: "")
        var uid: String?, email: String?, status: String?, isReply = false
        for raw in unfolded.split(whereSeparator: \.isNewline) {
            let line = String(raw)
            if line.uppercased() == "METHOD:REPLY" { isReply = true }
            if line.uppercased().hasPrefix("UID:") { uid = String(line.dropFirst(4)) }
            if line.uppercased().hasPrefix("ATTENDEE"), let colon = line.range(of: ":mailto:", options: .caseInsensitive) {
                email = String(line[colon.upperBound...]).lowercased()
                let params = line[..<colon.lowerBound].uppercased()
                if params.contains("PARTSTAT=ACCEPTED") || params.contains("PARTSTAT=TENTATIVE") { status = "attending" }
                if params.contains("PARTSTAT=DECLINED") { status = "regrets" }
            }
        }
        guard isReply else { throw HubError(.validation, "Not an iCalendar reply (METHOD:REPLY).", field: "body.calendar") }
        guard let uid, uid.hasPrefix("meeting-"), uid.hasSuffix("@utvag-hub") else {
            throw HubError(.validation, "The reply names no meeting of this hub (UID).", field: "body.calendar")
        }
        guard let email, let status else { throw HubError(.validation, "The reply has no attendee with an answer (PARTSTAT).", field: "body.calendar") }
        return (String(uid.dropFirst("meeting-".count).dropLast("@utvag-hub".count)), email, status)
    }
}
