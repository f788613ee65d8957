import Foundation
import HubProtocol
import Hummingbird

/// The public registration pages: no login, Swedish with English through `?lang=en`,
/// server-side validation with errors beside the fields, a honeypot field, a rate
/// limit per address, CSRF by a double-submit cookie, a privacy notice. They never
/// show anyone but the person (or the booker) holding the link.
extension NetworkRoutes {
    static let csrfCookie = "hub_reg_csrf"
    static let formFields = ["name", "email", "agency", "municipality", "dietary", "invoiceReference"]

    func publicCSRF(_ request: Request) -> String {
        request.cookies[Self.csrfCookie]?.value.nilIfEmpty ?? Secrets.randomToken(bytes: 32)
    }

    func checkPublicCSRF(_ request: Request, _ form: [String: String]) throws(HubError) {
        guard let cookie = request.cookies[Self.csrfCookie]?.value, let field = form["csrf"], !cookie.isEmpty,
              Secrets.constantTimeEquals(cookie, field) else {
            throw HubError(.forbidden, "Missing or wrong CSRF token.", reason: .staleForm)
        }
    }

    /// Reads the form of a public page (no login) and refuses it without the CSRF token that
    /// page set in its cookie: every public POST starts here.
    func publicForm(_ request: inout Request, context: Context) async throws -> [String: String] {
        let form = try await Forms.read(&request, context: context)
        try checkPublicCSRF(request, form)
        return form
    }

    func withCSRFCookie(_ response: Response, _ csrf: String) -> Response {
        var response = response
        response.setCookie(Cookie(name: Self.csrfCookie, value: csrf, maxAge: 3600, path: "/",
                                  secure: server.configuration.gateway.cookiesAreSecure, httpOnly: true, sameSite: .strict))
        return response
    }

