import Foundation
import HubBus
import HubCore
import HubMail
import HubProtocol
import HubRegistration
import HubStorage
import NetworksAPI

/// Registration for network days: thin handlers over the shared `RegistrationEngine`,
/// plus the events that tell people what happened.
enum NetworkRegistrations {
    static let handlers: [String: (AccessRule, MessageHandler)] = [
        RegistrationCreate.type: (Access.everyone, MessageHandler(.command, create)),
        RegistrationGet.type: (Access.everyone, MessageHandler(.query, getByToken)),
        RegistrationCancel.type: (Access.everyone, MessageHandler(.command, cancelByToken)),
        BookingGet.type: (Access.everyone, MessageHandler(.query, booking)),
        BookingCancel.type: (Access.everyone, MessageHandler(.command, cancelInBooking)),
        RegistrationList.type: (Access.day, MessageHandler(.query, list)),
        RegistrationCheckIn.type: (Access.participant, MessageHandler(.command, checkIn)),
        RegistrationMove.type: (Access.participant, MessageHandler(.command, move)),
        RegistrationExport.type: (Access.day, MessageHandler(.query, export)),
        RegistrationInvoice.type: (Access.day, MessageHandler(.query, invoice)),
        RegistrationPurge.type: (Access.admin, MessageHandler(.command, purge)),
        AttendanceGet.type: (Access.centre, MessageHandler(.query, attendance)),
    ]

    /// `networks.registrations.create`: one person `{dayId, name, agency, municipality?, email, dietary?,
    /// invoiceReference?, cancelToken}` or a group `{dayId, invoiceReference, booker:{name,email}, manageToken,
    /// participants:[{name, agency, municipality?, email, dietary?, cancelToken}]}` → each place's status and
    /// place in line. Tokens are made by the caller; only their SHA-256 is stored.
    @Sendable static func create(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let registration = try RegistrationRequest.decode(request.body, eventIdField: "dayId")
        // The engine checks every field before it looks anything up, so a bad request never reveals
        // whether a day exists; every network day is an engine event (created in the same transaction).
        // Each person hears by e-mail what they got, with their own link to cancel: the mail is
        // queued together with their places.
        let stamp = Clock.now(), mail = reference.mail
        let result = try await reference.engine.register(registration, on: context.database) { result in
            RegistrationMail.confirmations(registration, result, settings: mail, linkPath: "/r/", outbox: NetworkMail.outbox, at: stamp)
        }
        context.events.emit("event.registration.created", .object([
            "kind": "network-day", "eventId": .string(result.eventId), "bookingId": .string(result.bookingId),
            "participants": .array(result.participants.map { .object(["participantId": .string($0.participantId), "status": .string($0.status.rawValue)]) }),
        ]))
        return try JSONValue.encode(RegistrationCreate.Reply(eventId: result.eventId, bookingId: result.bookingId, participants: result.participants))
    }

    /// `networks.registrations.get {token}`: one's own place (by the personal link) and the day.
    @Sendable static func getByToken(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let p = try await reference.engine.participant(cancelToken: try b.token("token", required: true)!, on: context.database)
        let day = try await NetworkDays.day(p.eventId, context.database, engine: reference.engine)
        return try JSONValue.encode(PlaceWithDay(participant: p, day: day))
    }

    /// `networks.registrations.cancel {token}`: cancels by the personal link; a used link → `conflict`.
    @Sendable static func cancelByToken(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let result = try await reference.engine.cancel(token: try b.token("token", required: true)!, on: context.database)
        return try await cancelled(result, reference: reference, context: context)
    }

    /// `networks.bookings.get {token}`: the places of a group booking, by its manage link.
    @Sendable static func booking(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let booking = try await reference.engine.booking(manageToken: try b.token("token", required: true)!, on: context.database)
        let day = try await NetworkDays.day(booking.eventId, context.database, engine: reference.engine)
        return try JSONValue.encode(BookingWithDay(bookingId: booking.id, invoiceReference: booking.invoiceReference,
                                                   participants: booking.participants, day: day))
    }

