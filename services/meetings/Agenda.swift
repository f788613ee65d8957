import HubBus
import HubCore
import HubProtocol
import HubStorage

/// The agenda: items members add before the deadline, and the agencies' status reports
/// that make up the status-round item.
enum Agenda {
    static let deadlinePassed = HubError.Code("deadline_passed")

    /// `meetings.agenda.add {meetingId, title, agency?, confidential?}`: a member agency's
    /// (or the staff's) item of the day, placed before the status round; only until the deadline.
    @Sendable static func add(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let m = try await MeetingRecord.loadVisible(c.database, id: try b.id("meetingId")!, actor: actor)
        let title = try b.string("title", max: 200)
        let confidential = try b.optionalBool("confidential") ?? false
        let agency = try await memberAgency(b, c.database, actor: actor, meeting: m, required: false)
        guard m.status == "planned" else { throw HubError(.conflict, "Items can be added only to a planned meeting.", field: "body.meetingId") }
        guard env.today <= m.itemDeadline else {
            throw HubError(deadlinePassed, "The deadline for agenda items was \(m.itemDeadline).", field: "body.meetingId")
        }
        let items = try await AgendaItemRecord.all(c.database, meeting: m.id)
        let before = items.first { $0.kind == "status-round" || $0.kind == "other" || $0.kind == "upcoming" }?.position ?? ((items.last?.position ?? 0) + 10)
        try await c.database.execute("UPDATE agenda_items SET position = position + 10 WHERE meeting_id = ? AND position >= ?",
                                     [.text(m.id), .integer(Int64(before))])
        let id = Ids.make()
        try await c.database.execute("""
            INSERT INTO agenda_items (id, meeting_id, position, kind, title, confidential, added_by, agency, created_at)
            VALUES (?, ?, ?, 'day', ?, ?, ?, ?, ?)
            """, [.text(id), .text(m.id), .integer(Int64(before)), .text(title), .integer(confidential ? 1 : 0), .text(actor.who),
                  agency.map { .text($0.agency) } ?? .null, .text(env.timestamp)])
        try await c.database.execute("UPDATE minutes SET changed_since_circulation = 1 WHERE meeting_id = ? AND status = 'circulated'", [.text(m.id)])
        return .object(["id": .string(id), "position": .int(before)])
    }

    /// The agency (and municipality) an actor speaks for at this meeting; it must be a member agency.
    static func memberAgency(_ b: BodyReader, _ db: any DatabaseExecutor, actor: MeetingActor, meeting m: MeetingRecord,
                             required: Bool) async throws(HubError) -> (agency: String, municipality: String)? {
        var agency = try b.optionalString("agency", max: 64)
        let municipality = try b.optionalString("municipality", max: 64)
        if agency == nil, actor.agencies.count == 1 { agency = actor.agencies.first }
        guard let agency else {
            if required { throw HubError(.validation, "Required: the agency reporting.", field: "body.agency") }
            return nil
        }
        if !actor.mayManage(centre: m.centre) {
            guard actor.agencies.contains(agency) else { throw HubError(.forbidden, "You may speak only for your own agency.", field: "body.agency") }
        }
        let attendees = try await AttendeeRecord.all(db, meeting: m.id)
        let members = attendees.filter { $0.agency == agency && (municipality == nil || $0.municipality == municipality) }
        guard let first = members.first else {
            throw HubError(.notFound, "That agency is not a member of this centre's management group.", field: "body.agency")
        }
        return (agency, municipality ?? first.municipality ?? "")
    }

