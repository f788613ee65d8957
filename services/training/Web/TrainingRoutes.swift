import HubWeb
import Foundation
import HubProtocol
import Hummingbird
import TrainingAPI

/// Trainings over HTTP: the JSON API (`/api/v1/trainings`, lectures, supervision, coverage,
/// year in review), the public registration and evaluation pages (the network-day
/// registration form and its helpers, reused), and the organiser pages. Everything is a
/// bus request to the training service; the gateway only makes link tokens and renders.
struct TrainingRoutes: PublicRegistrationRoutes {
    let server: WebEnvironment
    let pages: PageRenderer
    let throttle = PublicFormThrottle()
    typealias Context = GatewayRequestContext

    func register(public router: Router<Context>, api: RouterGroup<Context>, pages group: RouterGroup<Context>) {
        router.get("/utbildning/anmalan/:eventId", use: registrationForm)
        router.post("/utbildning/anmalan/:eventId", use: submitRegistration)
        router.get("/tr/:token", use: myRegistration)
        router.get("/tr/:token/kalender.ics", use: myCalendar)
        router.post("/tr/:token/avboka", use: cancelMyRegistration)
        router.get("/utbildning/utvardering/:eventId", use: evaluationForm)
        router.post("/utbildning/utvardering/:eventId", use: submitEvaluation)
        router.get("/static/training.css", use: css)
        // The English addresses of before, in invitations already sent and in bookmarks.
        router.moved("/training/register/:eventId", to: "/utbildning/anmalan/:eventId")
        router.moved("/training/evaluate/:eventId", to: "/utbildning/utvardering/:eventId")
        router.moved("/training", to: "/utbildning")
        router.moved("/training/events/:eventId", to: "/utbildning/tillfallen/:eventId")

        group.get("/utbildning", use: listPage)
        group.get("/utbildning/tillfallen/ny", use: newEventForm)
        group.post("/utbildning/tillfallen/ny", use: createEventForm)
        group.get("/utbildning/tillfallen/:eventId", use: eventPage)
        group.get("/utbildning/tillfallen/:eventId/deltagare.csv", use: participantsCSV)
        group.get("/utbildning/tillfallen/:eventId/fakturaunderlag", use: invoicePage)
        group.post("/utbildning/tillfallen/:eventId/narvaro", use: attendanceForm)
        group.post("/utbildning/tillfallen/:eventId/intyg", use: certificatesForm)
        group.post("/utbildning/tillfallen/:eventId/inbjud", use: inviteForm)
        group.get("/utbildning/intyg/:certificateId", use: certificatePage)
        group.get("/utbildning/forelasningar/:centreId", use: lecturesPage)
        group.post("/utbildning/forelasningar/:centreId", use: addLectureForm)
        group.get("/utbildning/handledning/:centreId", use: supervisionPage)
        group.post("/utbildning/handledning/:centreId", use: addAssignmentForm)
        group.post("/utbildning/handledning/:centreId/:assignmentId/del", use: partForm)
        group.post("/utbildning/handledning/:centreId/:assignmentId/traff", use: sessionForm)
        group.get("/utbildning/arsoversikt/:centreId", use: reviewPage)

        api.get("/trainings", use: forward(EventList.type, query: ["centre", "year", "kind"], organiser: false))
        api.post("/trainings", use: forward(EventCreate.type, status: .created))
        api.get("/trainings/:eventId", use: forward(EventGet.type, path: ["eventId"], organiser: false))
        api.post("/trainings/:eventId/cancel", use: forward(EventCancel.type, path: ["eventId"]))
        api.post("/trainings/:eventId/invitations", use: apiInvite)
        api.post("/trainings/:eventId/registrations", use: apiRegister)
        api.get("/trainings/:eventId/registrations", use: forward(RegistrationList.type, path: ["eventId"]))
        api.get("/trainings/:eventId/attendance", use: forward(AttendanceGet.type, path: ["eventId"]))
        api.post("/training-sessions/:sessionId/attendance", use: forward(AttendanceMark.type, path: ["sessionId"]))
        api.post("/trainings/:eventId/certificates", use: forward(CertificateIssue.type, path: ["eventId"], status: .created))
        api.get("/certificates/:certificateId", use: forward(CertificateGet.type, path: ["certificateId"]))
        api.get("/trainings/:eventId/evaluation", use: forward(EvaluationSummary.type, path: ["eventId"]))
        api.get("/lectures", use: forward(LectureList.type, query: ["centre", "year"]))
        api.post("/lectures", use: forward(LectureCreate.type, status: .created))
        api.get("/supervision-assignments", use: forward(SupervisionList.type, query: ["centre", "year"]))
        api.post("/supervision-assignments", use: forward(SupervisionCreate.type, status: .created))
        api.get("/supervision-assignments/:assignmentId", use: forward(SupervisionGet.type, path: ["assignmentId"]))
        api.post("/supervision-assignments/:assignmentId/parts", use: forward(SupervisionPart.type, path: ["assignmentId"]))
        api.post("/supervision-assignments/:assignmentId/sessions", use: forward(SupervisionSession.type, path: ["assignmentId"], status: .created))
        api.get("/supervision-coverage/:centreId", use: forward(SupervisionCoverage.type, path: ["centreId"]))
        api.get("/year-in-review/:centreId", use: apiReview)
    }

