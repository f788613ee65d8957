import Foundation
import HubBus
import HubCore
import HubProtocol
import HubRegistration
import HubStorage
import TrainingAPI

/// Training events: a training, open house, conference or manual training with one or
/// more sessions, trainers, seats and fee. Each event is also an engine event (same id)
/// spanning from the first session's start to the last session's end.
enum TrainingEvents {
    static let kinds = EventKind.codes

    static let handlers: [String: (AccessRule, MessageHandler.Kind, TrainingHandler)] = [
        EventCreate.type: (Access.centre, .command, create),
        EventCancel.type: (Access.event, .command, cancel),
        EventGet.type: (Access.everyone, .query, get),
        EventList.type: (Access.everyone, .query, list),
        EventPublic.type: (Access.everyone, .query, publicInfo),
        EventInvite.type: (Access.event, .command, invite),
        ReferenceGet.type: (Access.everyone, .query, referenceData),
    ]

    /// `training.reference.get {}` → `{centres: [{id, name, municipalities}], agencies: [{id, name}], kinds}` for forms.
    @Sendable static func referenceData(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        return try JSONValue.encode(ReferenceGet.Reply(
            centres: reference.data.centres.map { .init(id: $0.id, name: $0.name, municipalities: $0.municipalities) },
            agencies: reference.data.agencies.map { AgencyChoice(id: $0.id, name: $0.name) }, kinds: EventKind.allCases))
    }

    struct SessionSpec: Equatable {
        var date: String, startTime: String, endTime: String, venue: String
        var starts: Date, ends: Date
    }

    /// Sessions in the order given; each must end after it starts and none may overlap another.
    static func sessions(_ input: BodyReader) throws(HubError) -> [SessionSpec] {
        guard let items = try input.optionalList("sessions", max: 30), !items.isEmpty else {
            throw HubError(.validation, "At least one session is required.", field: "body.sessions", reason: .required)
        }
        var out: [SessionSpec] = []
        for (i, item) in items.enumerated() {
            let s = try BodyReader(item, path: "body.sessions[\(i)]")
            let date = try s.date("date")
            let start = try s.time("startTime"), end = try s.time("endTime")
            guard let starts = RegistrationEngine.stockholm(date: date, time: start),
                  let ends = RegistrationEngine.stockholm(date: date, time: end) else {
                throw HubError(.validation, "Not a valid date and time.", field: s.field("date"), reason: .notADate)
            }
            guard ends > starts else { throw HubError(.validation, "The session must end after it starts.", field: s.field("endTime"), reason: .endBeforeStart) }
            let venue = try s.string("venue", max: 300)
            if let other = out.firstIndex(where: { $0.starts < ends && starts < $0.ends }) {
                throw HubError(.validation, "The session overlaps session \(other + 1).", field: s.field("startTime"), reason: .overlap)
            }
            out.append(SessionSpec(date: date, startTime: start, endTime: end, venue: venue, starts: starts, ends: ends))
        }
        return out.sorted { $0.starts < $1.starts }
    }

    /// `training.events.create {centreId, kind, title, focus?, audience, description?, trainers: [{name, external?, organisation?}],
    /// sessions: [{date, startTime, endTime, venue}], capacity, feeSEK?, deadline, waitingList?, contactEmail?, purgeAfterDays?}`.
    @Sendable static func create(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        let kind = try b.choice("kind", kinds)
        let title = try b.string("title", max: RegistrationEngine.Limits.title)
        let focus = try b.optionalString("focus", max: 500)
        let audience = try b.string("audience", max: 300)
        let description = try b.optionalString("description", max: 5000, multiline: true)
        var trainers: [Trainer] = []
        for (i, item) in (try b.optionalList("trainers", max: 20) ?? []).enumerated() {
            let t = try BodyReader(item, path: "body.trainers[\(i)]")
            trainers.append(Trainer(name: try t.string("name"), external: try t.optionalBool("external") ?? false,
                                    organisation: try t.optionalString("organisation")))
        }
        let list = try sessions(b)
        let capacity = try b.optionalInt("capacity", range: 1...100_000) ?? 0
        guard capacity > 0 else { throw HubError(.validation, "This field is required.", field: "body.capacity") }
        let fee = try b.optionalInt("feeSEK", range: 0...1_000_000) ?? 0
        let deadline = try b.string("deadline", max: 16)
        let deadlineAt: Date?
        if LocalTime.isDate(deadline) {
            deadlineAt = RegistrationEngine.stockholm(date: deadline, time: "23:59").map { $0.addingTimeInterval(59) }
        } else if deadline.count == 16, LocalTime.isDate(String(deadline.prefix(10))), deadline.dropFirst(10).first == "T" {
            deadlineAt = RegistrationEngine.stockholm(date: String(deadline.prefix(10)), time: String(deadline.suffix(5)))
        } else { deadlineAt = nil }
        guard let deadlineAt else { throw HubError(.validation, "Not a deadline (YYYY-MM-DD or YYYY-MM-DDTHH:MM).", field: "body.deadline", reason: .notADate) }
        guard deadlineAt <= list[0].starts else {
            throw HubError(.validation, "The registration deadline must be before the first session.", field: "body.deadline", reason: .deadlineAfterStart)
        }
        let waitingList = try b.optionalBool("waitingList") ?? true
        let contact = try b.optionalString("contactEmail", max: RegistrationEngine.Limits.email)
        if let contact, !RegistrationEngine.isValidEmail(contact) {
            throw HubError(.validation, "The e-mail address is not valid.", field: "body.contactEmail", reason: .invalidEmail)
        }
        let purge = try b.optionalInt("purgeAfterDays", range: 0...3650)
        let id = Ids.make()
        try await TrainingStore(context.database).insertEvent(.init(
            id: id, centre: centre.id, kind: kind, title: title, focus: focus, audience: audience, description: description, trainers: trainers,
            capacity: capacity, feeSEK: fee, deadline: deadline, waitingList: waitingList, contactEmail: contact, sessions: list), at: env.nowText)
        try await reference.engine.openEvent(RegistrationEventSpec(
            id: id, title: title, starts: list.first!.starts, ends: list.last!.ends, capacity: capacity, feeSEK: fee,
            deadline: deadlineAt, purgeAfterDays: purge), now: env.now(), on: context.database)
        return try JSONValue.encode(try await typedEvent(id, context.database, reference: reference, env: env))
    }

