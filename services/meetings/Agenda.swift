import HubBus
import HubCore
import HubProtocol
import HubStorage
import MeetingsAPI

/// The agenda: items members add before the deadline, and the agencies' status reports
/// that make up the status-round item.
enum Agenda {
    static let deadlinePassed = MeetingsError.deadlinePassed

    /// `meetings.agenda.add {meetingId, title, agency?, confidential?}`: a member agency's
    /// (or the staff's) item of the day, placed before the status round; only until the deadline.
    @Sendable static func add(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> AgendaAdd.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let store = MeetingStore(context.database)
        let m = try await store.visibleMeeting(try body.id("meetingId")!, actor: actor)
        let title = try body.string("title", max: 200)
        let confidential = try body.optionalBool("confidential") ?? false
        let agency = try await memberAgency(body, context.database, actor: actor, meeting: m, required: false)
        guard m.status == "planned" else { throw HubError(.conflict, "Items can be added only to a planned meeting.", field: "body.meetingId") }
        guard env.today <= m.itemDeadline else {
            throw HubError(deadlinePassed, "The deadline for agenda items was \(m.itemDeadline).", field: "body.meetingId")
        }
        let items = try await store.agenda(meeting: m.id)
        let before = items.first { $0.kind == "status-round" || $0.kind == "other" || $0.kind == "upcoming" }?.position ?? ((items.last?.position ?? 0) + 10)
        let id = Ids.make()
        try await store.insertDayItem(id: id, meeting: m.id, position: before, title: title, confidential: confidential,
                                      addedBy: actor.who, agency: agency?.agency, at: env.timestamp)
        try await store.markMinutesChanged(meeting: m.id)
        return AgendaAdd.Reply(id: id, position: before)
    }

    /// The agency (and municipality) an actor speaks for at this meeting; it must be a member agency.
    static func memberAgency(_ body: BodyReader, _ db: any DatabaseExecutor, actor: MeetingActor, meeting m: MeetingRecord,
                             required: Bool) async throws(HubError) -> (agency: String, municipality: String)? {
        var agency = try body.optionalString("agency", max: 64)
        let municipality = try body.optionalString("municipality", max: 64)
        if agency == nil, actor.agencies.count == 1 { agency = actor.agencies.first }
        guard let agency else {
            if required { throw HubError(.validation, "Required: the agency reporting.", field: "body.agency") }
            return nil
        }
        if !actor.mayManage(centre: m.centre) {
            guard actor.agencies.contains(agency) else { throw HubError(.forbidden, "You may speak only for your own agency.", field: "body.agency") }
        }
        let attendees = try await MeetingStore(db).attendees(meeting: m.id)
        let members = attendees.filter { $0.agency == agency && (municipality == nil || $0.municipality == municipality) }
        guard let first = members.first else {
            // The management group decides (409); a 404 would read as "no such meeting", which exists.
            throw HubError(.conflict, "That agency is not a member of this centre's management group.", field: "body.agency")
        }
        return (agency, municipality ?? first.municipality ?? "")
    }

    /// `meetings.status-report.submit {meetingId, agency?, municipality?, text}`: a member
    /// agency's report for the status round, through its adapter or the web. A second
    /// report from the same agency replaces the first until the minutes are circulated.
    @Sendable static func submitStatusReport(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> StatusReportSubmit.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let store = MeetingStore(context.database)
        let m = try await store.meeting(try body.id("meetingId")!)
        let text = try body.string("text", max: env.settings.maxTextChars, multiline: true)
        guard let speaker = try await memberAgency(body, context.database, actor: actor, meeting: m, required: true) else {
            throw HubError(.validation, "Required: the agency reporting.", field: "body.agency")
        }
        let (agency, municipality) = speaker
        guard m.status != "cancelled" else { throw HubError(.conflict, "The meeting is cancelled.", field: "body.meetingId") }
        try await Minutes.requireEditable(context.database, meeting: m.id)
        try await store.saveStatusReport(meeting: m.id, agency: agency, municipality: municipality, text: text, by: actor.who, at: env.timestamp)
        try await store.markMinutesChanged(meeting: m.id)
        if let item = try await store.agendaItemID(meeting: m.id, kind: "status-round") {
            try await Search.reindex(context.database, meeting: m.id, item: item)
        }
        context.events.emit("agenda.status-report", ["meetingId": .string(m.id), "centre": .string(m.centre), "agency": .string(agency)])
        return StatusReportSubmit.Reply(meetingId: m.id, agency: agency, municipality: municipality.isEmpty ? nil : municipality,
                                        submittedAt: env.timestamp)
    }

    /// `meetings.status-report.pending {}` → the planned meetings where the caller's agencies
    /// are members and have not yet reported (what an adapter asks before it sends).
    @Sendable static func pendingStatusReports(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> StatusReportPending.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        guard !actor.agencies.isEmpty else { throw HubError(.forbidden, "Only agencies report.") }
        let store = MeetingStore(context.database)
        var out: [StatusReportPending.Seat] = []
        for seat in try await store.seatsAtPlannedMeetings(from: env.today) where actor.agencies.contains(seat.agency) {
            guard try await !store.hasStatusReport(meeting: seat.meetingID, agency: seat.agency, municipality: seat.municipality) else { continue }
            out.append(StatusReportPending.Seat(meetingId: seat.meetingID, centre: seat.centre, date: seat.date, start: seat.start,
                                                agency: seat.agency, municipality: seat.municipality.isEmpty ? nil : seat.municipality))
        }
        return StatusReportPending.Reply(pending: out)
    }

    struct Report: Sendable {
        var agency: String, municipality: String, name: String, text: String, submittedAt: String
        var contract: StatusReport {
            StatusReport(agency: agency, municipality: municipality.isEmpty ? nil : municipality, agencyName: name, text: text, submittedAt: submittedAt)
        }
    }

    static func reports(_ env: MeetingsEnvironment, _ db: any DatabaseExecutor, meeting: String) async throws(HubError) -> [Report] {
        try await MeetingStore(db).statusReports(meeting: meeting).map { stored in
            Report(agency: stored.agency, municipality: stored.municipality,
                   name: stored.agency == "social-services" && !stored.municipality.isEmpty ? "\(stored.municipality) kommun" : env.agencyName(stored.agency),
                   text: stored.text, submittedAt: stored.submittedAt)
        }
    }
}
