import Foundation
import HubBus
import HubCore
import HubProtocol
import HubStorage
import MeetingsAPI

/// Meetings: creation from the centre's template (with a series of later dates),
/// changes (which raise the iCalendar SEQUENCE), cancellation, attendance and replies.
enum Meetings {
    static let attendanceStates = ["invited", "attending", "present", "regrets", "absent"]

    struct Plan {
        var date: String, start: String, end: String, place: String, link: String?
        var chair: String?, chairTemporary: Bool, secretary: String?
    }

    /// Reads chair and secretary: a member id of this centre's group on the date, or a temporary chair's name.
    static func people(_ body: BodyReader, _ db: any DatabaseExecutor, centre: String, date: String,
                       current: (chair: String?, temporary: Bool, secretary: String?)) async throws(HubError) -> (String?, Bool, String?) {
        let members = try await MeetingStore(db).members(centre: centre, on: date)
        func named(_ key: String) throws(HubError) -> String? {
            guard let id = try body.optionalString(key, max: 40) else { return nil }
            guard let m = members.first(where: { $0.id == id }) else {
                throw HubError(.validation, "Not a member of this centre's management group on the meeting's date.", field: body.field(key))
            }
            return m.name
        }
        var chair = current.chair, temporary = current.temporary, secretary = current.secretary
        if let c = try named("chairMemberId") { chair = c; temporary = false }
        if let t = try body.optionalString("temporaryChair", max: 120) { chair = t; temporary = true }
        if let s = try named("secretaryMemberId") { secretary = s }
        if chair == nil { chair = members.first { $0.role == "chair" }?.name }
        if secretary == nil { secretary = members.first { $0.role == "secretary" }?.name }
        return (chair, temporary, secretary)
    }

    static func readPlace(_ body: BodyReader, default d: String, link current: String?) throws(HubError) -> (String, String?) {
        let place = try body.optionalString("place", max: 200) ?? d
        var link = current
        if body.has("link") {
            link = try body.optionalString("link", max: 500)
            if let l = link, !(l.hasPrefix("https://") && l.count > 8 && !l.contains(" ")) {
                throw HubError(.validation, "A meeting link is an https:// address.", field: "body.link")
            }
        }
        return (place, link)
    }

    static func times(_ body: BodyReader, start: String, end: String) throws(HubError) -> (String, String) {
        let s = try body.optionalTime("start") ?? start, e = try body.optionalTime("end") ?? end
        guard e > s else { throw HubError(.validation, "The meeting must end after it starts.", field: "body.end") }
        return (s, e)
    }

    /// `meetings.create {centre, date, start?, end?, place?, link?, chairMemberId? | temporaryChair?,
    /// secretaryMemberId?, series?: [date]}` → the meeting (and one per series date) with its agenda.
    @Sendable static func create(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> MeetingCreate.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let centre = try env.centre(try body.string("centre", max: 64))
        try actor.requireManager(centre: centre.id)
        let date = try body.date("date")
        let (start, end) = try times(body, start: centre.managementGroup.defaultStart, end: centre.managementGroup.defaultEnd)
        let (place, link) = try readPlace(body, default: centre.managementGroup.defaultPlace, link: nil)
        let series = try body.strings("series", max: 12, maxLength: 10)
        for (i, d) in series.enumerated() {
            guard LocalTime.isDate(d) else { throw HubError(.validation, "Not a date that exists (YYYY-MM-DD).", field: "body.series[\(i)]") }
            guard d > date else { throw HubError(.validation, "A later date in the series must come after the meeting's date.", field: "body.series[\(i)]") }
        }
        guard Set(series).count == series.count else { throw HubError(.validation, "A date is listed twice.", field: "body.series") }
        let (chair, temporary, secretary) = try await people(body, context.database, centre: centre.id, date: date, current: (nil, false, nil))
        let seriesID = series.isEmpty ? nil : Ids.make()
        var ids: [String] = []
        for d in [date] + series {
            let plan = Plan(date: d, start: start, end: end, place: place, link: link, chair: d == date ? chair : nil,
                            chairTemporary: d == date && temporary, secretary: secretary)
            ids.append(try await insert(env, context.database, centre: centre.id, plan: plan, seriesID: seriesID, actor: actor.who,
                                        field: d == date ? "body.date" : "body.series"))
        }
        var result = try await view(env, context.database, try await MeetingStore(context.database).meeting(ids[0]), actor: actor)
        result.series = Array(ids.dropFirst())
        return result
    }

