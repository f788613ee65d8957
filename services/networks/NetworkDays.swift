import Foundation
import HubBus
import HubCore
import HubMail
import HubProtocol
import HubRegistration
import HubStorage
import NetworksAPI

/// Network days ("kontaktpersonsnätverksdagar"): what, when, where, who organises,
/// seats and fee, and invitations to every contact person's agency with an
/// iCalendar attachment.
enum NetworkDays {
    static let handlers: [String: (AccessRule, MessageHandler)] = [
        DayCreate.type: (Access.centre, MessageHandler(.command, create)),
        DayUpdate.type: (Access.day, MessageHandler(.command, update)),
        DayCancel.type: (Access.day, MessageHandler(.command, cancel)),
        DayGet.type: (Access.day, MessageHandler(.query, get)),
        DayList.type: (Access.staff, MessageHandler(.query, list)),
        DayPublic.type: (Access.everyone, MessageHandler(.query, publicInfo)),
        DayInvite.type: (Access.day, MessageHandler(.command, invite)),
    ]

    /// A day's fields, checked, with its times as instants for the registration engine.
    struct Spec {
        var title: String, theme: String, date: String, startTime: String, endTime: String, venue: String
        var organisers: [String], programme: [JSONValue], capacity: Int, feeSEK: Int, deadline: String
        var contactEmail: String?, purgeAfterDays: Int?
        var starts: Date, ends: Date, deadlineAt: Date
        /// Organisers and programme as stored (JSON text).
        var organisersText: String { String(decoding: JSONValue.array(organisers.map { .string($0) }).serialized(), as: UTF8.self) }
        var programmeText: String { String(decoding: JSONValue.array(programme).serialized(), as: UTF8.self) }
    }

    /// Reads and checks a day's fields; `existing` fills in what an update leaves out.
    static func spec(_ b: BodyReader, existing: [String: JSONValue]? = nil) throws(HubError) -> Spec {
        var merged = existing ?? [:]
        for (k, v) in b.object { merged[k] = v }
        let m = BodyReader(object: merged)
        // The organiser's form shows every problem at once: when several fields are wrong they
        // are all named (`details`); a single one is reported by the checks below as before.
        let problems = allProblems(m)
        if problems.count > 1 { throw HubError.validation(problems) }
        let date = try m.date("date")
        let startTime = try m.time("startTime"), endTime = try m.time("endTime")
        guard let starts = RegistrationEngine.stockholm(date: date, time: startTime),
              let ends = RegistrationEngine.stockholm(date: date, time: endTime) else {
            throw HubError(.validation, "Not a valid date and time.", field: "body.date")
        }
        guard ends > starts else { throw HubError(.validation, "The day must end after it starts.", field: "body.endTime") }
        let deadline = try m.string("deadline", max: 16)
        let deadlineAt: Date?
        if deadline.count == 10, LocalTime.isDate(deadline) {
            deadlineAt = RegistrationEngine.stockholm(date: deadline, time: "23:59").map { $0.addingTimeInterval(59) }
        } else if deadline.count == 16, deadline.dropFirst(10).first == "T" {
            deadlineAt = RegistrationEngine.stockholm(date: String(deadline.prefix(10)), time: String(deadline.suffix(5)))
        } else { deadlineAt = nil }
        guard let deadlineAt else { throw HubError(.validation, "Not a deadline (YYYY-MM-DD or YYYY-MM-DDTHH:MM).", field: "body.deadline") }
        guard deadlineAt <= starts else { throw HubError(.validation, "The registration deadline must be before the day starts.", field: "body.deadline") }
        var organisers: [String] = []
        switch merged["organisers"] {
        case nil, .null?: break
        case .array(let items)?:
            for (i, item) in items.enumerated() {
                guard let s = item.stringValue?.trimmingCharacters(in: .whitespaces), !s.isEmpty, s.count <= 200 else {
                    throw HubError(.validation, "Each organiser is a name of 1–200 characters.", field: "body.organisers[\(i)]")
                }
                organisers.append(s)
            }
        default: throw HubError(.validation, "The organisers must be a list of names.", field: "body.organisers")
        }
        var programme: [JSONValue] = []
        switch merged["programme"] {
        case nil, .null?: break
        case .array(let items)?:
            guard items.count <= 50 else { throw HubError(.validation, "At most 50 programme items.", field: "body.programme") }
            for (i, item) in items.enumerated() {
                guard case .object(let o) = item else { throw HubError(.validation, "Each programme item is an object.", field: "body.programme[\(i)]") }
                let slot = BodyReader(object: o)
                func f(_ e: HubError) -> HubError { var e = e; e.field = e.field?.replacingOccurrences(of: "body.", with: "body.programme[\(i)]."); return e }
                do {
                    programme.append(.object([
                        "start": .string(try slot.time("start")), "end": .optional(o["end"] == nil || o["end"] == .null ? nil : try slot.time("end")),
                        "title": .string(try slot.string("title", max: 300)), "speaker": .optional(try slot.optionalString("speaker", max: 200)),
                    ]))
                } catch { throw f(error) }
            }
        default: throw HubError(.validation, "The programme must be a list.", field: "body.programme")
        }
        let contactEmail = try m.optionalString("contactEmail", max: RegistrationEngine.Limits.email)
        if let contactEmail, !RegistrationEngine.isValidEmail(contactEmail) {
            throw HubError(.validation, "The e-mail address is not valid.", field: "body.contactEmail")
        }
        return Spec(title: try m.string("title", max: 300), theme: try m.string("theme", max: 500), date: date, startTime: startTime, endTime: endTime,
                    venue: try m.string("venue", max: 300), organisers: organisers, programme: programme,
                    capacity: try m.int("capacity", range: 1...10_000), feeSEK: try m.optionalInt("feeSEK", range: 0...100_000) ?? 0,
                    deadline: deadline, contactEmail: contactEmail, purgeAfterDays: try m.optionalInt("purgeAfterDays", range: 0...3650),
                    starts: starts, ends: ends, deadlineAt: deadlineAt)
    }

