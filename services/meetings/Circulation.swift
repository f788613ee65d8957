import Foundation
import HubBus
import HubCore
import HubMail
import HubProtocol
import HubStorage
import MeetingsAPI

/// Circulation: agendas and minutes to every member agency's adapter
/// (`agency.<adapter>.meeting.agenda`, `agency.<adapter>.minutes`) and to every member by
/// e-mail with an iCalendar invitation. Mail is written to an outbox in the same
/// transaction as the change and sent by `meetings.mail.flush` through the SMTP relay,
/// so nothing is mailed for a change that was rolled back.
enum Circulation {
    /// The distinct adapters of the agencies that have a member at the meeting.
    static func adapters(_ env: MeetingsEnvironment, _ attendees: [AttendeeRecord]) -> [String] {
        Array(Set(attendees.compactMap { env.adapter(of: $0.agency) })).sorted()
    }

    static func calendarEvent(_ env: MeetingsEnvironment, _ m: MeetingRecord, _ attendees: [AttendeeRecord], description: String) -> ICalendar.Event {
        let name = (try? env.centre(m.centre).name) ?? m.centre
        return ICalendar.Event(
            uid: "meeting-\(m.id)@utvag-hub", sequence: m.sequence,
            start: .init(date: m.date, time: m.start), end: .init(date: m.date, time: m.end),
            summary: "Ledningsgruppsmöte \(name)", description: description, location: m.place, url: m.link,
            organizer: .init(email: env.settings.smtp.from, name: m.secretary ?? name),
            attendees: attendees.compactMap { a in
                a.email.map { ICalendar.Person(email: $0, name: a.name, role: a.role == "chair" ? "CHAIR" : "REQ-PARTICIPANT", rsvp: true) }
            },
            stamp: env.now())
    }

    /// The meetings service's mail queue (its table names the reference column `meeting_id`).
    static let outbox = MailOutbox(table: "mail_outbox", refColumn: "meeting_id")

    /// Queues one mail per attendee with an address.
    static func queueMail(_ env: MeetingsEnvironment, _ db: any DatabaseExecutor, _ m: MeetingRecord, _ attendees: [AttendeeRecord], kind: String,
                          subject: String, body: String, calendar: String?, method: ICalendar.Method?) async throws(HubError) -> Int {
        var n = 0
        for a in attendees {
            guard let to = a.email else { continue }
            let mail = OutgoingMail(kind: kind, recipient: to, subject: subject, body: body, calendar: calendar, calendarMethod: method?.rawValue)
            if try await outbox.enqueue(mail, ref: m.id, at: env.timestamp, on: db) { n += 1 }
        }
        return n
    }

    /// Invitation mails and adapter events for a new, changed or cancelled meeting.
    static func sendInvitations(_ env: MeetingsEnvironment, _ context: ServiceContext, _ m: MeetingRecord, method: ICalendar.Method, kind: String) async throws(HubError) {
        let attendees = try await MeetingStore(context.database).attendees(meeting: m.id).filter { $0.agency != "imported" }
        let agenda = try await Export.agendaText(env, context.database, m)
        let ics = ICalendar.render([calendarEvent(env, m, attendees, description: agenda)], method: method)
        let name = (try? env.centre(m.centre).name) ?? m.centre
        let subject = method == .cancel ? "Inställt: ledningsgruppsmöte \(name) \(m.date)" : "Ändrat: ledningsgruppsmöte \(name) \(m.date)"
        _ = try await queueMail(env, context.database, m, attendees, kind: kind, subject: subject,
                                body: method == .cancel ? "Mötet är inställt.\n" : agenda, calendar: ics, method: method)
        for adapter in adapters(env, attendees) {
            context.events.emit("agency.\(adapter).meeting.\(method == .cancel ? "cancelled" : "agenda")", .object(
                agendaEvent(env, m, agenda: agenda, calendar: ics)))
        }
    }

