import HubWeb
import Foundation
import HubProtocol
import Hummingbird
import TrainingAPI

/// The organiser pages of the training service (admin, staff): trainings with attendance per
/// session and certificates, a form for a new training, lectures, targeted supervision with
/// its coverage, and the year in review. Errors from the service appear beside their field.
extension TrainingRoutes {
    static let eventFields = ["centreId", "kind", "title", "focus", "audience", "description", "trainers", "capacity", "feeSEK", "deadline", "contactEmail"]
    static let sessionRows = 3
    static let sessionFields = ["date", "startTime", "endTime", "venue"]

    /// A refusal from the service in the page's language (the service's English message is never shown).
    static func formMessage(_ error: HubError, lang: Language) -> String {
        lang.fieldError(error.reason) ?? lang.t("reg_err_invalid")
    }

    func reference() async throws -> ReferenceGet.Reply { try await ask(ReferenceGet()) }

    func centreOptions(_ reference: ReferenceGet.Reply, selected: String?) -> [[String: Any]] {
        reference.centres.map { c in ["id": c.id, "name": c.name, "selected": c.id == selected] }
    }

    @Sendable func listPage(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let lang = context.language
        let events = try await ask(EventList()).events
        let rows: [[String: Any]] = events.map { e in
            var row = (e.mustacheData as? [String: Any]) ?? [:]
            row["kindText"] = e.kind.name(lang.vocabulary)
            row["dates"] = e.sessions.map(\.date).joined(separator: ", ")
            return row
        }
        return pages.render("tr_list", title: lang.t("tr_title"), language: lang, session: session, data: [
            "events": rows, "hasEvents": !rows.isEmpty, "centres": centreOptions(try await reference(), selected: nil),
        ])
    }

    func renderNewEvent(_ session: SessionInfo, _ context: Context, form: [String: String] = [:], errors: [String: String] = [:],
                        formError: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let lang = context.language
        let ref = try await reference()
        let kinds = ref.kinds.map { k -> [String: Any] in
            ["id": k.rawValue, "name": k.name(lang.vocabulary), "selected": k.rawValue == (form["kind"] ?? EventKind.training.rawValue)]
        }
        let sessions = (1...Self.sessionRows).map { n -> [String: Any] in
            ["n": n, "fields": Self.sessionFields.map { f -> [String: Any] in
                let key = "s\(n)_\(f)"
                return ["key": key, "label": lang.t("tr_f_s_" + f), "value": form[key] ?? "", "error": errors[key] as Any]
            }]
        }
        return pages.render("tr_new", title: lang.t("tr_new"), language: lang, session: session, data: [
            "centres": centreOptions(ref, selected: form["centreId"] ?? session.user.centre), "kinds": kinds, "sessions": sessions,
            "form": form, "err": errors, "formError": formError as Any, "csrf": session.csrfToken,
        ], status: status)
    }

    @Sendable func newEventForm(_ request: Request, context: Context) async throws -> Response {
        try await renderNewEvent(try organiserSession(context), context)
    }