    /// Each of a day's own fields checked on its own, so that one wrong field does not hide another.
    static func allProblems(_ m: BodyReader) -> [HubError.Detail] {
        var problems: [HubError.Detail] = []
        func check(_ read: () throws -> Void) {
            do { try read() } catch let error as HubError { problems.append(error.detail) } catch {
                problems.append(HubError.Detail(field: "body", message: "The input is invalid."))
            }
        }
        check { _ = try m.string("title", max: 300) }
        check { _ = try m.string("theme", max: 500) }
        check { _ = try m.date("date") }
        check { _ = try m.time("startTime") }
        check { _ = try m.time("endTime") }
        check { _ = try m.string("venue", max: 300) }
        check { _ = try m.int("capacity", range: 1...10_000) }
        check { _ = try m.optionalInt("feeSEK", range: 0...100_000) }
        check { _ = try m.string("deadline", max: 16) }
        check {
            if let email = try m.optionalString("contactEmail", max: RegistrationEngine.Limits.email), !RegistrationEngine.isValidEmail(email) {
                throw HubError(.validation, "The e-mail address is not valid.", field: "body.contactEmail", reason: .invalidEmail)
            }
        }
        return problems
    }

    static func engineSpec(id: String, _ s: Spec) -> RegistrationEventSpec {
        RegistrationEventSpec(id: id, title: s.title, starts: s.starts, ends: s.ends, capacity: s.capacity, feeSEK: s.feeSEK,
                              deadline: s.deadlineAt, purgeAfterDays: s.purgeAfterDays)
    }

    /// `networks.days.create {centreId, title, theme, date, startTime, endTime, venue, organisers?, programme?,
    /// capacity, feeSEK?, deadline, contactEmail?, purgeAfterDays?}` → the day, open for registration.
    @Sendable static func create(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        let s = try spec(b)
        let id = Clock.id()
        try await NetworkStore(context.database).insertDay(id: id, centre: centre.id, s, at: Clock.now())
        try await reference.engine.openEvent(engineSpec(id: id, s), on: context.database)
        return try JSONValue.encode(try await day(id, context.database, engine: reference.engine))
    }

    /// `networks.days.update {dayId, …fields to change}`: raises SEQUENCE; when invitations went
    /// out, the changed invitation goes out again; a larger capacity promotes from the waiting list.
    @Sendable static func update(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let id = try b.string("dayId", max: 64)
        let current = try await day(id, context.database, engine: reference.engine, field: "body.dayId")
        guard current.status == .open else { throw HubError(.conflict, "A cancelled day cannot be changed.", field: "body.dayId") }
        for key in ["centreId", "id", "status"] where b.object[key] != nil {
            throw HubError(.validation, "This field cannot be changed.", field: "body.\(key)")
        }
        let s = try spec(b, existing: try JSONValue.encode(current).objectValue)
        try await NetworkStore(context.database).updateDay(id, s)
        let promoted = try await reference.engine.updateEvent(engineSpec(id: id, s), on: context.database)
        try await NetworkRegistrations.tellPromoted(promoted, title: s.title, context: context)
        return try JSONValue.encode(try await reannounce(id, before: current, method: .request, reference: reference, context: context))
    }

