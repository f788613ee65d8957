import HubWeb
import Foundation
import HubProtocol
import Hummingbird
import NetworksAPI
import Synchronization

/// Contacts, attendance and tour pages of one centre.
extension NetworkRoutes {
    /// The centre (name, municipalities) and the agencies, from the networks service's reference data.
    func centreAndAgencies(_ centreId: String) async throws -> (centre: CentreInfo, agencies: [AgencyInfo]) {
        let reference = try await ask(AgenciesList())
        guard let centre = reference.centres.first(where: { $0.id == centreId }) else {
            throw HubError(.notFound, "No such centre.", field: "centreId")
        }
        return (centre, reference.agencies)
    }

    func renderContacts(_ session: SessionInfo, _ context: Context, centreId: String, form: [String: String] = [:],
                        errors: [String: String] = [:], addedURL: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let lang = context.language
        let (centre, agencies) = try await centreAndAgencies(centreId)
        let names = Dictionary(agencies.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let contacts = try await ask(ContactList(centreId: centreId)).contacts
        return pages.render("nw_contacts", title: lang.t("ct_title"), language: lang, session: session, data: [
            "centreId": centreId, "centreName": centre.name, "csrf": session.csrfToken,
            "contacts": contacts.map { c -> Any in
                var row = (c.mustacheData as? [String: Any]) ?? [:]
                row["agencyName"] = names[c.agency] ?? ""
                return row
            },
            "hasContacts": !contacts.isEmpty, "form": form, "err": errors, "addedURL": addedURL as Any,
            "agencies": agencies.map { a -> [String: Any] in ["id": a.id, "name": a.name, "selected": a.id == form["agency"]] },
            "municipalities": centre.municipalities.map { m -> [String: Any] in
                ["name": m, "selected": m == form["municipality"]]
            },
        ], status: status)
    }

    @Sendable func contactsPage(_ request: Request, context: Context) async throws -> Response {
        try await renderContacts(try organiserSession(context), context, centreId: param(context, "centreId"))
    }

    @Sendable func addContactForm(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let lang = context.language
        let centreId = param(context, "centreId")
        var request = request
        let raw = try await Forms.read(&request, context: context)
        var form: [String: String] = [:]
        var body: [String: JSONValue] = ["centreId": .string(centreId)]
        for f in ["name", "title", "unit", "agency", "municipality", "email", "phone"] {
            form[f] = (raw[f] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if !form[f]!.isEmpty { body[f] = .string(form[f]!) }
        }
        let token = Secrets.randomToken(bytes: 32)
        body["updateToken"] = .string(token)
        switch await attempt(ContactCreate.type, .object(body)) {
        case .success:
            return try await renderContacts(session, context, centreId: centreId, addedURL: baseURL(request) + "/c/" + token)
        case .failure(let error) where error.code == .validation:
            let field = error.field?.replacingOccurrences(of: "body.", with: "") ?? "name"
            let message = RegistrationForm.message(for: error, field: field, lang: lang)
            return try await renderContacts(session, context, centreId: centreId, form: form, errors: [field: message], status: .badRequest)
        case .failure(let error):
            throw error
        }
    }

    @Sendable func attendancePage(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let lang = context.language
        let centreId = param(context, "centreId")
        let (centre, _) = try await centreAndAgencies(centreId)
        // The year as the address gives it (a wrong one is the service's to refuse), the reply through the contract.
        let reply = try AttendanceGet.reply(try await ask(AttendanceGet.type, .object(["centreId": .string(centreId)].merging(query(request, ["year"])) { a, _ in a })))
        let dayCount = reply.days.count
        return pages.render("nw_attendance", title: lang.t("att_title"), language: lang, session: session, data: [
            "centreName": centre.name,
            "agencies": reply.agencies.map { a -> Any in
                var row = (a.mustacheData as? [String: Any]) ?? [:]
                row["absent"] = a.attended == 0
                row["dayCount"] = dayCount
                return row
            },
        ])
    }

    func renderTour(_ session: SessionInfo, _ context: Context, centreId: String, formError: String? = nil,
                    status: HTTPResponse.Status = .ok) async throws -> Response {
        let lang = context.language
        let (centre, _) = try await centreAndAgencies(centreId)
        let reply = try await ask(TourList(centreId: centreId))
        return pages.render("nw_tour", title: lang.t("tour_title"), language: lang, session: session, data: [
            "centreId": centreId, "centreName": centre.name, "year": String(reply.year),
            "csrf": session.csrfToken, "formError": formError as Any,
            "notVisited": reply.notVisited.mustacheData,
            "visits": reply.visits.map { v -> Any in
                var row = (v.mustacheData as? [String: Any]) ?? [:]
                row["done"] = v.status == .completed
                row["csrf"] = session.csrfToken
                return row
            },
            "municipalities": centre.municipalities.map { ["name": $0] },
            "form": [String: String](), "err": [String: String](),
        ], status: status)
    }

    @Sendable func tourPage(_ request: Request, context: Context) async throws -> Response {
        try await renderTour(try organiserSession(context), context, centreId: param(context, "centreId"))
    }

    @Sendable func planVisitForm(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let centreId = param(context, "centreId")
        var request = request
        let form = try await Forms.read(&request, context: context)
        let body: JSONValue = ["centreId": .string(centreId), "municipality": .string(form["municipality"] ?? ""),
                               "date": .string((form["date"] ?? "").trimmingCharacters(in: .whitespaces))]
        if case .failure(let error) = await attempt(TourPlan.type, body) {
            guard error.code == .validation else { throw error }
            return try await renderTour(session, context, centreId: centreId, formError: context.language.t("reg_err_invalid"), status: .badRequest)
        }
        return Redirect.to("/natverk/besok/\(centreId)?klart=visit_planned")
    }

    @Sendable func completeVisitForm(_ request: Request, context: Context) async throws -> Response {
        _ = try organiserSession(context)
        _ = try await ask(TourComplete(visitId: param(context, "visitId")))
        return Redirect.to("/natverk/besok/\(param(context, "centreId"))?klart=visit_completed")
    }
}
