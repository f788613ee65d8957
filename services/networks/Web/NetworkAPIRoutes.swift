import HubWeb
import Foundation
import HubProtocol
import Hummingbird
import NetworksAPI
import Synchronization

/// The networks JSON API (`/api/v1/network-days`, registrations, contact persons, coverage,
/// tour, attendance): each route reads its path, query or body and asks the networks service.
extension NetworkRoutes {
    // MARK: JSON API

    @Sendable func apiListDays(_ request: Request, context: Context) async throws -> Response {
        json(try await ask(DayList.type, .object(query(request, ["centre", "year"]))))
    }

    @Sendable func apiCreateDay(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        return json(try await ask(DayCreate.type, .object(try await body(request, context))), status: .created)
    }

    @Sendable func apiGetDay(_ request: Request, context: Context) async throws -> Response {
        json(try await ask(DayGet.type, ["dayId": .string(param(context, "dayId"))]))
    }

    @Sendable func apiUpdateDay(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        return json(try await ask(DayUpdate.type, .object(try await body(request, context, path: ["dayId": param(context, "dayId")]))))
    }

    @Sendable func apiCancelDay(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        return json(try await ask(DayCancel.type, ["dayId": .string(param(context, "dayId"))]))
    }

    @Sendable func apiInvite(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        let day = param(context, "dayId")
        var b = try await body(request, context, path: ["dayId": day])
        if b["registrationUrl"] == nil { b["registrationUrl"] = .string(baseURL(request) + "/anmalan/" + day) }
        return json(try await ask(DayInvite.type, .object(b)))
    }

    /// Registers one person or a group; the gateway makes the link tokens and returns
    /// the links once (only their hashes are stored by the service).
    @Sendable func apiRegister(_ request: Request, context: Context) async throws -> Response {
        var b = try await body(request, context, path: ["dayId": param(context, "dayId")])
        for key in ["cancelToken", "manageToken"] where b[key] != nil {
            throw HubError(.validation, "Links are made by the hub.", field: "body.\(key)")
        }
        var tokens: [String] = []
        if case .array(let people)? = b["participants"] {
            b["participants"] = .array(people.map { p in
                guard case .object(var o) = p else { return p }
                let t = Secrets.randomToken(bytes: 32)
                tokens.append(t)
                o["cancelToken"] = .string(t)
                return .object(o)
            })
            let manage = Secrets.randomToken(bytes: 32)
            b["manageToken"] = .string(manage)
            let reply = try RegistrationCreate.reply(try await ask(RegistrationCreate.type, .object(b)))
            let linked = LinkedRegistration(reply, manageUrl: baseURL(request) + "/b/" + manage, cancelUrls: tokens.map { baseURL(request) + "/r/" + $0 })
            return json(try JSONValue.encode(linked), status: .created)
        }
        let token = Secrets.randomToken(bytes: 32)
        b["cancelToken"] = .string(token)
        let reply = try RegistrationCreate.reply(try await ask(RegistrationCreate.type, .object(b)))
        return json(try JSONValue.encode(LinkedRegistration(reply, cancelUrl: baseURL(request) + "/r/" + token)), status: .created)
    }

    @Sendable func apiListRegistrations(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        return json(try await ask(RegistrationList.type, ["dayId": .string(param(context, "dayId"))]))
    }

    @Sendable func apiInvoice(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        return json(try await ask(RegistrationInvoice.type, ["dayId": .string(param(context, "dayId"))]))
    }

    @Sendable func apiCheckIn(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        return json(try await ask(RegistrationCheckIn.type, .object(try await body(request, context, path: ["participantId": param(context, "participantId")]))))
    }

    @Sendable func apiMove(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        var b = try await body(request, context, path: ["participantId": param(context, "participantId")])
        return json(try await ask(RegistrationMove.type, .object(b)))
    }

    @Sendable func apiListContacts(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        var q = query(request, ["centre"])
        switch request.uri.queryParameters.get("includeInactive") ?? "" {
        case "true": q["includeInactive"] = .bool(true)
        case "false", "": break
        default: throw HubError(.validation, "Use true or false.", field: "includeInactive", reason: .wrongType)
        }
        return json(try await ask(ContactList.type, .object(q)))
    }

    @Sendable func apiCreateContact(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        var b = try await body(request, context)
        guard b["updateToken"] == nil else { throw HubError(.validation, "Links are made by the hub.", field: "body.updateToken") }
        let token = Secrets.randomToken(bytes: 32)
        b["updateToken"] = .string(token)
        var result = try await ask(ContactCreate.type, .object(b)).objectValue ?? [:]
        result["selfUpdateUrl"] = .string(baseURL(request) + "/c/" + token)
        return json(.object(result), status: .created)
    }

    @Sendable func apiUpdateContact(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        return json(try await ask(ContactUpdate.type, .object(try await body(request, context, path: ["contactId": param(context, "contactId")]))))
    }

    @Sendable func apiCoverage(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        return json(try await ask(CoverageGet.type, ["centreId": .string(param(context, "centreId"))]))
    }

    @Sendable func apiTour(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        return json(try await ask(TourList.type, .object(query(request, ["centre", "year"]))))
    }

    @Sendable func apiPlanVisit(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        return json(try await ask(TourPlan.type, .object(try await body(request, context))), status: .created)
    }

    @Sendable func apiCompleteVisit(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        return json(try await ask(TourComplete.type, .object(try await body(request, context, path: ["visitId": param(context, "visitId")]))))
    }

    @Sendable func apiAttendance(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        return json(try await ask(AttendanceGet.type, .object(query(request, ["centre", "year"]))))
    }
}