    static func agendaEvent(_ env: MeetingsEnvironment, _ m: MeetingRecord, agenda: String, calendar: String) -> [String: JSONValue] {
        ["meetingId": .string(m.id), "centre": .string(m.centre), "date": .string(m.date), "start": .string(m.start), "end": .string(m.end),
         "place": .string(m.place), "link": .optional(m.link), "sequence": .int(m.sequence), "status": .string(m.status),
         "itemDeadline": .string(m.itemDeadline), "agenda": .string(agenda), "calendar": .string(calendar)]
    }

    /// `meetings.agenda.circulate {meetingId}`: the agenda with an iCalendar REQUEST to every
    /// member by e-mail and to every member agency's adapter.
    @Sendable static func circulateAgenda(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> AgendaCirculate.Reply {
        let (_, _, m0) = try await Meetings.plannedMeeting(env, request, context, refusal: "Only a planned meeting's agenda goes out.")
        let store = MeetingStore(context.database)
        try await store.markAgendaCirculated(m0.id, at: env.timestamp)
        let m = try await store.meeting(m0.id)
        let attendees = try await store.attendees(meeting: m.id)
        let agenda = try await Export.agendaText(env, context.database, m)
        let ics = ICalendar.render([calendarEvent(env, m, attendees, description: agenda)], method: .request)
        let name = (try? env.centre(m.centre).name) ?? m.centre
        let mails = try await queueMail(env, context.database, m, attendees, kind: "agenda", subject: "Dagordning ledningsgruppsmöte \(name) \(m.date)",
                                        body: agenda, calendar: ics, method: .request)
        let adapters = adapters(env, attendees)
        for adapter in adapters { context.events.emit("agency.\(adapter).meeting.agenda", .object(agendaEvent(env, m, agenda: agenda, calendar: ics))) }
        context.events.emit("agenda.circulated", ["meetingId": .string(m.id), "centre": .string(m.centre), "sequence": .int(m.sequence)])
        return AgendaCirculate.Reply(meetingId: m.id, mails: mails, adapters: adapters, sequence: m.sequence, calendar: ics)
    }

    /// `meetings.minutes.circulate {meetingId}`: a new version of the minutes without the
    /// confidential items, with its diff against the version before, to every member.
    @Sendable static func circulateMinutes(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> MinutesCirculate.Reply {
        let (actor, _, m) = try await Minutes.editable(env, request, context)
        // Minutes are of what was said: they go out once the meeting has begun.
        guard m.imported || m.hasStarted(at: env.now()) else {
            throw HubError(Minutes.invalidTransition, "The minutes go out once the meeting has begun.", field: "body.meetingId",
                           reason: Minutes.notStarted)
        }
        let store = MeetingStore(context.database)
        guard let minutes = try await store.minutesState(meeting: m.id) else { throw HubError(.notFound, "No minutes.", field: "body.meetingId") }
        let current = minutes.version
        if minutes.status == "circulated", !minutes.changedSinceCirculation {
            throw HubError(Minutes.invalidTransition, "Nothing changed since version \(current) was circulated.", field: "body.meetingId")
        }
        let markdown = Export.markdown(try await Export.document(env, context.database, m, includeConfidential: false))
        let diff = try await store.circulatedMarkdown(meeting: m.id, version: current).map { LineDiff.diff($0, markdown) }
        let version = current + 1, sha = Ids.sha256(markdown)
        try await store.circulate(meeting: m.id, version: version, markdown: markdown, sha256: sha, diff: diff, by: actor.who, at: env.timestamp)
        if m.status == "planned" { try await store.markHeld(m.id) }
        let attendees = try await store.attendees(meeting: m.id)
        let name = (try? env.centre(m.centre).name) ?? m.centre
        let subject = "Mötesanteckningar ledningsgruppsmöte \(name) \(m.date)" + (version > 1 ? " (version \(version))" : "")
        let mails = try await queueMail(env, context.database, m, attendees, kind: "minutes", subject: subject,
                                        body: markdown + (diff.map { "\n\n---\nÄndringar mot version \(current):\n\n\($0)\n" } ?? ""),
                                        calendar: nil, method: nil)
        let adapters = adapters(env, attendees)
        for adapter in adapters {
            context.events.emit("agency.\(adapter).minutes", ["meetingId": .string(m.id), "centre": .string(m.centre), "date": .string(m.date),
                                                        "version": .int(version), "sha256": .string(sha), "markdown": .string(markdown),
                                                        "diff": .optional(diff)])
        }
        context.events.emit("minutes.circulated", ["meetingId": .string(m.id), "centre": .string(m.centre), "version": .int(version)])
        return MinutesCirculate.Reply(meetingId: m.id, version: version, sha256: sha, diff: diff, mails: mails, adapters: adapters)
    }

    /// `meetings.reminders.run {}`: for every planned meeting that starts within
    /// `reminderHours` and has had no reminder, the agenda again by e-mail and to the adapters.
    @Sendable static func runReminders(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> RemindersRun.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        guard actor.role == .admin || actor.role == .staff else { throw HubError(.forbidden, "Only staff run reminders.") }
        let store = MeetingStore(context.database)
        let now = env.now()
        var sent: [String] = []
        for m in try await store.meetingsAwaitingReminder(from: env.today) {
            guard actor.mayManage(centre: m.centre), let start = SwedishDate.instant(date: m.date, time: m.start) else { continue }
            let until = start.timeIntervalSince(now)
            guard until > 0, until <= Double(env.settings.reminderHours) * 3600 else { continue }
            let attendees = try await store.attendees(meeting: m.id)
            let agenda = try await Export.agendaText(env, context.database, m)
            let ics = ICalendar.render([calendarEvent(env, m, attendees, description: agenda)], method: .request)
            let name = (try? env.centre(m.centre).name) ?? m.centre
            _ = try await queueMail(env, context.database, m, attendees, kind: "reminder", subject: "Påminnelse: ledningsgruppsmöte \(name) \(m.date) kl \(m.start)",
                                    body: agenda, calendar: ics, method: .request)
            for adapter in adapters(env, attendees) {
                context.events.emit("agency.\(adapter).meeting.reminder", .object(agendaEvent(env, m, agenda: agenda, calendar: ics)))
            }
            try await store.markReminderSent(m.id, at: env.timestamp)
            sent.append(m.id)
        }
        return RemindersRun.Reply(reminded: sent)
    }

    /// `meetings.mail.outbox {meetingId}` → the queued and sent mail of a meeting (staff).
    @Sendable static func outbox(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> MailOutboxList.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        let body = try BodyReader(request.body)
        let m = try await MeetingStore(context.database).meeting(try body.id("meetingId")!)
        try actor.requireManager(centre: m.centre)
        return MailOutboxList.Reply(mail: try await outbox.list(ref: m.id, on: context.database))
    }

    /// `meetings.mail.flush {limit?}`: sends queued mail through the configured SMTP relay;
    /// each message is marked sent only after the relay accepted it (at-least-once).
    @Sendable static func flushMail(_ env: MeetingsEnvironment, _ request: ServiceRequest, _ context: ServiceContext) async throws -> MailFlush.Reply {
        let actor = try Caller.from(request, reference: env.reference, service: "meetings")
        guard actor.role == .admin || actor.role == .staff else { throw HubError(.forbidden, "Only staff send mail.") }
        let body = try BodyReader(request.body)
        let limit = try body.optionalInt("limit", range: 1...500) ?? 100
        // Who was sent what is kept a year (the texts are gone once sent), then purged.
        try await outbox.purgeDelivered(before: env.now().addingTimeInterval(-365 * 86_400), on: context.database)
        return try await outbox.flush(smtp: env.settings.smtp, limit: limit, now: env.now(), on: context.database, logger: context.logger)
    }
}