    // MARK: JSON API

    /// A handler that sends the JSON body (with path and query items merged in) as `type`.
    func forward(_ type: String, path: [String] = [], query: [String] = [], organiser: Bool = true,
                 status: HTTPResponse.Status = .ok) -> @Sendable (Request, Context) async throws -> Response {
        let routes = self
        return { request, context in
            if organiser { try routes.requireOrganiser(context) }
            var params: [String: String] = [:]
            for name in path { params[name] = routes.param(context, name) }
            var body = request.method == .get ? [:] : try await routes.body(request, context, path: params)
            if request.method == .get { for (key, value) in params { body[key] = .string(value) } }
            for (key, value) in routes.query(request, query) { body[key] = value }
            return routes.json(try await routes.ask(type, .object(body)), status: status)
        }
    }

    @Sendable func apiInvite(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        let id = param(context, "eventId")
        var b = try await body(request, context, path: ["eventId": id])
        if b["registrationUrl"] == nil { b["registrationUrl"] = .string(baseURL(request) + "/utbildning/anmalan/" + id) }
        return json(try await ask(EventInvite.type, .object(b)))
    }

    /// Registers one person; the gateway makes the cancellation link and returns it once.
    @Sendable func apiRegister(_ request: Request, context: Context) async throws -> Response {
        var b = try await body(request, context, path: ["eventId": param(context, "eventId")])
        for key in ["cancelToken", "manageToken", "participants"] where b[key] != nil {
            throw HubError(.validation, "Register one person at a time; links are made by the hub.", field: "body.\(key)")
        }
        let token = Secrets.randomToken(bytes: 32)
        b["cancelToken"] = .string(token)
        let reply = try RegistrationCreate.reply(try await ask(RegistrationCreate.type, .object(b)))
        return json(try JSONValue.encode(LinkedRegistration(reply, cancelUrl: baseURL(request) + "/tr/" + token)), status: .created)
    }

    /// `?format=markdown` or `html` gives the document itself; otherwise the JSON.
    @Sendable func apiReview(_ request: Request, context: Context) async throws -> Response {
        try requireOrganiser(context)
        let reply = try await review(request, context)
        switch request.uri.queryParameters.get("format") ?? "" {
        case "markdown", "md": return download(reply.markdown, type: "text/markdown; charset=utf-8")
        case "html": return download(reply.html, type: "text/html; charset=utf-8")
        case "", "json": return json(try JSONValue.encode(reply))
        default: throw HubError(.validation, "Use one of: json, markdown, html.", field: "format", reason: .notAChoice)
        }
    }