    /// `training.events.cancel {eventId}`: no more registrations; a cancellation goes to agencies that were invited.
    @Sendable static func cancel(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let id = try BodyReader(request.body).string("eventId", max: 64)
        let current = try await typedEvent(id, context.database, reference: reference, env: env)
        guard current.status == .open else { throw HubError(.conflict, "The training is already cancelled.", field: "body.eventId") }
        try await TrainingStore(context.database).cancelEvent(id)
        try await reference.engine.cancelEvent(id, on: context.database)
        let updated = try await typedEvent(id, context.database, reference: reference, env: env)
        if current.invitationsSentAt != nil {
            try await sendInvitations(updated, method: .cancel, agencies: nil, reference: reference, context: context, env: env)
        }
        return try JSONValue.encode(updated)
    }

    /// `training.events.get {eventId}` → the event with its sessions and seats.
    @Sendable static func get(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        return try JSONValue.encode(try await typedEvent(try BodyReader(request.body).string("eventId", max: 64), context.database,
                                                         reference: reference, env: env))
    }

    /// `training.events.list {centreId?, year?, kind?}` → `{events: [...]}` by first date.
    @Sendable static func list(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try b.optionalString("centreId", max: 64)
        if let centre { _ = try reference.centre(centre) }
        let year = try b.optionalInt("year", range: 1900...2200)
        let kind = try b.optionalString("kind", max: 40)
        if let kind, !kinds.contains(kind) { throw HubError(.validation, "Use one of: \(kinds.joined(separator: ", ")).", field: "body.kind") }
        var events: [TrainingEvent] = []
        for id in try await TrainingStore(context.database).eventIDs(centre: centre, year: year, kind: kind) {
            events.append(try await typedEvent(id, context.database, reference: reference, env: env))
        }
        return try JSONValue.encode(EventList.Reply(events: events))
    }

    /// `training.events.public {eventId}`: what the public registration page may show, with the
    /// agencies and the centre's municipalities to choose from; never a participant.
    @Sendable static func publicInfo(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let e = try await typedEvent(try BodyReader(request.body).string("eventId", max: 64), context.database, reference: reference, env: env)
        let centre = try reference.centre(e.centreId)
        return try JSONValue.encode(EventPublic.Reply(event: e, centreName: centre.name,
                                                      agencies: reference.data.agencies.map { AgencyChoice(id: $0.id, name: $0.name) },
                                                      municipalities: centre.municipalities))
    }