    /// Stores one planned meeting with its attendees (the group on that date), its agenda
    /// from the template and empty draft minutes.
    static func insert(_ env: MeetingsEnvironment, _ db: any DatabaseExecutor, centre: String, plan: Plan, seriesID: String?,
                       actor: String, imported: Bool = false, field: String = "body.date") async throws(HubError) -> String {
        let store = MeetingStore(db)
        if try await store.hasMeeting(centre: centre, date: plan.date, start: plan.start) {
            throw HubError(.conflict, "The centre already has a meeting at that date and time.", field: field)
        }
        let id = Ids.make(), now = env.timestamp
        try await store.insertMeeting(id: id, centre: centre, plan: plan,
                                      itemDeadline: SwedishDate.minus(days: env.settings.itemDeadlineDays, from: plan.date),
                                      seriesID: seriesID, imported: imported, at: now, by: actor)
        if imported { return id }
        try await reinvite(db, meeting: id, centre: centre, date: plan.date)
        // The review item points at the last earlier meeting whose minutes are not yet approved.
        let previous = try await store.previousMeeting(centre: centre, before: plan.date)
        for (i, item) in env.templates.items(for: centre).enumerated() {
            var title = item.sv, review: String? = nil
            if item.kind == "review", let previous {
                review = previous.id
                title += " från \(SwedishDate.long(previous.date))"
            }
            try await store.insertAgendaItem(id: Ids.make(), meeting: id, position: (i + 1) * 10, kind: item.kind, title: title,
                                             reviewMeetingID: review, at: now)
        }
        return id
    }

    /// The actor, the body and a planned meeting of a centre the actor manages (what changes to a planned meeting share).
    static func plannedMeeting(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext,
                               refusal: String) async throws -> (MeetingActor, BodyReader, MeetingRecord) {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let m = try await MeetingStore(context.database).meeting(try body.id("meetingId")!)
        try actor.requireManager(centre: m.centre)
        guard m.status == "planned" else { throw HubError(.conflict, refusal, field: "body.meetingId") }
        return (actor, body, m)
    }