    /// `networks.days.cancel {dayId}`: no more registrations; a cancellation (METHOD:CANCEL)
    /// goes to every agency that was invited.
    @Sendable static func cancel(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let id = try b.string("dayId", max: 64)
        let current = try await day(id, context.database, engine: reference.engine, field: "body.dayId")
        guard current.status == .open else { throw HubError(.conflict, "The day is already cancelled.", field: "body.dayId") }
        try await NetworkStore(context.database).cancelDay(id)
        try await reference.engine.cancelEvent(id, on: context.database)
        return try JSONValue.encode(try await reannounce(id, before: current, method: .cancel, reference: reference, context: context))
    }

    /// `networks.days.get {dayId}` → the day with seats taken, left and waiting.
    @Sendable static func get(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        return try JSONValue.encode(try await day(try b.string("dayId", max: 64), context.database, engine: reference.engine, field: "body.dayId"))
    }

    /// `networks.days.list {centreId?, year?}` → `{"days":[…]}` by date: staff get their own
    /// centre's (another centre named is `forbidden`), an administrator the centre named or all.
    @Sendable static func list(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        // Staff see their own centre's days; an administrator any centre's, or all.
        let caller = try Caller.fromAllowingVisitors(request, reference: reference.data, service: NetworksService.name)
        let centre = try caller.scopedCentre(try b.optionalString("centreId", max: 64))
        if let centre { _ = try reference.centre(centre) }
        let year = try b.optionalInt("year", range: 1900...2200)
        var days: [Day] = []
        for stored in try await NetworkStore(context.database).days(centre: centre, year: year) {
            days.append(try await day(stored, context.database, engine: reference.engine))
        }
        return try JSONValue.encode(DayList.Reply(days: days))
    }

    /// `networks.days.public {dayId}`: what the public registration page shows — never
    /// anyone's registration — plus the agencies and the centre's municipalities to choose from.
    @Sendable static func publicInfo(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let d = try await day(try b.string("dayId", max: 64), context.database, engine: reference.engine, field: "body.dayId")
        let centre = try reference.centre(d.centreId)
        return try JSONValue.encode(DayPublic.Reply(event: d, centreName: centre.name, agencies: reference.data.agencies.map { AgencyChoice(id: $0.id, name: $0.name) },
                                                    municipalities: centre.municipalities))
    }

