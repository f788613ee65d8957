import Foundation
import HubBus
import HubCore
import HubMail
import HubProtocol
import HubRegistration
import HubStorage
import TrainingAPI

/// Registration for trainings through the shared `RegistrationEngine`, and attendance per session.
enum TrainingRegistrations {
    /// Registration mail waiting for the relay (sent by `training.mail.flush`, on the service's timer).
    static let outbox = MailOutbox()
    static let handlers: [String: (AccessRule, MessageHandler.Kind, TrainingHandler)] = [
        RegistrationCreate.type: (Access.everyone, .command, create),
        RegistrationGet.type: (Access.everyone, .query, getByToken),
        RegistrationCancel.type: (Access.everyone, .command, cancelByToken),
        RegistrationList.type: (Access.event, .query, list),
        RegistrationExport.type: (Access.event, .query, export),
        RegistrationInvoice.type: (Access.event, .query, invoice),
        AttendanceMark.type: (Access.session, .command, mark),
        AttendanceGet.type: (Access.event, .query, attendance),
    ]

    /// `training.registrations.create`: one person `{eventId, name, agency, municipality?, email, dietary?, invoiceReference?,
    /// cancelToken}` or a group (as for network days, with `eventId`). A full training without a waiting list, a past,
    /// cancelled or closed one is refused (`conflict`, `body.eventId`).
    @Sendable static func create(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let registration = try RegistrationRequest.decode(request.body, eventIdField: "eventId")
        let result = try await reference.engine.register(registration, now: env.now(), on: context.database)
        // Within the command's transaction: a refusal here rolls the registration back.
        let waitingList = try await TrainingStore(context.database).waitingList(event: result.eventId)
        guard let waitingList else { throw HubError(.notFound, "No such training.", field: "body.eventId") }
        if !waitingList, result.participants.contains(where: { $0.status == .waiting }) {
            throw HubError(.conflict, "The training is full.", field: "body.eventId")
        }
        // Each person hears by e-mail what they got, with their own link to cancel (`/tr/<token>`).
        try await RegistrationMail.confirm(registration, result, settings: reference.mail, linkPath: "/tr/",
                                           outbox: outbox, at: env.nowText, on: context.database)
        context.events.emit("event.registration.created", .object([
            "kind": "training", "eventId": .string(result.eventId), "bookingId": .string(result.bookingId),
            "participants": .array(result.participants.map { .object(["participantId": .string($0.participantId), "status": .string($0.status.rawValue)]) }),
        ]))
        return try JSONValue.encode(RegistrationCreate.Reply(eventId: result.eventId, bookingId: result.bookingId, participants: result.participants))
    }

    static func token(_ request: ServiceRequest) throws(HubError) -> String {
        let t = try BodyReader(request.body).string("token", max: 128)
        guard RegistrationEngine.isToken(t) else { throw HubError(.notFound, "The link is not valid.", field: "body.token") }
        return t
    }

    /// `training.registrations.get {token}`: one's own place (by the personal link) and the training.
    @Sendable static func getByToken(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let p = try await reference.engine.participant(cancelToken: try token(request), on: context.database)
        let e = try await TrainingEvents.typedEvent(p.eventId, context.database, reference: reference, env: env)
        return try JSONValue.encode(RegistrationGet.Reply(participant: p, event: e.viewed(as: .link)))
    }

    /// `training.registrations.cancel {token}`: cancels by the personal link; the freed seat goes to the next in line.
    @Sendable static func cancelByToken(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let result = try await reference.engine.cancel(token: try token(request), now: env.now(), on: context.database)
        let state = try await reference.engine.eventState(result.cancelled.eventId, on: context.database)
        context.events.emit("event.registration.cancelled", .object([
            "kind": "training", "eventId": .string(result.cancelled.eventId), "participantId": .string(result.cancelled.id),
        ]))
        try await RegistrationMail.promoted(result.promoted, title: state.title, outbox: outbox, at: env.nowText, on: context.database)
        for p in result.promoted {
            context.events.emit("event.registration.promoted", .object([
                "kind": "training", "eventId": .string(p.eventId), "title": .string(state.title), "participantId": .string(p.id),
                "name": .string(p.name), "email": .string(p.email),
            ]))
        }
        return try JSONValue.encode(CancellationReply(participant: result.cancelled, promoted: result.promoted.map(\.id)))
    }

    /// `training.registrations.list {eventId}` (organisers) → seats, the waiting list in order, cancellations.
    @Sendable static func list(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let id = try BodyReader(request.body).string("eventId", max: 64)
        let e = try await TrainingEvents.typedEvent(id, context.database, reference: reference, env: env)
        let people = try await reference.engine.participants(eventId: id, on: context.database)
        return try JSONValue.encode(RegistrationList.Reply(event: e, participants: people))
    }