    /// `networks.bookings.cancel {token, participantId}`: cancels one place of a group booking.
    @Sendable static func cancelInBooking(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let token = try b.token("token", required: true)!
        let result = try await reference.engine.cancel(manageToken: token, participantId: try b.string("participantId", max: 64), on: context.database)
        return try await cancelled(result, reference: reference, context: context)
    }

    static func cancelled(_ result: CancellationResult, reference: Reference, context: ServiceContext) async throws -> JSONValue {
        let state = try await reference.engine.eventState(result.cancelled.eventId, on: context.database)
        context.events.emit("event.registration.cancelled", .object([
            "kind": "network-day", "eventId": .string(result.cancelled.eventId), "participantId": .string(result.cancelled.id),
        ]))
        try await tellPromoted(result.promoted, title: state.title, context: context)
        return try JSONValue.encode(CancellationReply(participant: result.cancelled, promoted: result.promoted.map(\.id)))
    }

    /// Tells each promoted person that they now have a seat: by e-mail, and as the event
    /// `event.registration.promoted` (policy lets only the gateway subscribe to `event.*`).
    static func tellPromoted(_ promoted: [Participant], title: String, context: ServiceContext) async throws(HubError) {
        try await RegistrationMail.promoted(promoted, title: title, outbox: NetworkMail.outbox, at: Clock.now(), on: context.database)
        for p in promoted {
            context.events.emit("event.registration.promoted", .object([
                "kind": "network-day", "eventId": .string(p.eventId), "title": .string(title), "participantId": .string(p.id),
                "name": .string(p.name), "email": .string(p.email),
            ]))
        }
    }

    /// `networks.registrations.list {dayId}` (organisers) → seats, then the waiting list in order, then cancellations.
    @Sendable static func list(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let (reference, id, day) = try await dayOf(request, context)
        let list = try await reference.engine.participants(eventId: id, field: "body.dayId", on: context.database)
        return try JSONValue.encode(RegistrationList.Reply(day: day, participants: list))
    }

    /// `networks.registrations.checkin {participantId, attended}`.
    @Sendable static func checkIn(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let p = try await reference.engine.checkIn(participantId: try b.string("participantId", max: 64),
                                                   attended: try b.optionalBool("attended") ?? true, on: context.database)
        return try JSONValue.encode(p)
    }

    /// `networks.registrations.move {participantId, to: "confirmed"|"waiting"|"day", toDayId?, reason}`.
    @Sendable static func move(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let participantId = try b.string("participantId", max: 64)
        let target: MoveTarget
        switch try b.string("to", max: 16) {
        case "confirmed": target = .confirmed
        case "waiting": target = .waiting
        case "day":
            let other = try b.string("toDayId", max: 64)
            guard let owner = try await NetworkStore(context.database).centre(ofDay: other) else {
                throw HubError(.notFound, "No such network day.", field: "body.toDayId")
            }
            // Only into a day the caller may organise too.
            try Caller.fromAllowingVisitors(request, reference: reference.data, service: NetworksService.name).requireCentreStaff(owner)
            target = .event(other)
        default: throw HubError(.validation, "Use confirmed, waiting or day.", field: "body.to")
        }
        let reason = try b.string("reason", max: 500, multiline: true)
        // Who moved the person is the signed-in user the gateway names, never a body field.
        let actor = try Caller.fromAllowingVisitors(request, reference: reference.data, service: NetworksService.name).who
        let result = try await moveRenamingField(reference.engine, participantId, target, reason, actor, context.database)
        let state = try await reference.engine.eventState(result.cancelled.eventId, on: context.database)
        try await tellPromoted(result.promoted, title: state.title, context: context)
        return try JSONValue.encode(RegistrationMove.Reply(participant: result.cancelled, promoted: result.promoted.map(\.id),
                                                           moves: try await reference.engine.moves(participantId: participantId, on: context.database)))
    }