    /// Trainers are one per line, "Name" or "Name (Organisation)" for an external trainer.
    @Sendable func createEventForm(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let lang = context.language
        var request = request
        let raw = try await Forms.read(&request, context: context)
        let form = raw.mapValues { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        var body: [String: JSONValue] = [:]
        var errors: [String: String] = [:]
        for f in ["centreId", "kind", "title", "focus", "audience", "description", "deadline", "contactEmail"] where !(form[f] ?? "").isEmpty {
            body[f] = .string(form[f]!)
        }
        for f in ["capacity", "feeSEK"] where !(form[f] ?? "").isEmpty {
            if let n = Int(form[f]!) { body[f] = .number(Double(n)) } else { errors[f] = lang.t("reg_err_invalid") }
        }
        body["trainers"] = .array((form["trainers"] ?? "").split(whereSeparator: \.isNewline).compactMap { line -> JSONValue? in
            let t = line.trimmingCharacters(in: .whitespaces)
            guard !t.isEmpty else { return nil }
            if let open = t.firstIndex(of: "("), t.hasSuffix(")") {
                return ["name": .string(t[..<open].trimmingCharacters(in: .whitespaces)), "external": true,
                        "organisation": .string(String(t[t.index(after: open)..<t.index(before: t.endIndex)]))]
            }
            return ["name": .string(t), "external": false]
        })
        var sessions: [JSONValue] = [], rowOf: [Int] = []
        for n in 1...Self.sessionRows {
            let values = Self.sessionFields.map { form["s\(n)_\($0)"] ?? "" }
            guard values.contains(where: { !$0.isEmpty }) else { continue }
            sessions.append(.object(Dictionary(uniqueKeysWithValues: zip(Self.sessionFields, values.map { JSONValue.string($0) }))))
            rowOf.append(n)
        }
        body["sessions"] = .array(sessions)
        if !errors.isEmpty { return try await renderNewEvent(session, context, form: form, errors: errors, status: .badRequest) }
        switch await attempt(EventCreate.type, .object(body)) {
        case .success(let e):
            return Redirect.to("/utbildning/tillfallen/\(try EventCreate.reply(e).id)?klart=training_created")
        case .failure(let error) where error.code == .validation || error.code == .notFound:
            var field = error.field?.replacingOccurrences(of: "body.", with: "") ?? ""
            // body.sessions[1].startTime → the form's s2_startTime (the second filled row).
            if field.hasPrefix("sessions["), let close = field.firstIndex(of: "]"), let i = Int(field.dropFirst(9).prefix(while: \.isNumber)),
               rowOf.indices.contains(i) {
                field = "s\(rowOf[i])_" + field[field.index(after: close)...].dropFirst()
            } else if field == "sessions" {
                field = "s1_date"
            } else if field.hasPrefix("trainers") {
                field = "trainers"
            }
            let message = Self.formMessage(error, lang: lang)
            if Self.eventFields.contains(field) || field.hasPrefix("s") && field.contains("_") {
                return try await renderNewEvent(session, context, form: form, errors: [field: message], status: .badRequest)
            }
            return try await renderNewEvent(session, context, form: form, formError: message, status: .badRequest)
        case .failure(let error):
            throw error
        }
    }

    @Sendable func eventPage(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let lang = context.language
        let id = param(context, "eventId")
        let sheet = try await ask(AttendanceGet(eventId: id))
        let list = try await ask(RegistrationList(eventId: id))
        let evaluation = try await ask(EvaluationSummary(eventId: id))
        let e = sheet.event
        let sessions = sheet.sessions
        let attendees: [[String: Any]] = sheet.participants.map { p in
            let marks = p.sessions.enumerated().map { i, present -> [String: Any] in
                ["present": present, "sessionId": sessions.indices.contains(i) ? sessions[i].id : "",
                 "number": i + 1, "participantId": p.participantId, "name": p.name, "eventId": id, "csrf": session.csrfToken]
            }
            return ["name": p.name, "agency": p.agency, "marks": marks, "all": p.allSessions, "certificateId": p.certificateId as Any]
        }
        let reference = try? await self.reference()
        let agencyNames = Dictionary((reference?.agencies ?? []).map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let participants = list.participants.map { p -> [String: Any] in
            let agency = agencyNames[p.agency] ?? p.agency
            let status = p.status.name(lang.vocabulary)
            return ["name": p.name, "agency": agency, "agencyName": agency, "statusCode": p.status.rawValue, "municipality": p.municipality ?? "",
                    "status": status + (p.status == .waiting ? " (\(p.waitingPosition.map(String.init) ?? ""))" : ""),
                    "statusText": status, "registered": lang.dateTime(p.registeredAt)]
        }
        let filter = ParticipantFilter(query: request.uri.queryParameters.get("q"), status: request.uri.queryParameters.get("status"),
                                       sort: request.uri.queryParameters.get("sort"))
        let shown = filter.apply(participants)
        let waiting = list.participants.filter { $0.status == .waiting }.map { p -> [String: Any] in
            ["name": p.name, "position": p.waitingPosition.map(String.init) ?? ""]
        }
        let questions = evaluation.questions.map { q -> [String: Any] in
            ["label": lang.t("tr_q_" + q.question), "average": q.average.map { String(format: "%.1f", $0) } ?? "–"]
        }
        return pages.render("tr_event", title: e.title, language: lang, session: session, data: [
            "event": e.mustacheData, "kindText": e.kind.name(lang.vocabulary), "sessions": sessions.map(\.mustacheData),
            "attendees": attendees, "hasAttendees": !attendees.isEmpty, "waiting": waiting, "hasWaiting": !waiting.isEmpty,
            "participants": shown, "hasParticipants": !participants.isEmpty, "hasShown": !shown.isEmpty,
            "filter": filter.view(lang, shown: shown.count, total: participants.count),
            "seatsSummary": lang.t("nw_seats_summary", ["taken": String(e.taken ?? 0), "capacity": String(e.capacity), "waiting": String(e.waiting)]),
            "responsesText": lang.t("tr_eval_responses", ["n": String(evaluation.responses)]), "questions": questions,
            "comments": evaluation.comments, "csrf": session.csrfToken,
            "cancelled": e.status == .cancelled, "ended": e.ended,
        ])
    }

    /// The participant list as CSV (the hub's one format: semicolons, UTF-8 BOM, Stockholm times).
    @Sendable func participantsCSV(_ request: Request, context: Context) async throws -> Response {
        _ = try organiserSession(context)
        return csvDownload(try await ask(RegistrationExport(eventId: param(context, "eventId"))))
    }

    /// The invoice basis: people × fee per agency and invoice reference (the shared page).
    @Sendable func invoicePage(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let lang = context.language
        let invoice = try await ask(RegistrationInvoice(eventId: param(context, "eventId")))
        return invoicePage(title: invoice.day.title, feeSEK: invoice.feeSEK, lines: invoice.lines, totalSEK: invoice.totalSEK, people: invoice.people,
                           language: lang, session: session)
    }

    @Sendable func attendanceForm(_ request: Request, context: Context) async throws -> Response {
        _ = try organiserSession(context)
        var request = request
        let form = try await Forms.read(&request, context: context)
        let id = param(context, "eventId")
        _ = try await ask(AttendanceMark(sessionId: form["sessionId"] ?? "",
                                         marks: [AttendanceMarkEntry(participantId: form["participantId"] ?? "", attended: form["attended"] != "0")]))
        return Redirect.to("/utbildning/tillfallen/\(id)?klart=" + (form["attended"] != "0" ? "attendance_marked" : "attendance_undone"))
    }

    @Sendable func certificatesForm(_ request: Request, context: Context) async throws -> Response {
        _ = try organiserSession(context)
        let id = param(context, "eventId")
        _ = try await ask(CertificateIssue(eventId: id))
        return Redirect.to("/utbildning/tillfallen/\(id)?klart=certificates_issued")
    }

    @Sendable func inviteForm(_ request: Request, context: Context) async throws -> Response {
        _ = try organiserSession(context)
        let id = param(context, "eventId")
        _ = try await ask(EventInvite(eventId: id, registrationUrl: baseURL(request) + "/utbildning/anmalan/" + id))
        return Redirect.to("/utbildning/tillfallen/\(id)?klart=training_invited")
    }

    /// The certificate as the service made it (print-ready; the page's styles come from /static/training.css).
    @Sendable func certificatePage(_ request: Request, context: Context) async throws -> Response {
        _ = try organiserSession(context)
        let reply = try await ask(CertificateGet(certificateId: param(context, "certificateId")))
        return download(reply.html, type: "text/html; charset=utf-8")
    }

    // MARK: Lectures, supervision, year in review

    func centre(_ reference: ReferenceGet.Reply, _ id: String) throws(HubError) -> ReferenceGet.Reply.Centre {
        guard let c = reference.centres.first(where: { $0.id == id }) else {
            throw HubError(.notFound, "No such centre.", field: "centreId")
        }
        return c
    }

    /// Choices of a form: each an id and its name.
    func options(_ items: [(id: String, name: String)], selected: String?) -> [[String: Any]] {
        items.map { ["id": $0.id, "name": $0.name, "selected": $0.id == selected] }
    }

    func renderLectures(_ session: SessionInfo, _ context: Context, form: [String: String] = [:], errors: [String: String] = [:],
                        status: HTTPResponse.Status = .ok) async throws -> Response {
        let lang = context.language
        let id = param(context, "centreId")
        let ref = try await reference()
        let c = try centre(ref, id)
        let lectures = try JSONValue.encode(try await ask(LectureList(centreId: id)).lectures)
        return pages.render("tr_lectures", title: lang.t("tr_lectures"), language: lang, session: session, data: [
            "centreId": id, "centreName": c.name, "lectures": lectures.mustache,
            "agencies": options(ref.agencies.map { ($0.id, $0.name) }, selected: form["partner"]),
            "municipalities": options(c.municipalities.map { ($0, $0) }, selected: form["municipality"]),
            "form": form, "err": errors, "csrf": session.csrfToken,
        ], status: status)
    }

    @Sendable func lecturesPage(_ request: Request, context: Context) async throws -> Response {
        try await renderLectures(try organiserSession(context), context)
    }

    /// Sends a form to the service; a refusal is shown beside the field it names.
    func submit(_ type: String, _ request: Request, _ context: Context, text: [String], numbers: [String], fixed: [String: JSONValue],
                redirect: String, again: @escaping ([String: String], [String: String]) async throws -> Response) async throws -> Response {
        var request = request
        let lang = context.language
        let form = try await Forms.read(&request, context: context).mapValues { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        var body = fixed
        for f in text where !(form[f] ?? "").isEmpty { body[f] = .string(form[f]!) }
        for f in numbers where !(form[f] ?? "").isEmpty {
            guard let n = Int(form[f]!) else { return try await again(form, [f: lang.t("reg_err_invalid")]) }
            body[f] = .number(Double(n))
        }
        switch await attempt(type, .object(body)) {
        case .success: return Redirect.to(PageNotice.after("saved", at: redirect))
        case .failure(let error) where error.code == .validation || error.code == .conflict:
            let field = error.field?.replacingOccurrences(of: "body.", with: "") ?? "form"
            return try await again(form, [field: Self.formMessage(error, lang: lang)])
        case .failure(let error): throw error
        }
    }

    @Sendable func addLectureForm(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let id = param(context, "centreId")
        return try await submit(LectureCreate.type, request, context, text: ["date", "partner", "unit", "municipality", "topic", "lecturer"],
                                numbers: ["audienceSize"], fixed: ["centreId": .string(id)], redirect: "/utbildning/forelasningar/\(id)") { form, errors in
            try await renderLectures(session, context, form: form, errors: errors, status: .badRequest)
        }
    }

    func renderSupervision(_ session: SessionInfo, _ context: Context, form: [String: String] = [:], errors: [String: String] = [:],
                           status: HTTPResponse.Status = .ok) async throws -> Response {
        let lang = context.language
        let id = param(context, "centreId")
        let ref = try await reference()
        let c = try centre(ref, id)
        let coverage = try await ask(SupervisionCoverage(centreId: id))
        let assignments = try await ask(SupervisionList(centreId: id)).assignments
        let rows: [[String: Any]] = coverage.municipalities.map { m in
            ["municipality": m.municipality, "statusText": m.status.name(lang.vocabulary), "status": m.status.rawValue, "gap": m.status == .notContacted]
        }
        let list: [[String: Any]] = assignments.map { a in
            ["id": a.id, "municipality": a.municipality, "agencyName": a.agencyName, "unit": a.unit, "stageText": a.stage.name(lang.vocabulary),
             "sessions": a.sessions.count, "centreId": id, "csrf": session.csrfToken,
             "parts": a.parts.map { p -> [String: Any] in
                 ["label": p.part.name(lang.vocabulary), "statusText": p.status.name(lang.vocabulary), "date": p.date ?? "", "part": p.part.rawValue,
                  "id": a.id, "centreId": id, "csrf": session.csrfToken]
             }]
        }
        return pages.render("tr_supervision", title: lang.t("tr_supervision"), language: lang, session: session, data: [
            "centreId": id, "centreName": c.name, "coverage": rows, "assignments": list,
            "agencies": options(ref.agencies.map { ($0.id, $0.name) }, selected: form["agency"]),
            "municipalities": options(c.municipalities.map { ($0, $0) }, selected: form["municipality"]),
            "form": form, "err": errors, "formError": (errors["form"] ?? errors["part"] ?? errors["status"] ?? errors["assignmentId"]) as Any,
            "csrf": session.csrfToken,
        ], status: status)
    }

    @Sendable func supervisionPage(_ request: Request, context: Context) async throws -> Response {
        try await renderSupervision(try organiserSession(context), context)
    }

    @Sendable func addAssignmentForm(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let id = param(context, "centreId")
        return try await submit(SupervisionCreate.type, request, context, text: ["municipality", "agency", "unit", "notes"], numbers: [],
                                fixed: ["centreId": .string(id)], redirect: "/utbildning/handledning/\(id)") { form, errors in
            try await renderSupervision(session, context, form: form, errors: errors, status: .badRequest)
        }
    }

    @Sendable func partForm(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let id = param(context, "centreId")
        return try await submit(SupervisionPart.type, request, context, text: ["part", "status", "date"], numbers: [],
                                fixed: ["assignmentId": .string(param(context, "assignmentId"))], redirect: "/utbildning/handledning/\(id)") { _, errors in
            try await renderSupervision(session, context, errors: ["form": errors.values.first ?? ""], status: .conflict)
        }
    }

    @Sendable func sessionForm(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let id = param(context, "centreId")
        return try await submit(SupervisionSession.type, request, context, text: ["part", "date", "notes"], numbers: ["participants"],
                                fixed: ["assignmentId": .string(param(context, "assignmentId"))], redirect: "/utbildning/handledning/\(id)") { _, errors in
            try await renderSupervision(session, context, errors: ["form": errors.values.first ?? ""], status: .conflict)
        }
    }

    @Sendable func reviewPage(_ request: Request, context: Context) async throws -> Response {
        let session = try organiserSession(context)
        let lang = context.language
        let reply = try await review(request, context)
        switch request.uri.queryParameters.get("format") {
        case "markdown", "md": return download(reply.markdown, type: "text/markdown; charset=utf-8")
        case "html": return download(reply.html, type: "text/html; charset=utf-8")
        default: break
        }
        var data = (try JSONValue.encode(reply).mustache as? [String: Any]) ?? [:]
        data["kinds"] = nil
        data["trainings"] = try reply.trainings.map { t -> [String: Any] in
            var row = (try JSONValue.encode(t).mustache as? [String: Any]) ?? [:]
            row["kindText"] = EventKind.name(of: t.kind.rawValue, lang.rawValue)
            row["datesText"] = t.dates.joined(separator: ", ")
            return row
        }
        data["supervision"] = try reply.supervision.map { a -> [String: Any] in
            var row = (try JSONValue.encode(a).mustache as? [String: Any]) ?? [:]
            row["stageText"] = SupervisionStage.name(of: a.stage.rawValue, lang.rawValue)
            return row
        }
        data["yearText"] = String(reply.year)
        return pages.render("tr_review", title: lang.t("tr_review"), language: lang, session: session, data: data)
    }
}