    /// `meetings.status-report.submit {meetingId, agency?, municipality?, text}`: a member
    /// agency's report for the status round, through its adapter or the web. A second
    /// report from the same agency replaces the first until the minutes are circulated.
    @Sendable static func submitStatusReport(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        let b = try BodyReader(r.body)
        let m = try await MeetingRecord.load(c.database, id: try b.id("meetingId")!)
        let text = try b.string("text", max: env.settings.maxTextChars, multiline: true)
        guard let speaker = try await memberAgency(b, c.database, actor: actor, meeting: m, required: true) else {
            throw HubError(.validation, "Required: the agency reporting.", field: "body.agency")
        }
        let (agency, municipality) = speaker
        guard m.status != "cancelled" else { throw HubError(.conflict, "The meeting is cancelled.", field: "body.meetingId") }
        try await Minutes.requireEditable(c.database, meeting: m.id)
        try await c.database.execute("""
            INSERT INTO status_reports (meeting_id, agency, municipality, text, submitted_by, submitted_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (meeting_id, agency, municipality) DO UPDATE SET text = excluded.text, submitted_by = excluded.submitted_by,
                submitted_at = excluded.submitted_at
            """, [.text(m.id), .text(agency), .text(municipality), .text(text), .text(actor.who), .text(env.timestamp)])
        try await c.database.execute("UPDATE minutes SET changed_since_circulation = 1 WHERE meeting_id = ? AND status = 'circulated'", [.text(m.id)])
        if let item = try await c.database.queryFirst("SELECT id FROM agenda_items WHERE meeting_id = ? AND kind = 'status-round'", [.text(m.id)]) {
            try await Search.reindex(c.database, meeting: m.id, item: try item.string("id"))
        }
        c.events.emit("agenda.status-report", ["meetingId": .string(m.id), "centre": .string(m.centre), "agency": .string(agency)])
        return .object(["meetingId": .string(m.id), "agency": .string(agency), "municipality": municipality.isEmpty ? .null : .string(municipality),
                        "submittedAt": .string(env.timestamp)])
    }

    /// `meetings.status-report.pending {}` → the planned meetings where the caller's agencies
    /// are members and have not yet reported (what an adapter asks before it sends).
    @Sendable static func pendingStatusReports(_ env: MeetingsEnvironment, _ r: ServiceRequest, _ c: ServiceContext) async throws -> JSONValue {
        let actor = try Caller.from(r, reference: env.reference, service: "meetings")
        guard !actor.agencies.isEmpty else { throw HubError(.forbidden, "Only agencies report.") }
        let rows = try await c.database.query("""
            SELECT DISTINCT m.id, m.centre_id, m.date, m.start_time, a.agency, a.municipality FROM meetings m JOIN attendance a ON a.meeting_id = m.id
            WHERE m.status = 'planned' AND m.date >= ? AND a.agency <> 'utvag' ORDER BY m.date
            """, [.text(env.today)])
        var out: [JSONValue] = []
        for row in rows {
            let agency = try row.string("agency")
            guard actor.agencies.contains(agency) else { continue }
            let muni = try row.optionalString("municipality") ?? ""
            let done = try await c.database.queryFirst("SELECT 1 AS x FROM status_reports WHERE meeting_id = ? AND agency = ? AND municipality = ?",
                                                       [.text(try row.string("id")), .text(agency), .text(muni)])
            guard done == nil else { continue }
            out.append(.object(["meetingId": .string(try row.string("id")), "centre": .string(try row.string("centre_id")),
                                "date": .string(try row.string("date")), "start": .string(try row.string("start_time")),
                                "agency": .string(agency), "municipality": muni.isEmpty ? .null : .string(muni)]))
        }
        return .object(["pending": .array(out)])
    }

    struct Report: Sendable {
        var agency: String, municipality: String, name: String, text: String, submittedAt: String
        var json: JSONValue {
            .object(["agency": .string(agency), "municipality": municipality.isEmpty ? .null : .string(municipality),
                     "agencyName": .string(name), "text": .string(text), "submittedAt": .string(submittedAt)])
        }
    }

    static func reports(_ env: MeetingsEnvironment, _ db: any DatabaseExecutor, meeting: String) async throws(HubError) -> [Report] {
        try await db.query("SELECT agency, municipality, text, submitted_at FROM status_reports WHERE meeting_id = ? ORDER BY agency, municipality",
                           [.text(meeting)]).map { row throws(HubError) in
            let agency = try row.string("agency"), muni = try row.string("municipality")
            return Report(agency: agency, municipality: muni,
                          name: agency == "social-services" && !muni.isEmpty ? "\(muni) kommun" : env.agencyName(agency),
                          text: try row.string("text"), submittedAt: try row.string("submitted_at"))
        }
    }
}
