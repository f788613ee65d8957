import Foundation
import HubBus
import HubCore
import HubMail
import HubProtocol
import HubRegistration
import HubStorage

/// Registration for network days: thin handlers over the shared `RegistrationEngine`,
/// plus the events that tell people what happened.
enum NetworkRegistrations {
    static let handlers: [String: (AccessRule, MessageHandler)] = [
        "networks.registrations.create": (Access.everyone, MessageHandler(.command, create)),
        "networks.registrations.get": (Access.everyone, MessageHandler(.query, getByToken)),
        "networks.registrations.cancel": (Access.everyone, MessageHandler(.command, cancelByToken)),
        "networks.bookings.get": (Access.everyone, MessageHandler(.query, booking)),
        "networks.bookings.cancel": (Access.everyone, MessageHandler(.command, cancelInBooking)),
        "networks.registrations.list": (Access.day, MessageHandler(.query, list)),
        "networks.registrations.checkin": (Access.participant, MessageHandler(.command, checkIn)),
        "networks.registrations.move": (Access.participant, MessageHandler(.command, move)),
        "networks.registrations.export": (Access.day, MessageHandler(.query, export)),
        "networks.registrations.invoice": (Access.day, MessageHandler(.query, invoice)),
        "networks.registrations.purge": (Access.admin, MessageHandler(.command, purge)),
        "networks.attendance.get": (Access.centre, MessageHandler(.query, attendance)),
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
        return .object([
            "dayId": .string(result.eventId), "bookingId": .string(result.bookingId),
            "participants": .array(result.participants.map {
                .object(["participantId": .string($0.participantId), "status": .string($0.status.rawValue),
                         "waitingPosition": $0.waitingPosition.map { .int($0) } ?? .null])
            }),
        ])
    }

    /// `networks.registrations.get {token}`: one's own place (by the personal link) and the day.
    @Sendable static func getByToken(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let p = try await reference.engine.participant(cancelToken: try b.token("token", required: true)!, on: context.database)
        let day = try await NetworkDays.day(p.eventId, context.database, engine: reference.engine)
        return .object(["participant": try participantJSON(p), "day": publicDay(day)])
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
        return .object(["bookingId": .string(booking.id), "invoiceReference": .optional(booking.invoiceReference),
                        "participants": .array(try booking.participants.map(participantJSON)), "day": publicDay(day)])
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
        return .object(["participant": try participantJSON(result.cancelled),
                        "promoted": .array(result.promoted.map { .string($0.id) })])
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
        return .object(["day": day, "participants": .array(try list.map(participantJSON))])
    }