    /// `networks.days.invite {dayId, registrationUrl}`: an `agency.<adapter>.invitation` event
    /// to each adapter whose agency has an active contact person at the centre (with the
    /// iCalendar invitation to those contacts), and one `event.invitation` for e-mail.
    @Sendable static func invite(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let id = try b.string("dayId", max: 64)
        let url = try b.string("registrationUrl", max: 500)
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw HubError(.validation, "The registration URL must start with http:// or https://.", field: "body.registrationUrl")
        }
        let current = try await day(id, context.database, engine: reference.engine, field: "body.dayId")
        guard current.status == .open else { throw HubError(.conflict, "A cancelled day cannot be announced.", field: "body.dayId") }
        try await NetworkStore(context.database).markInvited(id, registrationURL: url, at: Clock.now())
        let updated = try await day(id, context.database, engine: reference.engine)
        return try JSONValue.encode(try await sendInvitations(day: updated, method: .request, registrationURL: url, reference: reference, context: context))
    }

    /// The day as it is now; when invitations went out before the change, the changed
    /// (or cancelled) invitation goes out again with the raised SEQUENCE.
    static func reannounce(_ id: String, before: Day, method: ICalendar.Method, reference: Reference,
                           context: ServiceContext) async throws -> Day {
        let updated = try await day(id, context.database, engine: reference.engine)
        if before.invitationsSentAt != nil {
            try await sendInvitations(day: updated, method: method, registrationURL: nil, reference: reference, context: context)
        }
        return updated
    }

    @discardableResult
    static func sendInvitations(day: Day, method: ICalendar.Method, registrationURL: String?, reference: Reference,
                                context: ServiceContext) async throws -> InvitationsSent {
        let id = day.id
        let centre = try reference.centre(day.centreId)
        let url = registrationURL ?? day.registrationUrl ?? ""
        let today = Clock.today()
        let contacts = try await NetworkStore(context.database).contacts(centre: centre.id, activeOn: today, order: .agency)
        var byAdapter: [String: [ICalendar.Person]] = [:]
        var recipients: [JSONValue] = []
        for contact in contacts {
            let person = ICalendar.Person(email: contact.email, name: contact.name, role: "REQ-PARTICIPANT", rsvp: true)
            recipients.append(.object(["contactId": .string(contact.id), "name": .string(contact.name),
                                       "email": .string(contact.email), "agency": .string(contact.agency)]))
            if let adapter = reference.agency(contact.agency)?.adapter { byAdapter[adapter, default: []].append(person) }
        }
        let title = day.title
        let date = day.date
        let sequence = day.sequence
        let organizer = ICalendar.Person(email: day.contactEmail ?? "natverk@utvag-hub.invalid", name: centre.name)
        let description = [day.theme, url.isEmpty ? nil : "Anmälan: \(url)"].compactMap { $0 }.joined(separator: "\n")
        func calendar(_ attendees: [ICalendar.Person]) -> String {
            ICalendar.render([ICalendar.Event(
                uid: "\(id)@networks.utvag-hub", sequence: sequence,
                start: .init(date: date, time: day.startTime), end: .init(date: date, time: day.endTime),
                summary: title, description: description, location: day.venue, url: url.isEmpty ? nil : url,
                organizer: organizer, attendees: attendees)], method: method)
        }
        let starts = "\(date)T\(day.startTime)", ends = "\(date)T\(day.endTime)"
        func body(_ ical: String) -> [String: JSONValue] {
            ["kind": "network-day", "eventId": .string(id), "title": .string(title), "centre": .string(centre.id),
             "starts": .string(starts), "ends": .string(ends), "venue": .string(day.venue),
             "registrationUrl": .string(url), "method": .string(method.rawValue), "sequence": .int(sequence), "icalendar": .string(ical)]
        }
        let now = Clock.now()
        // By e-mail to each contact person (the invitation is theirs alone), and through each agency's adapter.
        var mailed = 0
        for r in recipients {
            guard let email = r["email"]?.stringValue else { continue }
            let person = ICalendar.Person(email: email, name: r["name"]?.stringValue, role: "REQ-PARTICIPANT", rsvp: true)
            let mail = NetworkMail.invitation(to: email, title: title, date: date,
                                              times: "\(day.startTime)–\(day.endTime)",
                                              venue: day.venue, theme: day.theme, registrationURL: url,
                                              calendar: calendar([person]), method: method)
            if try await NetworkMail.outbox.enqueue(mail, ref: id, at: now, on: context.database) { mailed += 1 }
        }
        for (adapter, people) in byAdapter.sorted(by: { $0.key < $1.key }) {
            context.events.emit("agency.\(adapter).invitation", .object(body(calendar(people))))
            try await NetworkStore(context.database).recordInvitation(day: id, adapter: adapter, method: method.rawValue, sequence: sequence,
                                                                     recipients: people.count, at: now)
        }
        var mail = body(calendar([]))
        mail["recipients"] = .array(recipients)
        context.events.emit("event.invitation", .object(mail))
        return InvitationsSent(dayId: id, method: InvitationMethod(rawValue: method.rawValue) ?? .request, sequence: sequence,
                               adapters: byAdapter.keys.sorted(), recipients: recipients.count, mails: mailed)
    }

    /// A day, with the engine's seat counts.
    static func day(_ id: String, _ db: any DatabaseExecutor, engine: RegistrationEngine, field: String = "body.dayId") async throws -> Day {
        try await day(try await NetworkStore(db).day(id, field: field), db, engine: engine, field: field)
    }

    /// The stored day with the engine's seat counts: registration is open until the deadline
    /// and the start, and while the engine has the event open.
    static func day(_ stored: NetworkStore.DayRecord, _ db: any DatabaseExecutor, engine: RegistrationEngine,
                    field: String = "body.dayId") async throws -> Day {
        let state = try await engine.eventState(stored.id, field: field, on: db)
        let now = Clock.now()
        return Day(id: stored.id, centreId: stored.centreId, title: stored.title, theme: stored.theme, date: stored.date,
                   startTime: stored.startTime, endTime: stored.endTime, venue: stored.venue, organisers: stored.organisers,
                   programme: stored.programme, capacity: stored.capacity, feeSEK: stored.feeSEK, deadline: stored.deadline,
                   contactEmail: stored.contactEmail, status: stored.status, sequence: stored.sequence,
                   invitationsSentAt: stored.invitationsSentAt, registrationUrl: stored.registrationUrl,
                   taken: state.taken, seatsLeft: state.seatsLeft, waiting: state.waiting,
                   registrationOpen: state.status == "open" && now <= state.deadline && now < state.starts,
                   deadlinePassed: now > state.deadline, purged: state.purged)
    }
}