    /// Facts about the day shared by the public pages.
    func dayData(_ day: JSONValue, lang: Language) -> [String: Any] {
        let fee = Int(day["feeSEK"]?.numberValue ?? 0)
        let organisers = (day["organisers"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")
        return [
            "day": day.mustache, "organisers": organisers,
            "feeText": fee > 0 ? lang.t("reg_fee_value", ["fee": String(fee)]) : lang.t("reg_free"),
        ]
    }

    func dayPublic(_ id: String) async throws(HubError) -> JSONValue {
        try await ask("networks.days.public", ["dayId": .string(id)])
    }

    func renderForm(_ day: JSONValue, context: Context, csrf: String, form: [String: String] = [:], errors: [String: String] = [:],
                    formError: String? = nil, status: HTTPResponse.Status = .ok, template: String = "nw_register",
                    extra: [String: Any] = [:], extraErrors: [[String: String]] = []) -> Response {
        let lang = context.language
        var data = dayData(day, lang: lang)
        let programme = day["programme"]?.arrayValue ?? []
        data["programme"] = programme.map(\.mustache)
        data["hasProgramme"] = !programme.isEmpty
        let open = day["registrationOpen"]?.boolValue ?? false
        data["open"] = open
        if !open {
            data["closedText"] = lang.t(day["status"]?.stringValue == "cancelled" ? "reg_cancelled_day" : "reg_closed")
        }
        let left = Int(day["seatsLeft"]?.numberValue ?? 0)
        data["full"] = left == 0
        data["seatsText"] = lang.t("reg_seats_left", ["n": String(left)])
        data["hasFee"] = (day["feeSEK"]?.numberValue ?? 0) > 0
        data["agencies"] = (day["agencies"]?.arrayValue ?? []).map { a -> [String: Any] in
            ["id": a["id"]?.stringValue ?? "", "name": a["name"]?.stringValue ?? "", "selected": a["id"]?.stringValue == form["agency"]]
        }
        data["municipalities"] = (day["municipalities"]?.arrayValue ?? []).compactMap(\.stringValue).map { m -> [String: Any] in
            ["name": m, "selected": m == form["municipality"]]
        }
        data["form"] = form
        data["err"] = errors
        let labels = ["name": "reg_name", "email": "reg_email", "agency": "reg_agency", "municipality": "reg_municipality",
                      "dietary": "reg_dietary", "invoiceReference": "reg_invoice"]
        data["fieldErrors"] = Self.formFields.compactMap { f -> [String: String]? in
            errors[f].map { ["id": f, "label": lang.t(labels[f] ?? f).replacingOccurrences(of: " *", with: ""), "message": $0] }
        }
        data["fieldErrors"] = (data["fieldErrors"] as? [[String: String]] ?? []) + extraErrors
        data["hasFieldErrors"] = !errors.isEmpty || !extraErrors.isEmpty
        data["formError"] = formError
        for (k, v) in extra { data[k] = v }
        let days = ProcessInfo.processInfo.environment["HUB_REGISTRATION_PURGE_DAYS"] ?? "90"
        data["privacyText"] = lang.t("reg_privacy", ["days": days])
        data["csrf"] = csrf
        let response = pages.render(template, title: "\(lang.t("reg_title")): \(day["title"]?.stringValue ?? "")", language: lang,
                                    session: nil, data: data, status: status)
        return withCSRFCookie(response, csrf)
    }

    @Sendable func registrationForm(_ request: Request, context: Context) async throws -> Response {
        let day = try await dayPublic(param(context, "dayId"))
        return renderForm(day, context: context, csrf: publicCSRF(request))
    }

    /// The peer address the rate limit counts by (never logged).
    func clientAddress(_ context: Context) -> String {
        context.remoteAddress?.ipAddress ?? "unknown"
    }

    @Sendable func submitRegistration(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let lang = context.language
        let form = try await publicForm(&request, context: context)
        let csrf = request.cookies[Self.csrfCookie]?.value ?? ""
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
        for f in Self.formFields { fields[f] = (form[f] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        // Required fields are checked here so that all of them are reported at once.
        var errors: [String: String] = [:]
        for f in ["name", "email", "agency"] where fields[f]?.isEmpty != false { errors[f] = lang.t("reg_err_required") }
        if (day["feeSEK"]?.numberValue ?? 0) > 0, fields["invoiceReference"]?.isEmpty != false { errors["invoiceReference"] = lang.t("reg_err_required") }
        if !errors.isEmpty {
            return renderForm(day, context: context, csrf: csrf, form: fields, errors: errors, status: .badRequest)
        }
        let token = Secrets.randomToken(bytes: 32)
        // The mail about the place is written in the language of this page.
        var body: [String: JSONValue] = ["dayId": .string(dayId), "cancelToken": .string(token), "language": .string(lang.rawValue)]
        for (k, v) in fields where !v.isEmpty { body[k] = .string(v) }
        let result: JSONValue
        switch await attempt("networks.registrations.create", .object(body)) {
        case .success(let value): result = value
        case .failure(let error) where error.code == .validation || error.code == .conflict:
            let field = error.field?.replacingOccurrences(of: "body.", with: "") ?? ""
            if Self.formFields.contains(field) {
                errors[field] = Self.message(for: error, field: field, lang: lang)
                return renderForm(day, context: context, csrf: csrf, form: fields, errors: errors, status: .badRequest)
            }
            let fresh = try await dayPublic(dayId)
            return renderForm(fresh, context: context, csrf: csrf, form: fields, formError: Self.message(for: error, field: field, lang: lang),
                              status: .conflict)
        case .failure(let error): throw error
        }
        let placed = result["participants"]?[index: 0]
        let statusText = placed?["status"]?.stringValue == "confirmed"
            ? lang.t("reg_done_confirmed")
            : lang.t("reg_done_waiting", ["n": placed?["waitingPosition"]?.intText ?? "?"])
        var data = dayData(day, lang: lang)
        data["statusText"] = statusText
        data["cancelURL"] = baseURL(request) + "/r/" + token
        return pages.render("nw_register_done", title: lang.t("reg_done_title"), language: lang, session: nil, data: data, status: .created)
    }

    /// A field error in the page's language; the service's English message is never shown raw.
    static func message(for error: HubError, field: String, lang: Language) -> String {
        if let text = lang.fieldError(error.reason) { return text }
        switch (error.code, field) {
        case (.conflict, "email"): return lang.t("reg_err_email_taken")
        case (_, "email"): return lang.t("reg_err_email")
        case (_, "agency"), (_, "municipality"): return lang.t("reg_err_choose")
        case (.conflict, "dayId"): return lang.t("reg_err_started")
        default: return lang.t("reg_err_invalid")
        }
    }

    /// A bus request whose failure the page handles itself.
    func attempt(_ type: String, _ body: JSONValue) async -> Result<JSONValue, HubError> {
        do { return .success(try await ask(type, body)) } catch { return .failure(error) }
    }

    func linkInvalid(_ context: Context) -> Response {
        let lang = context.language
        return pages.render("nw_message", title: lang.t("my_title"), language: lang, session: nil,
                            data: ["heading": lang.t("my_title"), "text": lang.t("my_link_invalid")], status: .notFound)
    }

    @Sendable func myRegistration(_ request: Request, context: Context) async throws -> Response {
        let lang = context.language
        let token = param(context, "token")
        let reply: JSONValue
        switch await attempt("networks.registrations.get", ["token": .string(token)]) {
        case .success(let value): reply = value
        case .failure(let error) where error.code == .notFound: return linkInvalid(context)
        case .failure(let error): throw error
        }
        let p = reply["participant"] ?? .null
        let status = p["status"]?.stringValue ?? ""
        var data = dayData(reply["day"] ?? .null, lang: lang)
        data["participant"] = ["name": p["name"]?.stringValue ?? ""]
        data["statusText"] = status == "waiting"
            ? lang.t("status_waiting") + " – " + lang.t("my_position", ["n": p["waitingPosition"]?.intText ?? "?"])
            : lang.t("status_" + status)
        data["canCancel"] = status != "cancelled"
        data["token"] = token
        let csrf = publicCSRF(request)
        data["csrf"] = csrf
        return withCSRFCookie(pages.render("nw_my", title: lang.t("my_title"), language: lang, session: nil, data: data), csrf)
    }

    @Sendable func cancelMyRegistration(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let lang = context.language
        let form = try await publicForm(&request, context: context)
        if case .failure(let error) = await attempt("networks.registrations.cancel", ["token": .string(param(context, "token"))]) {
            guard error.code == .notFound || error.code == .conflict else { throw error }
            return linkInvalid(context)
        }
        return pages.render("nw_message", title: lang.t("my_title"), language: lang, session: nil,
                            data: ["heading": lang.t("my_title"), "text": lang.t("my_cancelled")])
    }

    @Sendable func bookingPage(_ request: Request, context: Context) async throws -> Response {
        let lang = context.language
        let token = param(context, "token")
        let reply: JSONValue
        switch await attempt("networks.bookings.get", ["token": .string(token)]) {
        case .success(let value): reply = value
        case .failure(let error) where error.code == .notFound: return linkInvalid(context)
        case .failure(let error): throw error
        }
        let csrf = publicCSRF(request)
        var data = dayData(reply["day"] ?? .null, lang: lang)
        data["bookingIntro"] = lang.t("booking_intro", ["ref": reply["invoiceReference"]?.stringValue ?? "–"])
        data["participants"] = (reply["participants"]?.arrayValue ?? []).map { p -> [String: Any] in
            let status = p["status"]?.stringValue ?? ""
            return ["id": p["id"]?.stringValue ?? "", "name": p["name"]?.stringValue ?? "", "active": status != "cancelled",
                    "statusText": lang.t("status_" + status) + (p["waitingPosition"]?.intText.map { " (\($0))" } ?? ""),
                    "token": token, "csrf": csrf]
        }
        return withCSRFCookie(pages.render("nw_booking", title: lang.t("booking_title"), language: lang, session: nil, data: data), csrf)
    }

    @Sendable func cancelInBooking(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let form = try await publicForm(&request, context: context)
        let token = param(context, "token")
        if case .failure(let error) = await attempt("networks.bookings.cancel", ["token": .string(token), "participantId": .string(form["participantId"] ?? "")]) {
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
        switch await attempt("networks.contacts.self.get", ["token": .string(token)]) {
        case .success(let contact):
            var form: [String: String] = [:]
            for f in Self.selfFields { form[f] = contact[f]?.stringValue ?? "" }
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
        switch await attempt("networks.contacts.self.update", .object(body)) {
        case .success: return renderSelf(request, context, token: token, form: form, saved: true)
        case .failure(let error) where error.code == .notFound: return linkInvalid(context)
        case .failure(let error) where error.code == .validation:
            let field = error.field?.replacingOccurrences(of: "body.", with: "") ?? ""
            let message = field == "email" ? lang.t("reg_err_email") : Self.message(for: error, field: field, lang: lang)
            return renderSelf(request, context, token: token, form: form, errors: [Self.selfFields.contains(field) ? field : "name": message],
                              status: .badRequest)
        case .failure(let error): throw error
        }
    }
}

extension JSONValue {
    /// The element at `index` of an array value.
    subscript(index index: Int) -> JSONValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }
}