    /// `networks.registrations.checkin {participantId, attended}`.
    @Sendable static func checkIn(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let p = try await reference.engine.checkIn(participantId: try b.string("participantId", max: 64),
                                                   attended: try b.optionalBool("attended") ?? true, on: context.database)
        return try participantJSON(p)
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
            guard let row = try await context.database.queryFirst("SELECT centre_id FROM network_days WHERE id = ?", other) else {
                throw HubError(.notFound, "No such network day.", field: "body.toDayId")
            }
            // Only into a day the caller may organise too.
            try Caller.fromAllowingVisitors(request, reference: reference.data, service: NetworksService.name)
                .requireCentreStaff(try row.string("centre_id"))
            target = .event(other)
        default: throw HubError(.validation, "Use confirmed, waiting or day.", field: "body.to")
        }
        let reason = try b.string("reason", max: 500, multiline: true)
        // Who moved the person is the signed-in user the gateway names, never a body field.
        let actor = try Caller.fromAllowingVisitors(request, reference: reference.data, service: NetworksService.name).who
        let result = try await moveRenamingField(reference.engine, participantId, target, reason, actor, context.database)
        let state = try await reference.engine.eventState(result.cancelled.eventId, on: context.database)
        try await tellPromoted(result.promoted, title: state.title, context: context)
        return .object(["participant": try participantJSON(result.cancelled), "promoted": .array(result.promoted.map { .string($0.id) }),
                        "moves": .array(try await reference.engine.moves(participantId: participantId, on: context.database))])
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
        return .object(["filename": .string("deltagare-\(day["date"]?.stringValue ?? id).csv"),
                        "csv": .string(try await reference.engine.csv(eventId: id, field: "body.dayId",
                                                                     agencyName: { reference.agency($0)?.name ?? $0 }, on: context.database))])
    }

    /// `networks.registrations.invoice {dayId}` → people × fee per agency and invoice reference, and the total.
    @Sendable static func invoice(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let (reference, id, day) = try await dayOf(request, context)
        let lines = try await reference.engine.invoiceBasis(eventId: id, field: "body.dayId", on: context.database)
        return .object([
            "day": day, "feeSEK": day["feeSEK"] ?? .int(0),
            "lines": .array(lines.map {
                .object(["agency": .string($0.agency), "agencyName": .string(reference.agency($0.agency)?.name ?? $0.agency),
                         "invoiceReference": .string($0.invoiceReference), "people": .int($0.people), "feeSEK": .int($0.feeSEK),
                         "amountSEK": .int($0.amountSEK)])
            }),
            "totalSEK": .int(lines.reduce(0) { $0 + $1.amountSEK }), "people": .int(lines.reduce(0) { $0 + $1.people }),
        ])
    }

    /// `networks.attendance.get {centreId, year?}` → per agency: days with people registered, people
    /// registered and attended across the centre's network days; agencies that stayed away have zeros.
    @Sendable static func attendance(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let b = try BodyReader(request.body)
        let centre = try reference.centre(try b.string("centreId", max: 64))
        let year = try b.optionalInt("year", range: 1900...2200)
        let days = try await context.database.query("""
            SELECT id, title, day_date FROM network_days WHERE centre_id = ? AND status <> 'cancelled' AND (? = '' OR day_date LIKE ?) ORDER BY day_date
            """, centre.id, year.map(String.init) ?? "", year.map { "\($0)-%" } ?? "")
        let ids = try days.map { try $0.string("id") }
        let rows = try await reference.engine.attendance(eventIds: ids, on: context.database)
        var agencies: [JSONValue] = []
        for a in reference.data.agencies {
            let mine = rows.filter { $0.agency == a.id }
            agencies.append(.object([
                "agency": .string(a.id), "name": .string(a.name),
                "daysRepresented": .int(Set(mine.filter { $0.attended > 0 }.map(\.eventId)).count),
                "registered": .int(mine.reduce(0) { $0 + $1.registered }), "attended": .int(mine.reduce(0) { $0 + $1.attended }),
                "perDay": .array(mine.map { .object(["dayId": .string($0.eventId), "registered": .int($0.registered), "attended": .int($0.attended)]) }),
            ]))
        }
        return .object([
            "centreId": .string(centre.id),
            "days": .array(try days.map { .object(["id": .string(try $0.string("id")), "title": .string(try $0.string("title")), "date": .string(try $0.string("day_date"))]) }),
            "agencies": .array(agencies),
        ])
    }

    /// `networks.registrations.purge {}` → `{"purgedDays": n}`: purges participant data that is due.
    @Sendable static func purge(_ request: ServiceRequest, _ context: ServiceContext) async throws -> JSONValue {
        let reference = try Reference.load(context.configDir)
        let days = try await reference.engine.purge(on: context.database)
        try await NetworkMail.purge(on: context.database)
        return .object(["purgedDays": .int(days)])
    }

    /// The reference data, the `dayId` of the body and that day, for the organiser's messages.
    static func dayOf(_ request: ServiceRequest, _ context: ServiceContext) async throws -> (Reference, String, JSONValue) {
        let reference = try Reference.load(context.configDir)
        let id = try BodyReader(request.body).string("dayId", max: 64)
        return (reference, id, try await NetworkDays.day(id, context.database, engine: reference.engine))
    }

    static func participantJSON(_ p: Participant) throws -> JSONValue { try JSONValue.from(p) }

    /// The fields of a day anyone with a link may see.
    static func publicDay(_ day: JSONValue) -> JSONValue {
        var o = day.objectValue ?? [:]
        o["contactEmail"] = nil
        return .object(o)
    }
}
