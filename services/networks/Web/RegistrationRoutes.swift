import HubWeb
import Foundation
import HubProtocol
import Hummingbird
import NetworksAPI

/// The public registration pages: no login, Swedish with English through `?lang=en`,
/// server-side validation with errors beside the fields, a honeypot field, a rate
/// limit per address, CSRF by a double-submit cookie, a privacy notice. They never
/// show anyone but the person (or the booker) holding the link.
extension NetworkRoutes {
    @Sendable func registrationForm(_ request: Request, context: Context) async throws -> Response {
        let day = try await dayPublic(param(context, "dayId"))
        return renderForm(day, context: context, csrf: publicCSRF(request))
    }

    @Sendable func submitRegistration(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let lang = context.language
        let form = try await publicForm(&request, context: context)
        let csrf = request.cookies[RegistrationForm.csrfCookie]?.value ?? ""
        let dayId = param(context, "dayId")
        let day = try await dayPublic(dayId)
        guard throttle.allow(clientAddress(context)) else {
            return renderForm(day, context: context, csrf: csrf, form: form, formError: lang.t("reg_rate_limited"), status: .tooManyRequests)
        }
        // A filled honeypot is a robot: answer as if it worked, store nothing.
        if let trap = form["website"], !trap.isEmpty {
            return pages.render("nw_register_done", title: lang.t("reg_done_title"), language: lang, session: nil,
                                data: dayData(day, lang: lang).merging(["statusText": lang.t("reg_done_received")]) { $1 })
        }
        var fields: [String: String] = [:]
        for f in RegistrationForm.fields { fields[f] = (form[f] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        // Required fields are checked here so that all of them are reported at once.
        var errors: [String: String] = [:]
        for f in ["name", "email", "agency"] where fields[f]?.isEmpty != false { errors[f] = lang.t("reg_err_required") }
        if day.feeSEK > 0, fields["invoiceReference"]?.isEmpty != false { errors["invoiceReference"] = lang.t("reg_err_required") }
        if !errors.isEmpty {
            return renderForm(day, context: context, csrf: csrf, form: fields, errors: errors, status: .badRequest)
        }
        let token = Secrets.randomToken(bytes: 32)
        // The mail about the place is written in the language of this page.
        var body: [String: JSONValue] = ["dayId": .string(dayId), "cancelToken": .string(token), "language": .string(lang.rawValue)]
        for (k, v) in fields where !v.isEmpty { body[k] = .string(v) }
        // The form's text goes as typed (the engine names each wrong field); the reply is read through the contract.
        let result: RegistrationCreate.Reply
        switch await attempt(RegistrationCreate.type, .object(body)) {
        case .success(let value): result = try RegistrationCreate.reply(value)
        case .failure(let error) where error.code == .validation || error.code == .conflict:
            let field = error.field?.replacingOccurrences(of: "body.", with: "") ?? ""
            if RegistrationForm.fields.contains(field) {
                errors[field] = RegistrationForm.message(for: error, field: field, lang: lang)
                return renderForm(day, context: context, csrf: csrf, form: fields, errors: errors, status: .badRequest)
            }
            let fresh = try await dayPublic(dayId)
            return renderForm(fresh, context: context, csrf: csrf, form: fields, formError: RegistrationForm.message(for: error, field: field, lang: lang),
                              status: .conflict)
        case .failure(let error): throw error
        }
        let placed = result.participants.first
        let statusText = placed?.status == .confirmed
            ? lang.t("reg_done_confirmed")
            : lang.t("reg_done_waiting", ["n": placed?.waitingPosition.map(String.init) ?? "?"])
        var data = dayData(day, lang: lang)
        data["statusText"] = statusText
        data["cancelURL"] = baseURL(request) + "/r/" + token
        return pages.render("nw_register_done", title: lang.t("reg_done_title"), language: lang, session: nil, data: data, status: .created)
    }

    /// The personal link of a network-day registration.
    static let link = PersonalLink(path: "/r/", template: "nw_my", uidDomain: "networks.utvag-hub",
                                   calendarFilename: { "natverkstraff-\($0.meetings.first?.date ?? "").ics" })

    @Sendable func myCalendar(_ request: Request, context: Context) async throws -> Response {
        try await personalCalendar(Self.link, request, context: context)
    }

    @Sendable func myRegistration(_ request: Request, context: Context) async throws -> Response {
        try await personalPage(Self.link, request, context: context)
    }

    @Sendable func cancelMyRegistration(_ request: Request, context: Context) async throws -> Response {
        try await cancelPersonal(Self.link, request, context: context)
    }

    @Sendable func bookingPage(_ request: Request, context: Context) async throws -> Response {
        let lang = context.language
        let token = param(context, "token")
        guard let reply = try await found(BookingGet(token: token)) else { return linkInvalid(context) }
        let csrf = publicCSRF(request)
        var data = dayData(PublicEvent(day: reply.day), lang: lang)
        data["bookingIntro"] = lang.t("booking_intro", ["ref": reply.invoiceReference ?? "–"])
        data["participants"] = reply.participants.map { p -> [String: Any] in
            ["id": p.id, "name": p.name, "active": p.status != .cancelled,
             "statusText": p.status.name(lang.vocabulary) + (p.waitingPosition.map { " (\($0))" } ?? ""),
             "token": token, "csrf": csrf]
        }
        return withCSRFCookie(pages.render("nw_booking", title: lang.t("booking_title"), language: lang, session: nil, data: data), csrf)
    }

    @Sendable func cancelInBooking(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let form = try await publicForm(&request, context: context)
        let token = param(context, "token")
        if case .failure(let error) = await attempt(BookingCancel(token: token, participantId: form["participantId"] ?? "")) {
            guard error.code == .notFound || error.code == .conflict else { throw error }
            return linkInvalid(context)
        }
        return Redirect.to("/b/\(token)")
    }
}

/// The contact person's own page, by the link from the organiser (`/c/{token}`).
extension NetworkRoutes {
    static let selfFields = ["name", "title", "unit", "email", "phone"]

    func renderSelf(_ request: Request, _ context: Context, token: String, form: [String: String], errors: [String: String] = [:],
                    saved: Bool = false, status: HTTPResponse.Status = .ok) -> Response {
        let lang = context.language
        let csrf = publicCSRF(request)
        return withCSRFCookie(pages.render("nw_self", title: lang.t("self_title"), language: lang, session: nil, data: [
            "form": form, "err": errors, "saved": saved, "token": token, "csrf": csrf,
        ], status: status), csrf)
    }

    @Sendable func selfUpdateForm(_ request: Request, context: Context) async throws -> Response {
        let token = param(context, "token")
        switch await attempt(ContactSelfGet(token: token)) {
        case .success(let contact):
            let form = ["name": contact.name, "title": contact.title ?? "", "unit": contact.unit ?? "", "email": contact.email, "phone": contact.phone ?? ""]
            return renderSelf(request, context, token: token, form: form)
        case .failure(let error) where error.code == .notFound: return linkInvalid(context)
        case .failure(let error): throw error
        }
    }

    @Sendable func selfUpdate(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let lang = context.language
        let raw = try await publicForm(&request, context: context)
        let token = param(context, "token")
        guard throttle.allow(clientAddress(context)) else { throw HubError(.rateLimited, "Too many requests; try again later.") }
        var form: [String: String] = [:]
        var body: [String: JSONValue] = ["token": .string(token)]
        for f in Self.selfFields {
            form[f] = (raw[f] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            body[f] = form[f]!.isEmpty ? .null : .string(form[f]!)
        }
        switch await attempt(ContactSelfUpdate.type, .object(body)) {
        case .success: return renderSelf(request, context, token: token, form: form, saved: true)
        case .failure(let error) where error.code == .notFound: return linkInvalid(context)
        case .failure(let error) where error.code == .validation:
            let field = error.field?.replacingOccurrences(of: "body.", with: "") ?? ""
            let message = field == "email" ? lang.t("reg_err_email") : RegistrationForm.message(for: error, field: field, lang: lang)
            return renderSelf(request, context, token: token, form: form, errors: [Self.selfFields.contains(field) ? field : "name": message],
                              status: .badRequest)
        case .failure(let error): throw error
        }
    }
}
