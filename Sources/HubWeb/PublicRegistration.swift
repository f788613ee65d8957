import Foundation
import HubProtocol
import RegistrationAPI
import HTTPTypes
import Hummingbird

/// The public registration form shared by network days and trainings (the registration
/// engine's web face): its fields, its CSRF cookie and its field errors in the page's language.
package enum RegistrationForm {
    package static let csrfCookie = "hub_reg_csrf"

    package static let fields = ["name", "email", "agency", "municipality", "dietary", "invoiceReference"]

    /// A field error in the page's language; the service's English message is never shown raw.
    package static func message(for error: HubError, field: String, lang: Language) -> String {
        if let text = lang.fieldError(error.reason) { return text }
        switch (error.code, field) {
        case (.conflict, "email"): return lang.t("reg_err_email_taken")
        case (_, "email"): return lang.t("reg_err_email")
        case (_, "agency"), (_, "municipality"): return lang.t("reg_err_choose")
        case (.conflict, "dayId"): return lang.t("reg_err_started")
        default: return lang.t("reg_err_invalid")
        }
    }

}

/// A registration's personal link (`/r/{token}`, `/tr/{token}`): where its pages live and how
/// its calendar file is named. Network days and trainings differ only in these.
package struct PersonalLink: Sendable {
    /// The path before the token, `/r/` or `/tr/`.
    package let path: String
    /// The personal page's template.
    package let template: String
    /// The domain of the calendar UIDs (the invitations' own, so that calendars merge them).
    package let uidDomain: String
    /// The calendar file's name for an event.
    package let calendarFilename: @Sendable (PublicEvent) -> String

    package init(path: String, template: String, uidDomain: String,
                 calendarFilename: @escaping @Sendable (PublicEvent) -> String) {
        self.path = path; self.template = template
        self.uidDomain = uidDomain; self.calendarFilename = calendarFilename
    }
}

/// Route sets with public registration pages (no login): double-submit CSRF, a rate limit
/// per address, the event's facts and the form with its errors.
package protocol PublicRegistrationRoutes: ServiceRoutes {
    var throttle: PublicFormThrottle { get }
    /// The place and the event behind a personal link, read through the service's contract
    /// (`registrations.get`); nil (answered "link not valid") when there is none.
    func personalPlace(token: String) async throws(HubError) -> (participant: Participant, event: PublicEvent)?
    /// Cancels the place behind a personal link through the service's contract (`registrations.cancel`).
    func cancelPersonalPlace(token: String) async -> Result<CancellationReply, HubError>
}