    /// `meetings.update {meetingId, date?, start?, end?, place?, link?, chairMemberId?, temporaryChair?, secretaryMemberId?}`.
    /// A change of date, time or place raises SEQUENCE and, once the agenda went out, sends the updated invitation.
    @Sendable static func update(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> MeetingUpdate.Reply {
        let (actor, body, m) = try await plannedMeeting(env, request, context, refusal: "Only a planned meeting can be changed.")
        let date = try body.optionalDate("date") ?? m.date
        let (start, end) = try times(body, start: m.start, end: m.end)
        let (place, link) = try readPlace(body, default: m.place, link: m.link)
        let (chair, temporary, secretary) = try await people(body, context.database, centre: m.centre, date: date,
                                                             current: (m.chair, m.chairTemporary, m.secretary))
        let store = MeetingStore(context.database)
        if date != m.date || start != m.start, try await store.hasMeeting(centre: m.centre, date: date, start: start, excluding: m.id) {
            throw HubError(.conflict, "The centre already has a meeting at that date and time.", field: "body.date")
        }
        let visible = date != m.date || start != m.start || end != m.end || place != m.place || link != m.link
        let plan = Plan(date: date, start: start, end: end, place: place, link: link, chair: chair, chairTemporary: temporary, secretary: secretary)
        try await store.updateMeeting(m.id, plan: plan, sequence: m.sequence + (visible ? 1 : 0),
                                      itemDeadline: SwedishDate.minus(days: env.settings.itemDeadlineDays, from: date))
        if date != m.date { try await reinvite(context.database, meeting: m.id, centre: m.centre, date: date) }
        let updated = try await store.meeting(m.id)
        if visible, updated.agendaCirculatedAt != nil {
            try await Circulation.sendInvitations(env, context, updated, method: .request, kind: "update")
        }
        return try await view(env, context.database, updated, actor: actor)
    }

    /// A moved meeting invites the group as it is on the new date: members whose term
    /// covers it are added; those whose term does not are dropped unless they already answered.
    static func reinvite(_ db: any DatabaseExecutor, meeting: String, centre: String, date: String) async throws(HubError) {
        let members = try await MeetingStore(db).members(centre: centre, on: date)
        let store = MeetingStore(db)
        let current = try await store.attendees(meeting: meeting)
        let valid = Set(members.map(\.id)), invited = Set(current.map(\.memberID))
        for a in current where !valid.contains(a.memberID) && a.status == "invited" {
            try await store.uninvite(member: a.memberID, from: meeting)
        }
        for m in members where !invited.contains(m.id) {
            try await store.invite(m, to: meeting)
        }
    }

    /// `meetings.cancel {meetingId}`: METHOD:CANCEL with a raised SEQUENCE to everyone invited.
    @Sendable static func cancel(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> MeetingCancel.Reply {
        let (_, _, m) = try await plannedMeeting(env, request, context, refusal: "Only a planned meeting can be cancelled.")
        let store = MeetingStore(context.database)
        try await store.cancelMeeting(m.id)
        let cancelled = try await store.meeting(m.id)
        try await Circulation.sendInvitations(env, context, cancelled, method: .cancel, kind: "cancel")
        return cancelled.summary
    }

    /// `meetings.list {centre?, from?, to?}` → meetings the actor may see, by date.
    @Sendable static func list(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> MeetingList.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let centre = try body.optionalString("centre", max: 64)
        if let centre { _ = try env.centre(centre) }
        let from = try body.optionalDate("from") ?? "0000-01-01", to = try body.optionalDate("to") ?? "9999-12-31"
        let store = MeetingStore(context.database)
        var out: [ListedMeeting] = []
        for listed in try await store.meetings(from: from, to: to, centre: centre) {
            let m = listed.meeting
            if !actor.seesConfidential(centre: m.centre) {
                guard actor.role == .agency || actor.role == .adapter,
                      try await !store.invitedAgencies(meeting: m.id).isDisjoint(with: actor.agencies) else { continue }
            }
            out.append(ListedMeeting(meeting: m.summary, minutesStatus: listed.minutesStatus, minutesVersion: listed.minutesVersion))
        }
        return MeetingList.Reply(meetings: out)
    }

    /// `meetings.get {meetingId}` → the meeting, attendees, agenda (and minutes text for the
    /// centre's staff), status reports, action items carried over and the minutes' state.
    @Sendable static func get(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> MeetingGet.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let m = try await MeetingStore(context.database).visibleMeeting(try body.id("meetingId")!, actor: actor)
        return try await view(env, context.database, m, actor: actor)
    }

    static func view(_ env: MeetingsEnvironment, _ db: any DatabaseExecutor, _ m: MeetingRecord, actor: MeetingActor) async throws(HubError) -> MeetingDetail {
        let staff = actor.seesConfidential(centre: m.centre)
        let store = MeetingStore(db)
        let minutes = try await store.minutesState(meeting: m.id).map { minutes in
            MinutesState(status: minutes.status, version: minutes.version, changedSinceCirculation: minutes.changedSinceCirculation,
                         approvedVersion: minutes.approvedVersion, approvedInMeeting: minutes.approvedInMeeting, filedAt: minutes.filedAt)
        }
        // The previous minutes this meeting reviews: approvable only when circulated and unchanged since.
        let previous = try await store.reviewedMinutes(of: m.id).map { previous in
            PreviousMinutes(meetingId: previous.meetingID, date: previous.date, status: previous.status,
                            approvable: previous.status == "circulated" && !previous.changed)
        }
        return MeetingDetail(
            meeting: m.summary, centreName: (try? env.centre(m.centre).name) ?? m.centre,
            attendees: try await store.attendees(meeting: m.id).map { $0.contract(env, withEmail: staff) },
            agenda: try await store.agenda(meeting: m.id).filter { staff || !$0.confidential }.map { staff ? $0.contract : $0.contract.withoutMinutes() },
            statusReports: try await Agenda.reports(env, db, meeting: m.id).map(\.contract),
            carriedActions: try await Minutes.carriedActions(db, meeting: m).map(\.contract),
            actions: try await store.actions(decidedAt: m.id).map(\.contract),
            upcoming: try await Export.upcoming(db, m).map { MeetingTime(date: $0.date, start: $0.start, end: $0.end) },
            minutes: minutes,
            // Whether the minutes may go out (the meeting has begun).
            started: m.imported || m.hasStarted(at: env.now()),
            previousMinutes: previous,
            links: try await store.links(meeting: m.id).map { MeetingLink(id: $0.id, itemId: $0.itemID, title: $0.title, url: $0.url) },
            attachments: try await store.attachments(meeting: m.id).map { file in
                AttachmentInfo(id: file.id, itemId: file.itemID, filename: file.filename, contentType: file.contentType, size: file.size, sha256: file.sha256)
            })
    }

    /// `meetings.attendance.set {meetingId, entries: [{memberId, status}]}`: present / regrets / absent, by the centre's staff.
    @Sendable static func setAttendance(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> AttendanceSet.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let store = MeetingStore(context.database)
        let m = try await store.meeting(try body.id("meetingId")!)
        try actor.requireManager(centre: m.centre)
        guard m.status != "cancelled" else { throw HubError(.conflict, "The meeting is cancelled.", field: "body.meetingId") }
        let entries = try body.objects("entries", max: 100)
        guard !entries.isEmpty else { throw HubError(.validation, "Required.", field: "body.entries") }
        let known = Set(try await store.attendees(meeting: m.id).map(\.memberID))
        for e in entries {
            let member = try e.string("memberId", max: 40)
            guard known.contains(member) else { throw HubError(.conflict, "Not a member invited to this meeting.", field: e.field("memberId")) }
            let status = try e.choice("status", ["present", "regrets", "absent"])
            try await store.setAttendance(meeting: m.id, member: member, status: status)
        }
        if m.status == "planned", m.date <= env.today {
            try await store.markHeld(m.id)
        }
        return AttendanceSet.Reply(attendees: try await store.attendees(meeting: m.id).map { $0.contract(env, withEmail: true) })
    }

    /// `meetings.attendance.reply {meetingId, memberId, reply: attending|regrets}` or
    /// `{calendar: <iCalendar METHOD:REPLY>}`: the answer to an invitation, recorded in advance.
    @Sendable static func reply(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> AttendanceReply.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        var meetingID: String, memberID: String?, email: String?, answer: String
        if let text = try body.optionalString("calendar", max: 20_000, multiline: true) {
            let parsed = try CalendarReply.parse(text)
            meetingID = parsed.meetingID; email = parsed.email; answer = parsed.reply
        } else {
            meetingID = try body.id("meetingId")!
            memberID = try body.string("memberId", max: 40)
            answer = try body.choice("reply", ["attending", "regrets"])
        }
        let store = MeetingStore(context.database)
        let m = try await store.meeting(meetingID)
        guard m.status == "planned" else { throw HubError(.conflict, "Replies are taken only before a planned meeting.", field: "body.meetingId") }
        let attendees = try await store.attendees(meeting: m.id)
        guard let who = attendees.first(where: { (memberID != nil && $0.memberID == memberID) || (email != nil && $0.email?.lowercased() == email) }) else {
            // The invitation list decides (409); a 404 would read as "no such meeting", which exists.
            throw HubError(.conflict, "Not a member invited to this meeting.", field: memberID != nil ? "body.memberId" : "body.calendar")
        }
        guard actor.mayManage(centre: m.centre) || actor.agencies.contains(who.agency) else {
            throw HubError(.forbidden, "You may answer only for your own agency's representative.")
        }
        try await store.setAttendance(meeting: m.id, member: who.memberID, status: answer, repliedAt: env.timestamp)
        return AttendanceReply.Reply(meetingId: m.id, memberId: who.memberID, status: answer)
    }

    /// `meetings.attendance.agencies {centre}` → each member agency's attendance over the
    /// held meetings, newest first, with the absences in a row and a flag from
    /// `absenceFlagAfter` on.
    @Sendable static func agencyAttendance(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> AttendanceAgencies.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let centre = try env.centre(try body.string("centre", max: 64)).id
        guard actor.seesConfidential(centre: centre) else { throw HubError(.forbidden, "Only the centre's staff and board see attendance.") }
        let rows = try await MeetingStore(context.database).heldAttendance(centre: centre)
        var meetings: [String] = [], dates: [String: String] = [:]
        var state: [String: [String: String]] = [:] // agency key → meeting → best state
        func rank(_ s: String) -> Int { ["present": 3, "regrets": 2, "attending": 1].first { $0.key == s }?.value ?? 0 }
        for row in rows {
            let id = row.meetingID
            if dates[id] == nil { meetings.append(id); dates[id] = row.date }
            let key = row.municipality.map { "\(row.agency):\($0)" } ?? row.agency
            let s = row.status
            let prior = state[key, default: [:]][id]
            if prior == nil || rank(s) > rank(prior!) { state[key, default: [:]][id] = s }
        }
        var out: [AttendanceAgencies.Agency] = []
        for key in state.keys.sorted() {
            let history = meetings.compactMap { id -> (String, String)? in state[key]?[id].map { (id, $0 == "present" ? "present" : ($0 == "regrets" ? "regrets" : "absent")) } }
            let inARow = history.prefix { $0.1 != "present" }.count
            let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
            out.append(AttendanceAgencies.Agency(
                agency: parts[0], municipality: parts.count > 1 ? parts[1] : nil,
                agencyName: parts.count > 1 ? "\(parts[1]) kommun" : env.agencyName(parts[0]),
                meetings: history.map { AttendanceAgencies.Held(meetingId: $0.0, date: dates[$0.0] ?? "", status: $0.1) },
                absentInARow: inARow, flagged: inARow >= env.settings.absenceFlagAfter))
        }
        return AttendanceAgencies.Reply(centre: centre, flagAfter: env.settings.absenceFlagAfter, agencies: out)
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