    /// The year in review of the centre in the path, for `?year=` (this year when not given).
    func review(_ request: Request, _ context: Context) async throws -> YearReviewGet.Reply {
        let given = request.uri.queryParameters.get("year").flatMap { $0.isEmpty ? nil : $0 }
        guard given.map({ Int($0) != nil }) ?? true else {
            throw HubError(.validation, "The year must be a whole number.", field: "year", reason: .wrongType)
        }
        let year = given.flatMap { Int($0) } ?? Calendar(identifier: .gregorian).component(.year, from: Date())
        return try await ask(YearReviewGet(centreId: param(context, "centreId"), year: year))
    }

    func download(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    @Sendable func css(_ request: Request, context: Context) async throws -> Response {
        var r = download(TrainingTemplates.css, type: "text/css; charset=utf-8")
        r.headers[.cacheControl] = "public, max-age=3600"
        return r
    }

    // MARK: Public pages

    @Sendable func registrationForm(_ request: Request, context: Context) async throws -> Response {
        let e = try await publicEvent(param(context, "eventId"))
        return renderForm(e, context: context, csrf: publicCSRF(request), template: "tr_register")
    }

    @Sendable func submitRegistration(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let lang = context.language
        let form = try await publicForm(&request, context: context)
        let csrf = request.cookies[RegistrationForm.csrfCookie]?.value ?? ""
        let id = param(context, "eventId")
        let e = try await publicEvent(id)
        func again(_ fields: [String: String], errors: [String: String] = [:], formError: String? = nil,
                   status: HTTPResponse.Status) -> Response {
            renderForm(e, context: context, csrf: csrf, form: fields, errors: errors, formError: formError, status: status, template: "tr_register")
        }
        guard throttle.allow(clientAddress(context)) else {
            return again(form, formError: lang.t("reg_rate_limited"), status: .tooManyRequests)
        }
        let fields = Dictionary(uniqueKeysWithValues: RegistrationForm.fields.map { ($0, (form[$0] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) })
        let done = dayData(e, lang: lang)
        if form["website"]?.isEmpty == false {
            return pages.render("tr_register_done", title: lang.t("reg_done_title"), language: lang, session: nil,
                                data: done.merging(["statusText": lang.t("reg_done_received")]) { $1 })
        }
        var missing = ["name", "email", "agency"]
        if e.feeSEK > 0 { missing.append("invoiceReference") }
        let errors = Dictionary(uniqueKeysWithValues: missing.filter { fields[$0]?.isEmpty != false }.map { ($0, lang.t("reg_err_required")) })
        guard errors.isEmpty else { return again(fields, errors: errors, status: .badRequest) }
        let token = Secrets.randomToken(bytes: 32)
        var body: [String: JSONValue] = ["eventId": .string(id), "cancelToken": .string(token), "language": .string(lang.rawValue)]
        for (k, v) in fields where !v.isEmpty { body[k] = .string(v) }
        // The form's text goes as typed (the engine names each wrong field); the reply is read through the contract.
        let result: RegistrationCreate.Reply
        switch await attempt(RegistrationCreate.type, .object(body)) {
        case .success(let value): result = try RegistrationCreate.reply(value)
        case .failure(let error) where error.code == .validation || error.code == .conflict:
            let field = error.field?.replacingOccurrences(of: "body.", with: "") ?? ""
            if RegistrationForm.fields.contains(field) {
                return again(fields, errors: [field: RegistrationForm.message(for: error, field: field, lang: lang)], status: .badRequest)
            }
            let fresh = try await publicEvent(id)
            return renderForm(fresh, context: context, csrf: csrf, form: fields, formError: Self.eventMessage(error, lang: lang),
                                     status: .conflict, template: "tr_register")
        case .failure(let error): throw error
        }
        let placed = result.participants.first
        var data = done
        data["statusText"] = placed?.status == .confirmed
            ? lang.t("reg_done_confirmed") : lang.t("reg_done_waiting", ["n": placed?.waitingPosition.map(String.init) ?? "?"])
        data["cancelURL"] = baseURL(request) + "/tr/" + token
        return pages.render("tr_register_done", title: lang.t("reg_done_title"), language: lang, session: nil, data: data, status: .created)
    }

    /// Why a training refused a registration, in the page's language.
    static func eventMessage(_ error: HubError, lang: Language) -> String {
        if error.message.contains("full") { return lang.t("tr_err_full") }
        if error.message.contains("deadline") { return lang.t("reg_err_deadline") }
        if error.message.contains("cancelled") { return lang.t("tr_err_cancelled") }
        if error.message.contains("started") { return lang.t("tr_err_started") }
        return lang.t("reg_err_invalid")
    }

    /// The personal link of a training registration (every session in the calendar file).
    static let link = PersonalLink(path: "/tr/", template: "tr_my", uidDomain: "training.utvag-hub",
                                   calendarFilename: { _ in "utbildning.ics" })

    @Sendable func myCalendar(_ request: Request, context: Context) async throws -> Response {
        try await personalCalendar(Self.link, request, context: context)
    }

    @Sendable func myRegistration(_ request: Request, context: Context) async throws -> Response {
        try await personalPage(Self.link, request, context: context)
    }

    @Sendable func cancelMyRegistration(_ request: Request, context: Context) async throws -> Response {
        try await cancelPersonal(Self.link, request, context: context)
    }

    static let scores = ["overall", "content", "useful"]

    func renderEvaluation(_ request: Request, _ context: Context, errors: [String: String] = [:], formError: String? = nil,
                          status: HTTPResponse.Status = .ok) async throws -> Response {
        let lang = context.language
        let e = try await ask(EventPublic(eventId: param(context, "eventId")))
        let csrf = publicCSRF(request)
        let questions = Self.scores.map { q -> [String: Any] in
            ["id": q, "label": lang.t("tr_q_" + q), "error": errors[q] as Any,
             "options": (1...5).map { ["value": $0, "id": "\(q)-\($0)", "group": q] }]
        }
        return withCSRFCookie(pages.render("tr_evaluate", title: lang.t("tr_eval_title"), language: lang, session: nil, data: [
            "event": e.mustacheData, "questions": questions, "token": Secrets.randomToken(bytes: 32), "csrf": csrf, "formError": formError as Any,
            "open": e.event.ended,
        ], status: status), csrf)
    }

    @Sendable func evaluationForm(_ request: Request, context: Context) async throws -> Response {
        try await renderEvaluation(request, context)
    }

    @Sendable func submitEvaluation(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let lang = context.language
        let form = try await publicForm(&request, context: context)
        guard throttle.allow(clientAddress(context)) else { throw HubError(.rateLimited, "Too many requests; try again later.") }
        var body: [String: JSONValue] = ["eventId": .string(param(context, "eventId")), "token": .string(form["token"] ?? "")]
        var errors: [String: String] = [:]
        for q in Self.scores {
            if let n = Int(form[q] ?? ""), (1...5).contains(n) { body[q] = .number(Double(n)) } else { errors[q] = lang.t("tr_err_score") }
        }
        if let c = form["comment"], !c.isEmpty { body["comment"] = .string(c) }
        guard errors.isEmpty else { return try await renderEvaluation(request, context, errors: errors, status: .badRequest) }
        if case .failure(let error) = await attempt(EvaluationSubmit.type, .object(body)) {
            guard error.code == .validation || error.code == .conflict else { throw error }
            return try await renderEvaluation(request, context, formError: lang.t(error.field == "body.comment" ? "reg_err_too_long" : "tr_err_eval_closed"),
                                              status: .conflict)
        }
        return pages.render("nw_message", title: lang.t("tr_eval_title"), language: lang, session: nil,
                            data: ["heading": lang.t("tr_eval_title"), "text": lang.t("tr_eval_thanks")])
    }
}