    /// `training.events.invite {eventId, registrationUrl, agencies?: [id]}`: an `agency.<adapter>.invitation`
    /// per adapter (all partner agencies with an adapter, or those named) with every session in the
    /// iCalendar, and one `event.invitation` for the e-mail channel.
    @Sendable static func invite(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let b = try BodyReader(request.body)
        let id = try b.string("eventId", max: 64)
        let url = try b.string("registrationUrl", max: 500)
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
            throw HubError(.validation, "The registration URL must start with http:// or https://.", field: "body.registrationUrl")
        }
        var agencies: [String]?
        if let items = try b.optionalList("agencies", max: 50) {
            agencies = []
            for (i, item) in items.enumerated() {
                guard let a = item.stringValue, reference.data.agencies.contains(where: { $0.id == a }) else {
                    throw HubError(.validation, "Choose one of the partner agencies.", field: "body.agencies[\(i)]", reason: .notAChoice)
                }
                agencies?.append(a)
            }
        }
        let current = try await typedEvent(id, context.database, reference: reference, env: env)
        guard current.status == .open else { throw HubError(.conflict, "A cancelled training cannot be announced.", field: "body.eventId") }
        try await TrainingStore(context.database).markInvited(id, registrationUrl: url, at: env.nowText)
        let updated = try await typedEvent(id, context.database, reference: reference, env: env)
        return try await sendInvitations(updated, method: .request, agencies: agencies, reference: reference, context: context, env: env)
    }

    @discardableResult
    static func sendInvitations(_ e: TrainingEvent, method: ICalendar.Method, agencies: [String]?, reference: TrainingReference,
                                context: ServiceContext, env: TrainingEnvironment) async throws -> JSONValue {
        let id = e.id
        let centre = try reference.centre(e.centreId)
        let url = e.registrationUrl ?? ""
        let sequence = e.sequence
        let organizer = ICalendar.Person(email: e.contactEmail ?? "utbildning@utvag-hub.invalid", name: centre.name)
        let sessions = e.sessions
        let wanted = agencies.map(Set.init)
        let contacts = await env.contactPersons(centreId: centre.id)
        var attendees: [String: [ICalendar.Person]] = [:]
        var recipients: [JSONValue] = []
        for c in contacts ?? [] {
            let agency = c.agency, email = c.email
            guard wanted?.contains(agency) ?? true else { continue }
            recipients.append(.object(["contactId": .string(c.id), "name": .string(c.name), "email": .string(email), "agency": .string(agency)]))
            if let adapter = reference.data.agencies.first(where: { $0.id == agency })?.adapter {
                attendees[adapter, default: []].append(ICalendar.Person(email: email, name: c.name, role: "REQ-PARTICIPANT", rsvp: true))
            }
        }
        let description = [e.focus, "Målgrupp: \(e.audience)",
                           url.isEmpty ? nil : "Anmälan: \(url)"].compactMap { $0 }.joined(separator: "\n")
        func calendar(_ people: [ICalendar.Person]) -> String { ICalendar.render(sessions.map { s in
            ICalendar.Event(uid: "\(id)-\(s.number)@training.utvag-hub", sequence: sequence,
                            start: .init(date: s.date, time: s.startTime), end: .init(date: s.date, time: s.endTime),
                            summary: e.title, description: description, location: s.venue,
                            url: url.isEmpty ? nil : url, organizer: organizer, attendees: people)
        }, method: method) }
        let adapters = Set(reference.data.agencies.filter { wanted?.contains($0.id) ?? true }.compactMap(\.adapter)).sorted()
        let body: [String: JSONValue] = [
            "kind": .string(e.kind.rawValue), "eventId": .string(id), "title": .string(e.title), "centre": .string(centre.id),
            "sessions": try JSONValue.encode(sessions), "starts": .string("\(e.firstDate)T\(sessions.first?.startTime ?? "")"),
            "ends": .string("\(e.lastDate)T\(sessions.last?.endTime ?? "")"),
            "venue": sessions.first.map { .string($0.venue) } ?? .null, "registrationUrl": .string(url), "method": .string(method.rawValue),
            "sequence": .n(sequence),
        ]
        for adapter in adapters {
            context.events.emit("agency.\(adapter).invitation", .object(body.merging(["icalendar": .string(calendar(attendees[adapter] ?? []))]) { $1 }))
        }
        context.events.emit("event.invitation", .object(body.merging(["icalendar": .string(calendar([])), "recipients": .array(recipients)]) { $1 }))
        return try JSONValue.encode(EventInvite.Reply(eventId: id, method: method.rawValue, sequence: sequence, adapters: adapters,
                                                      recipients: recipients.count, contactsAvailable: contacts != nil))
    }

    /// An event with its sessions and the engine's seat counts.
    static func typedEvent(_ id: String, _ db: any DatabaseExecutor, reference: TrainingReference, env: TrainingEnvironment,
                           field: String = "body.eventId") async throws -> TrainingEvent {
        let store = TrainingStore(db)
        guard let row = try await store.event(id) else {
            throw HubError(.notFound, "No such training.", field: field)
        }
        let state = try await reference.engine.eventState(id, field: field, on: db)
        let waitingList = row.waitingList
        let now = env.nowText
        return TrainingEvent(
            id: id, centreId: row.centreId, kind: row.kind, title: row.title, focus: row.focus, audience: row.audience, description: row.description,
            trainers: row.trainers, sessions: try await store.sessions(event: id), firstDate: row.firstDate, lastDate: row.lastDate,
            capacity: row.capacity, feeSEK: row.feeSEK, deadline: row.deadline, waitingList: waitingList, contactEmail: row.contactEmail,
            status: row.status, sequence: row.sequence, invitationsSentAt: row.invitationsSentAt,
            registrationUrl: row.registrationUrl, taken: state.taken, seatsLeft: state.seatsLeft, waiting: state.waiting,
            registrationOpen: state.status == "open" && now <= state.deadline && now < state.starts && (state.seatsLeft > 0 || waitingList),
            ended: now >= state.ends, purged: state.purged)
    }
}