    /// The engine names the other event `body.toEventId`; this message calls it `body.toDayId`.
    static func moveRenamingField(_ engine: RegistrationEngine, _ id: String, _ target: MoveTarget, _ reason: String, _ actor: String?,
                                  _ db: any DatabaseExecutor) async throws(HubError) -> CancellationResult {
        do {
            return try await engine.move(participantId: id, to: target, reason: reason, actor: actor, on: db)
        } catch {
            guard error.field == "body.toEventId" else { throw error }
            throw HubError(error.code, error.message, field: "body.toDayId")
        }
    }

    /// `networks.registrations.export {dayId}` → `{"filename","csv"}`.
    @Sendable static func export(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let (reference, id, day) = try await dayOf(request, context)
        return try JSONValue.encode(ExportReply(filename: "deltagare-\(day.date).csv",
                                                csv: try await reference.engine.csv(eventId: id, field: "body.dayId",
                                                                                    agencyName: { reference.agency($0)?.name ?? $0 }, on: context.database)))
    }

    /// `networks.registrations.invoice {dayId}` → people × fee per agency and invoice reference, and the total.
    @Sendable static func invoice(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let (reference, id, day) = try await dayOf(request, context)
        let lines = try await reference.engine.invoiceBasis(eventId: id, field: "body.dayId", on: context.database)
        let rows = lines.map {
            InvoiceRow(agency: $0.agency, agencyName: reference.agency($0.agency)?.name ?? $0.agency, invoiceReference: $0.invoiceReference,
                       people: $0.people, feeSEK: $0.feeSEK, amountSEK: $0.amountSEK)
        }
        return try JSONValue.encode(RegistrationInvoice.Reply(day: day, feeSEK: day.feeSEK, lines: rows,
                                                              totalSEK: lines.reduce(0) { $0 + $1.amountSEK }, people: lines.reduce(0) { $0 + $1.people }))
    }

    /// `networks.attendance.get {centreId, year?}` → per agency: days with people registered, people
    /// registered and attended across the centre's network days; agencies that stayed away have zeros.
    @Sendable static func attendance(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        let year = try b.optionalInt("year", range: 1900...2200)
        let days = try await NetworkStore(context.database).daysNotCancelled(centre: centre.id, year: year)
        let rows = try await reference.engine.attendance(eventIds: days.map(\.id), on: context.database)
        typealias Reply = AttendanceGet.Reply
        var agencies: [Reply.Agency] = []
        for a in reference.data.agencies {
            let mine = rows.filter { $0.agency == a.id }
            agencies.append(Reply.Agency(
                agency: a.id, name: a.name, daysRepresented: Set(mine.filter { $0.attended > 0 }.map(\.eventId)).count,
                registered: mine.reduce(0) { $0 + $1.registered }, attended: mine.reduce(0) { $0 + $1.attended },
                perDay: mine.map { Reply.PerDay(dayId: $0.eventId, registered: $0.registered, attended: $0.attended) }))
        }
        let dayRefs = days.map { Reply.DayRef(id: $0.id, title: $0.title, date: $0.date) }
        return try JSONValue.encode(Reply(centreId: centre.id, days: dayRefs, agencies: agencies))
    }

    /// `networks.registrations.purge {}` → `{"purgedDays": n}`: purges participant data that is due.
    @Sendable static func purge(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let days = try await reference.engine.purge(on: context.database)
        try await NetworkMail.purge(on: context.database)
        return try JSONValue.encode(RegistrationPurge.Reply(purgedDays: days))
    }

    /// The reference data, the `dayId` of the body and that day, for the organiser's messages.
    static func dayOf(_ request: ServiceRequest, _ context: ServiceContext) async throws -> (Reference, String, Day) {
        let reference = try Reference.load(context.configDir)
        let id = try BodyReader(request.body).string("dayId", max: 64)
        return (reference, id, try await NetworkDays.day(id, context.database, engine: reference.engine))
    }

}