    /// `training.registrations.export {eventId}` → `{"filename","csv"}`: the participant list in the
    /// hub's one CSV format (semicolons, UTF-8 BOM, Swedish columns, Stockholm times), as for network days.
    @Sendable static func export(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let id = try BodyReader(request.body).string("eventId", max: 64)
        let e = try await TrainingEvents.typedEvent(id, context.database, reference: reference, env: env)
        let first = e.sessions.map(\.date).min() ?? id
        return try JSONValue.encode(RegistrationExport.Reply(
            filename: "deltagare-utbildning-\(first).csv",
            csv: try await reference.engine.csv(eventId: id, field: "body.eventId", agencyName: { reference.agencyName($0) }, on: context.database)))
    }

    /// `training.registrations.invoice {eventId}` → people × fee per agency and invoice reference, and the total.
    @Sendable static func invoice(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let id = try BodyReader(request.body).string("eventId", max: 64)
        let e = try await TrainingEvents.typedEvent(id, context.database, reference: reference, env: env)
        let lines = try await reference.engine.invoiceBasis(eventId: id, field: "body.eventId", on: context.database)
        let rows = lines.map { line in
            InvoiceRow(agency: line.agency, agencyName: reference.agencyName(line.agency), invoiceReference: line.invoiceReference,
                       people: line.people, feeSEK: line.feeSEK, amountSEK: line.amountSEK)
        }
        return try JSONValue.encode(RegistrationInvoice.Reply(day: e, feeSEK: e.feeSEK, lines: rows, totalSEK: lines.reduce(0) { $0 + $1.amountSEK },
                                                              people: lines.reduce(0) { $0 + $1.people }))
    }

    /// `training.attendance.mark {sessionId, marks: [{participantId, attended}]}`: attendance for one session.
    /// Someone not registered with a seat for that training, or a session that has not started, is refused;
    /// one refused mark stores none. The engine's check-in follows: attended at least one session.
    @Sendable static func mark(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let b = try BodyReader(request.body)
        let sessionId = try b.string("sessionId", max: 64)
        guard let marks = try b.optionalList("marks", max: 1000), !marks.isEmpty else {
            throw HubError(.validation, "At least one mark is required.", field: "body.marks")
        }
        var parsed: [(String, Bool, String)] = []
        for (i, item) in marks.enumerated() {
            let m = try BodyReader(item, path: "body.marks[\(i)]")
            parsed.append((try m.string("participantId", max: 64), try m.optionalBool("attended") ?? true, m.field("participantId")))
        }
        let store = TrainingStore(context.database)
        guard let session = try await store.session(sessionId) else {
            throw HubError(.notFound, "No such session.", field: "body.sessionId")
        }
        let eventId = session.eventId
        guard session.startsAt <= env.nowText else {
            throw HubError(.conflict, "The session has not started yet.", field: "body.sessionId")
        }
        for (participantId, attended, field) in parsed {
            let p: Participant
            do { p = try await reference.engine.participant(id: participantId, field: field, on: context.database) } catch {
                throw HubError(.conflict, "This person is not registered for the training.", field: field)
            }
            guard p.eventId == eventId, p.status == .confirmed else {
                throw HubError(.conflict, "This person is not registered with a seat for the training.", field: field)
            }
            try await store.setAttendance(session: sessionId, participant: participantId, attended: attended, at: env.nowText)
            let any = try await store.sessionsAttended(participant: participantId)
            _ = try await reference.engine.checkIn(participantId: participantId, attended: any > 0, now: env.now(), on: context.database)
        }
        return try JSONValue.encode(AttendanceMark.Reply(sessionId: sessionId, marked: parsed.count))
    }

    /// Attendance of everyone with a seat: per session, and whether they attended all of them.
    static func matrix(_ eventId: String, reference: TrainingReference, db: any DatabaseExecutor) async throws -> (sessions: [Session], rows: [(Participant, [Bool])]) {
        let store = TrainingStore(db)
        let sessions = try await store.sessions(event: eventId)
        let people = try await reference.engine.participants(eventId: eventId, on: db).filter { $0.status == .confirmed }
        let present = Set(try await store.attendance(event: eventId).map { "\($0.session)/\($0.participant)" })
        let rows = people.map { p in (p, sessions.map { present.contains("\($0.id)/\(p.id)") }) }
        return (sessions, rows)
    }

    /// `training.attendance.get {eventId}` → sessions, and per person with a seat: attended per session,
    /// `allSessions`, and the certificate when one was issued.
    @Sendable static func attendance(_ request: ServiceRequest, _ context: ServiceContext, _ env: TrainingEnvironment) async throws -> JSONValue {
        let reference = try TrainingReference.load(context.configDir)
        let id = try BodyReader(request.body).string("eventId", max: 64)
        let e = try await TrainingEvents.typedEvent(id, context.database, reference: reference, env: env)
        let (sessions, rows) = try await matrix(id, reference: reference, db: context.database)
        let certificates = try await TrainingStore(context.database).certificateIDs(event: id)
        return try JSONValue.encode(AttendanceGet.Reply(event: e, sessions: sessions, participants: rows.map { p, marks in
            AttendanceGet.Reply.Row(participantId: p.id, name: p.name, agency: p.agency, municipality: p.municipality, sessions: marks,
                                    allSessions: !marks.isEmpty && marks.allSatisfy { $0 }, certificateId: certificates[p.id])
        }))
    }
}