package extension PublicRegistrationRoutes {
    /// A contract request's reply, or nil when the service does not know what it names
    /// (`notFound`: a link that is wrong, used up or purged).
    func found<R: ContractRequest>(_ request: R) async throws(HubError) -> R.Reply? {
        switch await attempt(request) {
        case .success(let reply): return reply
        case .failure(let error) where error.code == .notFound: return nil
        case .failure(let error): throw error
        }
    }

    /// The personal page: the event, the person's place or place in line, cancel and calendar links.
    package func personalPage(_ link: PersonalLink, _ request: Request, context: Context) async throws -> Response {
        let lang = context.language
        let token = param(context, "token")
        guard let (p, event) = try await personalPlace(token: token) else { return linkInvalid(context) }
        var data = dayData(event, lang: lang)
        data["participant"] = ["name": p.name]
        data["statusText"] = p.status == .waiting
            ? p.status.name(lang.vocabulary) + " – " + lang.t("my_position", ["n": p.waitingPosition.map(String.init) ?? "?"])
            : p.status.name(lang.vocabulary)
        data["canCancel"] = p.status != .cancelled
        data["token"] = token
        data["calendarURL"] = link.path + token + "/kalender.ics"
        let csrf = publicCSRF(request)
        data["csrf"] = csrf
        return withCSRFCookie(pages.render(link.template, title: lang.t("my_title"), language: lang, session: nil, data: data), csrf)
    }

    /// Cancelling one's place through the personal link, after the confirmation step.
    package func cancelPersonal(_ link: PersonalLink, _ request: Request, context: Context) async throws -> Response {
        var request = request
        let lang = context.language
        let form = try await publicForm(&request, context: context)
        let token = param(context, "token")
        if let question = confirmCancellation(form, context: context, action: link.path + token + "/avboka", back: link.path + token) {
            return question
        }
        if case .failure(let error) = await cancelPersonalPlace(token: token) {
            guard error.code == .notFound || error.code == .conflict else { throw error }
            return linkInvalid(context)
        }
        return pages.render("nw_message", title: lang.t("my_title"), language: lang, session: nil,
                            data: ["heading": lang.t("my_title"), "text": lang.t("my_cancelled")])
    }

    /// `…/{token}/kalender.ics`: the event for one's calendar, the holder asked to answer.
    package func personalCalendar(_ link: PersonalLink, _ request: Request, context: Context) async throws -> Response {
        let token = param(context, "token")
        guard let (participant, event) = try await personalPlace(token: token) else { return linkInvalid(context) }
        return CalendarFile.response(CalendarFile.events(event, uidDomain: link.uidDomain, attendee: CalendarFile.attendee(participant),
                                                         url: baseURL(request) + link.path + token),
                                     filename: link.calendarFilename(event))
    }

    /// A registration export (`ExportReply`) as a CSV download; the file name keeps only safe ASCII.
    package func csvDownload(_ export: ExportReply) -> Response {
        let filename = export.filename.filter { $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                               .contentDisposition: "attachment; filename=\"\(filename.isEmpty ? "deltagare.csv" : filename)\""],
                        body: .init(byteBuffer: ByteBuffer(string: export.csv)))
    }

    /// The invoice basis page of a network day or a training: people with a seat × fee, per
    /// agency and invoice reference (`InvoiceRow`).
    package func invoicePage(title: String, feeSEK: Int, lines: [InvoiceRow], totalSEK: Int, people: Int,
                             language lang: Language, session: SessionInfo) -> Response {
        let data: [String: Any] = ["day": ["title": title], "feeSEK": feeSEK, "free": feeSEK == 0, "lines": lines.map(\.mustacheData),
                                   "totalSEK": totalSEK, "people": people]
        return pages.render("registration_invoice", title: lang.t("nw_invoice"), language: lang, session: session, data: data)
    }

    /// Cancelling one's place cannot be taken back (the seat goes to the next in line): the
    /// personal link's cancel button first asks. Nil once the person has confirmed.
    package func confirmCancellation(_ form: [String: String], context: Context, action: String, back: String) -> Response? {
        guard !Confirmation.given(form) else { return nil }
        let lang = context.language
        return Confirmation.page(pages, language: lang, session: nil, action: action, form: form,
                                 question: lang.t("my_cancel_question"), details: [lang.t("my_cancel_confirm")],
                                 confirmLabel: lang.t("my_cancel_yes"), cancelURL: back, csrf: form["csrf"])
    }

    package func publicCSRF(_ request: Request) -> String {
        request.cookies[RegistrationForm.csrfCookie]?.value.nilIfEmpty ?? Secrets.randomToken(bytes: 32)
    }

    package func checkPublicCSRF(_ request: Request, _ form: [String: String]) throws(HubError) {
        guard let cookie = request.cookies[RegistrationForm.csrfCookie]?.value, let field = form["csrf"], !cookie.isEmpty,
              Secrets.constantTimeEquals(cookie, field) else {
            throw HubError(.forbidden, "Missing or wrong CSRF token.", reason: .staleForm)
        }
    }

    /// Reads the form of a public page (no login) and refuses it without the CSRF token that
    /// page set in its cookie: every public POST starts here.
    package func publicForm(_ request: inout Request, context: Context) async throws -> [String: String] {
        let form = try await Forms.read(&request, context: context)
        try checkPublicCSRF(request, form)
        return form
    }

    package func withCSRFCookie(_ response: Response, _ csrf: String) -> Response {
        var response = response
        response.setCookie(Cookie(name: RegistrationForm.csrfCookie, value: csrf, maxAge: 3600, path: "/",
                                  secure: server.configuration.gateway.cookiesAreSecure, httpOnly: true, sameSite: .strict))
        return response
    }

    /// Facts about the event shared by the public pages (the service's facts template reads `day`).
    package func dayData(_ event: PublicEvent, lang: Language) -> [String: Any] {
        let fee = event.feeSEK
        let organisers = event.organisers.joined(separator: ", ")
        return [
            "day": event.event.mustacheData, "organisers": organisers,
            "feeText": fee > 0 ? lang.t("reg_fee_value", ["fee": String(fee)]) : lang.t("reg_free"),
        ]
    }

    package func renderForm(_ day: PublicEvent, context: Context, csrf: String, form: [String: String] = [:], errors: [String: String] = [:],
                    formError: String? = nil, status: HTTPResponse.Status = .ok, template: String = "nw_register",
                    extra: [String: Any] = [:], extraErrors: [[String: String]] = []) -> Response {
        let lang = context.language
        var data = dayData(day, lang: lang)
        data["programme"] = day.programme.map { item -> [String: Any] in
            ["start": item.start, "end": item.end ?? "", "title": item.title, "speaker": item.speaker ?? ""]
        }
        data["hasProgramme"] = !day.programme.isEmpty
        let open = day.registration.registrationOpen
        data["open"] = open
        if !open {
            data["closedText"] = lang.t(day.cancelled ? "reg_cancelled_day" : "reg_closed")
        }
        let left = day.registration.seatsLeft
        data["full"] = left == 0
        data["seatsText"] = lang.t("reg_seats_left", ["n": String(left)])
        data["hasFee"] = day.feeSEK > 0
        data["agencies"] = day.agencies.map { agency -> [String: Any] in
            ["id": agency.id, "name": agency.name, "selected": agency.id == form["agency"]]
        }
        data["municipalities"] = day.municipalities.map { m -> [String: Any] in
            ["name": m, "selected": m == form["municipality"]]
        }
        data["form"] = form
        data["err"] = errors
        let labels = ["name": "reg_name", "email": "reg_email", "agency": "reg_agency", "municipality": "reg_municipality",
                      "dietary": "reg_dietary", "invoiceReference": "reg_invoice"]
        data["fieldErrors"] = RegistrationForm.fields.compactMap { f -> [String: String]? in
            errors[f].map { ["id": f, "label": lang.t(labels[f] ?? f).replacingOccurrences(of: " *", with: ""), "message": $0] }
        }
        data["fieldErrors"] = (data["fieldErrors"] as? [[String: String]] ?? []) + extraErrors
        data["hasFieldErrors"] = !errors.isEmpty || !extraErrors.isEmpty
        data["formError"] = formError
        for (k, v) in extra { data[k] = v }
        let days = ProcessInfo.processInfo.environment["HUB_REGISTRATION_PURGE_DAYS"] ?? "90"
        data["privacyText"] = lang.t("reg_privacy", ["days": days])
        data["csrf"] = csrf
        let response = pages.render(template, title: "\(lang.t("reg_title")): \(day.title)", language: lang,
                                    session: nil, data: data, status: status)
        return withCSRFCookie(response, csrf)
    }

    /// The peer address the rate limit counts by (never logged).
    package func clientAddress(_ context: Context) -> String {
        context.remoteAddress?.ipAddress ?? "unknown"
    }

    /// A bus request whose failure the page handles itself.
    package func attempt(_ type: String, _ body: JSONValue) async -> Result<JSONValue, HubError> {
        do { return .success(try await ask(type, body)) } catch { return .failure(error) }
    }

    package func linkInvalid(_ context: Context) -> Response {
        let lang = context.language
        return pages.render("nw_message", title: lang.t("my_title"), language: lang, session: nil,
                            data: ["heading": lang.t("my_title"), "text": lang.t("my_link_invalid")], status: .notFound)
    }

}
